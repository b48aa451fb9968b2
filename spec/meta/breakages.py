"""Deliberately broken recurrent layers, for showing that the spec statements catch what they claim to.

Each breakage is a function of pytest's `monkeypatch` that patches every recurrent layer class (LSTM, GRU,
SimpleRNN) for the duration of one meta-test, the way a regression in Keras would change them.
"""

import functools

import numpy as np

from rnnspec import installation
from rnnspec.configs import CELLS


def layer_classes(cells):
    keras = installation.keras()
    return [getattr(keras.layers, cell) for cell in cells]


def only(cell, breakage):
    """The breakage applied to one layer class, e.g. to the upper layer of a stack alone."""
    restricted = functools.partial(breakage, cells=(cell,))
    restricted.__name__ = f"{breakage.__name__}_in_{cell}"
    return restricted


def transform_returned(transform):
    """A breakage that rewrites what `call` returns: transform(layer, returned) -> returned."""

    def breakage(monkeypatch, cells=CELLS):
        for cls in layer_classes(cells):
            original = cls.call

            @functools.wraps(original)  # keeps the signature Keras inspects for mask/training arguments
            def call(self, *args, _original=original, **kwargs):
                return transform(self, _original(self, *args, **kwargs))

            monkeypatch.setattr(cls, "call", call)

    breakage.__name__ = transform.__name__
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

    def breakage(monkeypatch, cells=CELLS):
        for cls in layer_classes(cells):
            original = cls.call

            @functools.wraps(original)
            def call(self, *args, _original=original, **kwargs):
                wanted = (self.return_sequences, self.return_state)
                self.return_sequences, self.return_state = True, True
                try:
                    sequence, *states = _original(self, *args, **kwargs)
                finally:
                    self.return_sequences, self.return_state = wanted
                output = sequence if self.return_sequences else sequence[:, -1]
                return join(self, output, [sequence[:, step], *states[1:]])

            monkeypatch.setattr(cls, "call", call)

    breakage.__name__ = f"state_from_step_{step}"
    return breakage


def accepts_2d_input(monkeypatch, cells=CELLS):
    """A 2-D input is taken as a one-step sequence instead of being refused."""
    for cls in layer_classes(cells):
        original = cls.__call__

        @functools.wraps(original)
        def __call__(self, inputs, *args, _original=original, **kwargs):
            if len(inputs.shape) == 2:
                inputs = ops().expand_dims(inputs, 1)
            return _original(self, inputs, *args, **kwargs)

        monkeypatch.setattr(cls, "__call__", __call__)


def misreports_output_shape(monkeypatch, cells=CELLS):
    """compute_output_shape says one unit more than the layer returns."""
    for cls in layer_classes(cells):
        original = cls.compute_output_shape

        @functools.wraps(original)
        def compute_output_shape(self, *args, _original=original, **kwargs):
            shapes = _original(self, *args, **kwargs)
            grow = lambda shape: tuple(shape[:-1]) + (shape[-1] + 1,)
            if shapes and isinstance(shapes[0], (tuple, list)):
                return type(shapes)(grow(s) for s in shapes)
            return grow(shapes)

        monkeypatch.setattr(cls, "compute_output_shape", compute_output_shape)


def during_call(change):
    """A breakage that changes the layer only while `call` runs: change(layer) -> undo. Eager calls only, which
    is how the meta-tests call layers."""

    def breakage(monkeypatch, cells=CELLS):
        for cls in layer_classes(cells):
            original = cls.call

            @functools.wraps(original)
            def call(self, *args, _original=original, **kwargs):
                undo = change(self)
                try:
                    return _original(self, *args, **kwargs)
                finally:
                    undo()

            monkeypatch.setattr(cls, "call", call)

    breakage.__name__ = change.__name__
    return breakage


def computing_with(transform):
    """A breakage whose layers compute with transform(layer, weights) while reporting the weights they were given:
    `set_weights` stores the transformed values, `get_weights` returns the given ones."""

    def breakage(monkeypatch, cells=CELLS):
        for cls in layer_classes(cells):
            set_weights, get_weights = cls.set_weights, cls.get_weights

            def set_transformed(self, weights, _set=set_weights):
                self._reported_weights = [np.array(w) for w in weights]
                _set(self, transform(self, [np.array(w) for w in weights]))

            def get_reported(self, _get=get_weights):
                reported = getattr(self, "_reported_weights", None)
                return [w.copy() for w in reported] if reported is not None else _get(self)

            monkeypatch.setattr(cls, "set_weights", set_transformed)
            monkeypatch.setattr(cls, "get_weights", get_reported)

    breakage.__name__ = transform.__name__
    return breakage


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


def forget_bias_left_at_zero(monkeypatch, cells=("LSTM",)):
    """unit_forget_bias is ignored: a new LSTM's bias is all zeros."""
    cell_class = installation.keras().layers.LSTMCell
    original = cell_class.build

    @functools.wraps(original)
    def build(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.bias.assign(installation.ops().zeros_like(self.bias))

    monkeypatch.setattr(cell_class, "build", build)
