"""Cases for the chapters on time and state: every cell and output mode, on a padded batch of mixed lengths.

Each family (right-padded, backwards, stateful, …) has one case function per output mode, tagged with it, so a
statement about states or sequences selects exactly the modes it speaks of (`has_tag`).
"""

from functools import partial

from pytest_cases import parametrize

from rnnspec.probes.compiled import COMPILED_FUNCTION
from rnnspec.subjects.layers import CELLS, BidirectionalSubject, LayerSubject
from rnnspec.subjects.masks import MIXED_LENGTHS
from rnnspec.subjects.shapes import PADDED
from spec.vocabulary import EVERY_DEVICE, Axis, on_every_device, per_output_mode


def on_padded_batch(cell, device, *, return_sequences, return_state, **arguments):
    return LayerSubject(cell, return_sequences, return_state, device, PADDED, options=tuple(sorted(arguments.items())))


@parametrize(cell=CELLS, return_sequences=(False, True), return_state=(False, True), mask=MIXED_LENGTHS)
@on_every_device
def masked_any_way(cell, return_sequences, return_state, device, mask):
    return on_padded_batch(cell, device, return_sequences=return_sequences, return_state=return_state), mask


@parametrize(cell=CELLS, return_sequences=(False, True), return_state=(False, True))
@on_every_device
def masked_in_a_compiled_function(cell, return_sequences, return_state, device):
    """The mid-sequence mask, the one no other reading of the batch covers, through the backend's compiler."""
    subject = on_padded_batch(cell, device, return_sequences=return_sequences, return_state=return_state)
    return subject.with_probe(call_path=COMPILED_FUNCTION), "mid_sequence"


MASKED = (masked_any_way, masked_in_a_compiled_function)


def every_output_mode(family, **arguments):
    """The family's layers on the padded batch, every cell and device, one case function per output mode."""
    return per_output_mode(family, partial(on_padded_batch, **arguments), Axis("cell", CELLS), EVERY_DEVICE)


RIGHT_PADDED = every_output_mode("right_padded")  # the common case, and the one cuDNN kernels accept
BACKWARDS = every_output_mode("backwards", go_backwards=True)
STATEFUL = every_output_mode("stateful", stateful=True)  # their batch size is fixed by the padded batch


# zero_output_for_mask=True, reading forwards and backwards.
ZERO_OUTPUT_FOR_MASK = per_output_mode(
    "zero_output", partial(on_padded_batch, zero_output_for_mask=True),
    Axis("cell", CELLS), EVERY_DEVICE, Axis("go_backwards", (False, True)),
)


# Bidirectional wrappers, for initial states given to both directions.
@parametrize(cell=CELLS, return_sequences=(False, True))
@on_every_device
def bidirectional_layer(cell, return_sequences, device):
    return BidirectionalSubject(cell, return_sequences, True, device, PADDED)
