"""Independent NumPy oracle of Keras's convolutional LSTM (ConvLSTM1D, 2D, 3D), in float64, with a convolution of
its own.

Written from the ConvLSTM equations (Shi et al., 2015, without the peephole connections, as the Keras page says)
and Keras's documented weight layout, not from Keras's source:

* kernel (*kernel_size, channels, 4 filters), recurrent_kernel (*kernel_size, filters, 4 filters), bias
  (4 filters,); gate blocks i, f, c, o along the last axis, as the LSTM's.
* z = conv(x_t, kernel; strides, padding, dilation_rate) + bias + conv(h, recurrent_kernel; stride 1, "same");
  i, f, o = recurrent_activation(z_i, z_f, z_o); c' = f c + i activation(z_c); h' = o activation(c').

The state convolution keeps the state's spatial size: stride 1 and "same" padding, whatever the input
convolution's. A convolution here is what deep-learning libraries call one (a cross-correlation: the kernel is not
flipped); "same" padding pads evenly, the odd pad after, as TensorFlow documents
(https://www.tensorflow.org/api_docs/python/tf/nn#notes_on_padding_2).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from rnnspec.oracle.recurrent import ACTIVATIONS
from rnnspec.oracle.watching import kept

__all__ = ["ConvLSTMSpec", "output_size", "convolve", "conv_lstm_step", "run_sequence"]


@dataclass(frozen=True)
class ConvLSTMSpec:
    """Configuration of one ConvLSTM layer's cell, mirroring the Keras layer arguments (a tuple per spatial axis)."""

    strides: tuple[int, ...]
    padding: str = "valid"
    dilation_rate: tuple[int, ...] | None = None  # None: 1 along every axis
    data_format: str = "channels_last"
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"
    use_bias: bool = True

    def __post_init__(self) -> None:
        if self.padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {self.padding!r}")
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {self.data_format!r}")
        for name in ("activation", "recurrent_activation"):
            if getattr(self, name) not in ACTIVATIONS:
                raise ValueError(f"{name} must be one of {sorted(ACTIVATIONS)}, got {getattr(self, name)!r}")

    @property
    def rank(self) -> int:
        return len(self.strides)

    @property
    def dilations(self) -> tuple[int, ...]:
        return self.dilation_rate or (1,) * self.rank


def output_size(size: int, kernel: int, stride: int, padding: str, dilation: int = 1) -> tuple[int, int]:
    """(output size, padding before) of a convolution along one axis. The kernel spans (kernel - 1) dilation + 1
    inputs; "valid" places it wholly inside the input, "same" gives ceil(size / stride) outputs and pads the
    shortfall evenly, the odd one after."""
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        if size < span:
            raise ValueError(f"a kernel spanning {span} does not fit an input of size {size} without padding")
        return (size - span) // stride + 1, 0
    outputs = -(-size // stride)
    shortfall = max((outputs - 1) * stride + span - size, 0)
    return outputs, shortfall // 2


def convolve(x, kernel, strides, padding: str, dilation_rate=None) -> np.ndarray:
    """x (B, *spatial, C) with kernel (*kernel_size, C, F) -> (B, *output spatial, F):
    y[b, o, f] = sum over offsets k and channels c of x_padded[b, o stride + k dilation, c] kernel[k, c, f]."""
    x, kernel = np.asarray(x, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    rank = x.ndim - 2
    if kernel.ndim != rank + 2 or kernel.shape[-2] != x.shape[-1]:
        raise ValueError(f"kernel {kernel.shape} does not fit a rank-{rank} input {x.shape} (channels last)")
    dilation_rate = dilation_rate or (1,) * rank
    sizes, pads = [], [(0, 0)]
    for size, extent, stride, dilation in zip(x.shape[1:-1], kernel.shape[:rank], strides, dilation_rate):
        outputs, before = output_size(size, extent, stride, padding, dilation)
        span = (outputs - 1) * stride + (extent - 1) * dilation + 1
        sizes.append(outputs)
        pads.append((before, max(span - size - before, 0)))
    padded = np.pad(x, pads + [(0, 0)])
    y = np.zeros((x.shape[0], *sizes, kernel.shape[-1]))
    for offset in itertools.product(*(range(extent) for extent in kernel.shape[:rank])):
        window = tuple(
            slice(k * d, k * d + (n - 1) * s + 1, s) for k, d, n, s in zip(offset, dilation_rate, sizes, strides)
        )
        y += padded[(slice(None), *window)] @ kernel[offset]
    return y


def conv_lstm_step(spec: ConvLSTMSpec, weights: dict, x_t, h, c) -> tuple[np.ndarray, np.ndarray]:
    """One step, channels last: x_t (B, *spatial, C), h and c (B, *output spatial, F) -> (h', c')."""
    z = convolve(x_t, weights["kernel"], spec.strides, spec.padding, spec.dilations)
    z = z + convolve(h, weights["recurrent_kernel"], (1,) * spec.rank, "same")
    if spec.use_bias:
        z = z + np.asarray(weights["bias"], dtype=np.float64)
    elif weights.get("bias") is not None:
        raise ValueError("use_bias=False but the weights contain a 'bias'")
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    gate, act = ACTIVATIONS[spec.recurrent_activation], ACTIVATIONS[spec.activation]
    c_new = gate(z_f) * c + gate(z_i) * act(z_c)
    return gate(z_o) * act(c_new), c_new


def run_sequence(spec: ConvLSTMSpec, weights: dict, x, *, initial_state=None, go_backwards: bool = False):
    """x (B, T, *spatial, C) channels last, or (B, T, C, *spatial) channels first -> (outputs (B, T, ...) in
    processing order, [h, c]), each in the spec's data_format. initial_state: [h, c] in that format, or None
    (zeros). go_backwards: the steps are processed from last to first, the outputs left in processing order."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != spec.rank + 3:
        dimensions = spec.rank + 3
        raise ValueError(f"a rank-{spec.rank} ConvLSTM takes (B, T, ...) inputs of {dimensions} dimensions, got {x.shape}")
    first = spec.data_format == "channels_first"
    to_last = (lambda a: np.moveaxis(a, 1, -1)) if first else (lambda a: a)
    to_spec = (lambda a: np.moveaxis(a, -1, 1)) if first else (lambda a: a)
    steps = [to_last(x[:, t]) for t in range(x.shape[1])]
    if go_backwards:
        steps = steps[::-1]
    kernel = np.asarray(weights["kernel"])
    filters = kernel.shape[-1] // 4
    sizes = [
        output_size(n, k, s, spec.padding, d)[0]
        for n, k, s, d in zip(steps[0].shape[1:-1], kernel.shape[: spec.rank], spec.strides, spec.dilations)
    ]
    state_shape = (x.shape[0], *sizes, filters)
    if initial_state is None:
        h, c = np.zeros(state_shape), np.zeros(state_shape)
    else:
        h, c = (to_last(np.asarray(s, dtype=np.float64)) for s in initial_state)
        if h.shape != state_shape or c.shape != state_shape:
            raise ValueError(f"initial states must be {state_shape} channels last, got {h.shape} and {c.shape}")
    outputs = []
    for x_t in steps:
        h, c = conv_lstm_step(spec, weights, x_t, h, c)
        h, c = kept((h, c))
        outputs.append(to_spec(h))
    return np.stack(outputs, axis=1), [to_spec(h), to_spec(c)]
