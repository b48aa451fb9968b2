"""Recurrent layers broken in how they handle time and state: masks, go_backwards, stateful calls, initial states."""

import functools

import numpy as np

from rnnspec import installation
from rnnspec.configs import CELLS
from spec.meta.breakages import during_call, layer_classes


def dropping_call_argument(argument):
    """A breakage whose layers ignore one call argument (e.g. `mask`), as if it had never been passed."""

    def breakage(monkeypatch, cells=CELLS):
        for cls in layer_classes(cells):
            original = cls.call

            @functools.wraps(original)
            def call(self, *args, _original=original, **kwargs):
                kwargs.pop(argument, None)
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(cls, "call", call)

    breakage.__name__ = f"ignores_{argument}"
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


def reset_states_does_nothing(monkeypatch, cells=CELLS):
    for cls in layer_classes(cells):
        monkeypatch.setattr(cls, "reset_states", lambda self: None)


def masking_layer_masks_nothing(monkeypatch, cells=CELLS):
    """A Masking layer that passes its inputs on without a mask (Keras 3 attaches the mask in `call`)."""
    keras = installation.keras()
    monkeypatch.setattr(keras.layers.Masking, "compute_mask", lambda self, inputs, mask=None: None)
    monkeypatch.setattr(keras.layers.Masking, "call", lambda self, inputs: installation.ops().multiply(inputs, 1.0))


def bidirectional_swaps_initial_states(monkeypatch, cells=CELLS):
    """A Bidirectional wrapper that gives the backward layer the states meant for the forward one, and back."""
    cls = installation.keras().layers.Bidirectional
    original = cls.call

    @functools.wraps(original)
    def call(self, *args, initial_state=None, **kwargs):
        if initial_state is not None:
            half = len(initial_state) // 2
            initial_state = list(initial_state[half:]) + list(initial_state[:half])
        return original(self, *args, initial_state=initial_state, **kwargs)

    monkeypatch.setattr(cls, "call", call)
