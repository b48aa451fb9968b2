"""Recurrent layers broken in how they handle time and state: masks, go_backwards, stateful calls, initial states."""

import numpy as np

from rnnspec import installation
from rnnspec.subjects.layers import CELLS
from spec.meta.breakages import during_call
from spec.meta.breaking import replacing, together


def dropping_call_argument(argument):
    """A breakage whose layers ignore one call argument (e.g. `mask`), as if it had never been passed."""

    @replacing("call", *CELLS, name=f"ignores_{argument}")
    def breakage(original):
        def call(self, *args, **kwargs):
            kwargs.pop(argument, None)
            return original(self, *args, **kwargs)

        return call

    return breakage


ignores_mask = dropping_call_argument("mask")
ignores_initial_state = dropping_call_argument("initial_state")


def setting(attribute, value):
    """A breakage that overrides a layer attribute while it runs, e.g. go_backwards=False."""

    def change(layer):
        original = getattr(layer, attribute)
        setattr(layer, attribute, value)
        return lambda: setattr(layer, attribute, original)

    change.__name__ = f"runs_with_{attribute}_{value}"
    return during_call(change)


zeros_masked_outputs = setting("zero_output_for_mask", True)
ignores_zero_output_for_mask = setting("zero_output_for_mask", False)
ignores_go_backwards = setting("go_backwards", False)


@during_call
def forgets_states_between_calls(layer):
    """A stateful layer that starts every call from zeros."""
    for variable in layer.states:
        variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
    return lambda: None


@during_call
def accepts_any_batch_size(layer):
    """A stateful layer that quietly runs a batch of another size from zero states instead of refusing it."""
    layer.stateful = False
    return lambda: setattr(layer, "stateful", True)


@replacing("reset_states", *CELLS)
def reset_states_does_nothing(original):
    return lambda self: None


@replacing("reset_state", *CELLS)
def reset_state_does_nothing(original):
    return lambda self: None


@replacing("compute_mask", "Masking")
def computes_no_mask(original):
    return lambda self, inputs, mask=None: None


@replacing("call", "Masking")
def attaches_no_mask(original):
    return lambda self, inputs: installation.ops().multiply(inputs, 1.0)


# A Masking layer that passes its inputs on without a mask (Keras 3 attaches the mask in `call`).
masking_layer_masks_nothing = together("masking_layer_masks_nothing", computes_no_mask, attaches_no_mask)


@replacing("call", "Bidirectional")
def bidirectional_swaps_initial_states(original):
    """A Bidirectional wrapper that gives the backward layer the states meant for the forward one, and back."""

    def call(self, *args, initial_state=None, **kwargs):
        if initial_state is not None:
            half = len(initial_state) // 2
            initial_state = list(initial_state[half:]) + list(initial_state[:half])
        return original(self, *args, initial_state=initial_state, **kwargs)

    return call
