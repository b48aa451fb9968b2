"""Deliberately broken recurrent layers, for showing that the spec statements catch what they claim to.

Each breakage replaces a method of every recurrent layer class (LSTM, GRU, SimpleRNN) for the duration of one
meta-test (`spec.meta.breaking`), the way a regression in Keras would change them.
"""

import numpy as np

from rnnspec import installation
from rnnspec.subjects.layers import CELLS
from spec.meta.breaking import replacing, together


def transform_returned(transform):
    """A breakage that rewrites what `call` returns: transform(layer, returned) -> returned."""

    @replacing("call", *CELLS, name=transform.__name__)
    def breakage(original):
        def call(self, *args, **kwargs):
            return transform(self, original(self, *args, **kwargs))

        return call

    return breakage


def split(layer, returned):
    """(output, states) of what a layer returned, whatever it was asked to return."""
    if layer.return_state:
        return returned[0], list(returned[1:])
    return returned, []


def join(layer, output, states):
    return (output, *states) if layer.return_state else output


def ops():
    return installation.ops()


@transform_returned
def wraps_lone_output(layer, returned):
    """Without return_state, returns (output,) instead of the output alone."""
    return returned if layer.return_state else (returned,)


@transform_returned
def drops_last_state(layer, returned):
    output, states = split(layer, returned)
    return (output, *states[:-1]) if layer.return_state else output


@transform_returned
def returns_other_container(layer, returned):
    """Returns a list where Keras 3 returns a tuple (and a tuple where Keras 2 returns a list)."""
    if not layer.return_state:
        return returned
    return tuple(returned) if isinstance(returned, list) else list(returned)


@transform_returned
def drops_a_unit(layer, returned):
    output, states = split(layer, returned)
    return join(layer, output[..., :-1], states)


@transform_returned
def states_gain_a_time_axis(layer, returned):
    output, states = split(layer, returned)
    return join(layer, output, [ops().expand_dims(s, 1) for s in states])


@transform_returned
def output_in_float16(layer, returned):
    output, states = split(layer, returned)
    return join(layer, ops().cast(output, "float16"), states)


@transform_returned
def reverses_sequence(layer, returned):
    output, states = split(layer, returned)
    return join(layer, ops().flip(output, axis=1) if layer.return_sequences else output, states)


@transform_returned
def swaps_states(layer, returned):
    output, states = split(layer, returned)
    return join(layer, output, states[::-1])


@transform_returned
def cell_state_is_h(layer, returned):
    output, states = split(layer, returned)
    return join(layer, output, [states[0]] * len(states))


def state_from_step(step):
    """h is taken from time step `step` of the sequence instead of the last one."""

    @replacing("call", *CELLS, name=f"state_from_step_{step}")
    def breakage(original):
        def call(self, *args, **kwargs):
            wanted = (self.return_sequences, self.return_state)
            self.return_sequences, self.return_state = True, True
            try:
                sequence, *states = original(self, *args, **kwargs)
            finally:
                self.return_sequences, self.return_state = wanted
            output = sequence if self.return_sequences else sequence[:, -1]
            return join(self, output, [sequence[:, step], *states[1:]])

        return call

    return breakage


@replacing("__call__", *CELLS)
def accepts_2d_input(original):
    """A 2-D input is taken as a one-step sequence instead of being refused."""

    def __call__(self, inputs, *args, **kwargs):
        if len(inputs.shape) == 2:
            inputs = ops().expand_dims(inputs, 1)
        return original(self, inputs, *args, **kwargs)

    return __call__


@replacing("compute_output_shape", *CELLS)
def misreports_output_shape(original):
    """compute_output_shape says one unit more than the layer returns."""

    def compute_output_shape(self, *args, **kwargs):
        shapes = original(self, *args, **kwargs)
        grow = lambda shape: tuple(shape[:-1]) + (shape[-1] + 1,)
        if shapes and isinstance(shapes[0], (tuple, list)):
            return type(shapes)(grow(s) for s in shapes)
        return grow(shapes)

    return compute_output_shape


def during_call(change):
    """A breakage that changes the layer only while `call` runs: change(layer) -> undo. Eager calls only, which
    is how the meta-tests call layers."""

    @replacing("call", *CELLS, name=change.__name__)
    def breakage(original):
        def call(self, *args, **kwargs):
            undo = change(self)
            try:
                return original(self, *args, **kwargs)
            finally:
                undo()

        return call

    return breakage


def computing_with(transform):
    """A breakage whose layers compute with transform(layer, weights) while reporting the weights they were given:
    `set_weights` stores the transformed values, `get_weights` returns the given ones."""

    @replacing("set_weights", *CELLS)
    def stores_transformed(original):
        def set_weights(self, weights):
            self._reported_weights = [np.array(w) for w in weights]
            original(self, transform(self, [np.array(w) for w in weights]))

        return set_weights

    @replacing("get_weights", *CELLS)
    def reports_given(original):
        def get_weights(self):
            reported = getattr(self, "_reported_weights", None)
            return [w.copy() for w in reported] if reported is not None else original(self)

        return get_weights

    return together(transform.__name__, stores_transformed, reports_given)


@computing_with
def swaps_first_two_gate_blocks(layer, weights):
    """The gates are read in another order than the documented layout (LSTM i <-> f, GRU z <-> r)."""
    m = layer.cell.units
    for w in weights:
        w[..., :m], w[..., m : 2 * m] = w[..., m : 2 * m].copy(), w[..., :m].copy()
    return weights


@computing_with
def ignores_recurrent_bias(layer, weights):
    """A GRU with reset_after=True that drops the recurrent row of its (2, 3 units) bias."""
    kernel, recurrent_kernel, bias = weights
    bias[1] = 0.0
    return [kernel, recurrent_kernel, bias]


@during_call
def uses_relu_activation(layer):
    """The candidate activation is relu where tanh was asked for."""
    original = layer.cell.activation
    layer.cell.activation = installation.keras().activations.relu

    def undo():
        layer.cell.activation = original

    return undo


def output_drift(amount):
    @transform_returned
    def drift(layer, returned):
        output, states = split(layer, returned)
        return join(layer, output + amount, states)

    drift.__name__ = f"output_drifts_by_{amount:g}"
    return drift


def state_drift(amount):
    @transform_returned
    def drift(layer, returned):
        output, states = split(layer, returned)
        return join(layer, output, [states[0], *(s + amount for s in states[1:])] if len(states) > 1 else [states[0] + amount])

    drift.__name__ = f"last_state_drifts_by_{amount:g}"
    return drift


@replacing("build", "LSTMCell")
def forget_bias_left_at_zero(original):
    """unit_forget_bias is ignored: a new LSTM's bias is all zeros."""

    def build(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.bias.assign(installation.ops().zeros_like(self.bias))

    return build
