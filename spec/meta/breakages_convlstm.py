"""ConvLSTM layers (ConvLSTM1D, 2D, 3D) broken the way the chapter on them (spec/test_convlstm.py) speaks of: an
input without its time dimension let through, padding or strides ignored, the weights read in another layout, a
"same" padding placed on the other side, a seed that draws nothing. The breakages of the recurrent layers (spec/meta/breakages*.py) apply to
them through `on_conv_lstm`.
"""

import functools

import numpy as np

from rnnspec import installation
from rnnspec.subjects.convlstm import CONV_RANKS
from spec.meta.breakages import during_call
from spec.meta.breaking import replacing

CONV_LSTM_CLASSES = tuple(f"ConvLSTM{rank}D" for rank in CONV_RANKS)


def on_conv_lstm(breakage):
    """A breakage made by `replacing` for the recurrent layers (LSTM, GRU, SimpleRNN), applied to the ConvLSTM
    layers instead: their output, states and time handling are the RNN base class's, as the recurrent layers'."""
    applied = functools.partial(breakage, classes=CONV_LSTM_CLASSES)
    applied.__name__ = breakage.__name__
    return applied


def while_called(change):
    """`during_call` (change(layer) -> undo, while `call` runs) for the ConvLSTM layers."""
    return on_conv_lstm(during_call(change))


def ops():
    return installation.ops()


@replacing("__call__", *CONV_LSTM_CLASSES)
def accepts_an_input_without_time(original):
    """An input without its time dimension is taken as a one-step sequence instead of being refused."""

    def __call__(self, inputs, *args, **kwargs):
        if len(inputs.shape) == self.cell.rank + 2:
            inputs = ops().expand_dims(inputs, 1)
        return original(self, inputs, *args, **kwargs)

    return __call__


def argument_overridden(argument, value):
    """ConvLSTM layers made with `argument=value` whatever they are given."""

    @replacing("__init__", *CONV_LSTM_CLASSES, name=f"{argument}_always_{value}")
    def breakage(original):
        def __init__(self, *args, **kwargs):
            kwargs[argument] = value
            original(self, *args, **kwargs)

        return __init__

    return breakage


padding_always_valid = argument_overridden("padding", "valid")
strides_always_1 = argument_overridden("strides", 1)
dilation_rate_always_1 = argument_overridden("dilation_rate", 1)


@replacing("build", *CONV_LSTM_CLASSES)
def forget_bias_left_at_zero(original):
    """unit_forget_bias is ignored: a new ConvLSTM's bias is all zeros."""

    def build(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.cell.bias.assign(ops().zeros_like(self.cell.bias))

    return build


def computing_with(transform):
    """A breakage whose layers compute, while `call` runs, with transform(cell, [kernel, recurrent_kernel(, bias)])
    in place of their weights, and hold the given ones again after it (so the weights read back are the given
    ones): a reading of the weight layout other than the documented one."""

    def change(layer):
        cell = layer.cell
        variables = [v for v in (cell.kernel, cell.recurrent_kernel, cell.bias) if v is not None]
        given = [np.array(installation.to_numpy(v)) for v in variables]
        for variable, value in zip(variables, transform(cell, [w.copy() for w in given])):
            variable.assign(value)

        def undo():
            for variable, value in zip(variables, given):
                variable.assign(value)

        return undo

    change.__name__ = transform.__name__
    return while_called(change)


@computing_with
def swaps_the_i_and_f_gate_blocks(cell, weights):
    """The gate blocks are read in the order f, i, c, o instead of i, f, c, o."""
    f = cell.filters
    for w in weights:
        w[..., :f], w[..., f : 2 * f] = w[..., f : 2 * f].copy(), w[..., :f].copy()
    return weights


@computing_with
def convolves_with_flipped_kernels(cell, weights):
    """The kernels are flipped along their spatial axes: a convolution in the mathematical sense, where Keras's
    layers cross-correlate."""
    spatial = tuple(range(cell.rank))
    return [np.flip(w, spatial).copy() if w.ndim > 1 else w for w in weights]


def odd_pad_first(cell, x, kernel, strides):
    """x padded as "same" padding would pad it, but with the odd pad before the input instead of after it."""
    first = cell.data_format == "channels_first"
    spatial = tuple(x.shape[2:] if first else x.shape[1:-1])
    pads = []
    for size, extent, stride in zip(spatial, tuple(kernel.shape[: cell.rank]), strides):
        total = max((-(-size // stride) - 1) * stride + extent - size, 0)
        pads.append((total - total // 2, total // 2))
    return ops().pad(x, [(0, 0), *([(0, 0)] + pads if first else pads + [(0, 0)])])


@while_called
def pads_same_on_the_other_side(layer):
    """"same" padding puts its odd pad before the input rather than after, in both convolutions."""
    cell = layer.cell
    own_input_conv = cell.input_conv

    def input_conv(x, w, b=None, padding="valid"):
        if padding != "same":
            return own_input_conv(x, w, b, padding=padding)
        return own_input_conv(odd_pad_first(cell, x, w, cell.strides), w, b, padding="valid")

    def recurrent_conv(h, w):
        padded = odd_pad_first(cell, h, w, (1,) * cell.rank)
        return ops().conv(padded, w, strides=1, padding="valid", data_format=cell.data_format)

    cell.input_conv, cell.recurrent_conv = input_conv, recurrent_conv

    def undo():
        del cell.input_conv, cell.recurrent_conv

    return undo



@replacing("__init__", *CONV_LSTM_CLASSES)
def dropout_seed_ignored(original):
    """The layer's cell draws its dropout masks from a seed of its own, whatever `seed` it was given."""

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.cell.seed_generator = installation.keras().random.SeedGenerator()

    return __init__
