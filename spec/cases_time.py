"""Cases for the chapters on time and state: every cell and output mode, on a padded batch of mixed lengths.

Each family (right-padded, backwards, stateful, …) has one case function per output mode, tagged with it, so a
statement about states or sequences selects exactly the modes it speaks of (`has_tag`).
"""

from pytest_cases import case, parametrize

from rnnspec import options
from rnnspec.configs import CELLS, BidirectionalConfig, LayerConfig
from rnnspec.sequences import MASKS, PADDED
from spec.cases import Tag

DEVICES = options.current.devices
every_cell = parametrize(cell=CELLS, device=DEVICES)


def output_mode(return_sequences, return_state):
    return case(
        tags=(
            Tag.SEQUENCES if return_sequences else Tag.LAST_OUTPUT,
            Tag.STATES if return_state else Tag.NO_STATES,
        )
    )


def on_padded_batch(cell, return_sequences, return_state, device, **arguments):
    return LayerConfig(cell, return_sequences, return_state, device, PADDED, options=tuple(sorted(arguments.items())))


@parametrize(cell=CELLS, return_sequences=(False, True), return_state=(False, True), device=DEVICES, mask=tuple(MASKS))
def masked_any_way(cell, return_sequences, return_state, device, mask):
    return on_padded_batch(cell, return_sequences, return_state, device), mask


# Right-padded batches (the common case, and the one cuDNN kernels accept).
@output_mode(False, False)
@every_cell
def right_padded_last_output(cell, device):
    return on_padded_batch(cell, False, False, device)


@output_mode(True, False)
@every_cell
def right_padded_sequences(cell, device):
    return on_padded_batch(cell, True, False, device)


@output_mode(False, True)
@every_cell
def right_padded_last_output_and_states(cell, device):
    return on_padded_batch(cell, False, True, device)


@output_mode(True, True)
@every_cell
def right_padded_sequences_and_states(cell, device):
    return on_padded_batch(cell, True, True, device)


# Layers with go_backwards=True.
@output_mode(False, False)
@every_cell
def backwards_last_output(cell, device):
    return on_padded_batch(cell, False, False, device, go_backwards=True)


@output_mode(True, False)
@every_cell
def backwards_sequences(cell, device):
    return on_padded_batch(cell, True, False, device, go_backwards=True)


@output_mode(False, True)
@every_cell
def backwards_last_output_and_states(cell, device):
    return on_padded_batch(cell, False, True, device, go_backwards=True)


@output_mode(True, True)
@every_cell
def backwards_sequences_and_states(cell, device):
    return on_padded_batch(cell, True, True, device, go_backwards=True)


# Stateful layers (their batch size is fixed by the padded batch).
@output_mode(False, False)
@every_cell
def stateful_last_output(cell, device):
    return on_padded_batch(cell, False, False, device, stateful=True)


@output_mode(True, False)
@every_cell
def stateful_sequences(cell, device):
    return on_padded_batch(cell, True, False, device, stateful=True)


@output_mode(False, True)
@every_cell
def stateful_last_output_and_states(cell, device):
    return on_padded_batch(cell, False, True, device, stateful=True)


@output_mode(True, True)
@every_cell
def stateful_sequences_and_states(cell, device):
    return on_padded_batch(cell, True, True, device, stateful=True)


# zero_output_for_mask=True, reading forwards and backwards.
@parametrize(cell=CELLS, return_state=(False, True), device=DEVICES, go_backwards=(False, True))
def zero_output_sequences(cell, return_state, device, go_backwards):
    return on_padded_batch(cell, True, return_state, device, zero_output_for_mask=True, go_backwards=go_backwards)


@parametrize(cell=CELLS, return_state=(False, True), device=DEVICES, go_backwards=(False, True))
def zero_output_last_output(cell, return_state, device, go_backwards):
    return on_padded_batch(cell, False, return_state, device, zero_output_for_mask=True, go_backwards=go_backwards)


# Bidirectional wrappers, for initial states given to both directions.
@parametrize(cell=CELLS, return_sequences=(False, True), device=DEVICES)
def bidirectional_layer(cell, return_sequences, device):
    return BidirectionalConfig(cell, return_sequences, True, device, PADDED)
