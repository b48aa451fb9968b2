"""The convolutional LSTM subject (`ConvLSTMSubject`): ConvLSTM1D, 2D or 3D.

Every spatial dimension, kernel extent, channel count and filter count differs from the others, so that a
transposed axis or a misplaced weight cannot produce the right shape; even kernel extents make "same" padding
uneven, so that padding placed on the wrong side shows.
"""

from dataclasses import dataclass

from rnnspec import installation
from rnnspec.oracle.convlstm import output_size
from rnnspec.subjects.calls import Call, Probe
from rnnspec.subjects.shapes import ConvShape
from rnnspec.subjects.subject import OneRecurrentLayer, arguments_text

CONV_RANKS = (1, 2, 3)
CONV_SPATIAL = {1: (7,), 2: (7, 5), 3: (5, 6, 4)}
CONV_KERNEL_SIZE = {1: (3,), 2: (3, 2), 3: (2, 3, 2)}
CONV_BATCH, CONV_TIMESTEPS, CONV_CHANNELS, CONV_FILTERS = 2, 4, 2, 3
PADDINGS = ("valid", "same")
DATA_FORMATS = ("channels_last", "channels_first")


@dataclass(frozen=True)
class ConvGeometry:
    """An input, filter count and kernel of chapter 15's drawing, in place of the chapter's own."""

    shape: ConvShape
    filters: int
    kernel_size: tuple[int, ...]


@dataclass(frozen=True)
class ConvLSTMSubject(OneRecurrentLayer):
    """ConvLSTM1D, 2D or 3D (`rank`) with CONV_FILTERS filters of CONV_KERNEL_SIZE, its output flags, its
    convolution's padding, strides and data_format, and further arguments (go_backwards, stateful, dropout, ...)."""

    rank: int
    return_sequences: bool
    return_state: bool
    device: str
    probe: Probe = Call()
    padding: str = "valid"
    strides: int = 1
    data_format: str = "channels_last"
    options: tuple[tuple[str, object], ...] = ()  # sorted (name, value) pairs, to stay hashable
    geometry: ConvGeometry | None = None  # drawn by chapter 15; None: CONV_SPATIAL, CONV_KERNEL_SIZE, CONV_FILTERS...

    state_names = ("h", "c")

    @property
    def cell(self) -> str:
        """The layer's class name, where the behaviour matrix and failure messages name a cell."""
        return f"ConvLSTM{self.rank}D"

    @property
    def kernel_size(self) -> tuple[int, ...]:
        return self.geometry.kernel_size if self.geometry else CONV_KERNEL_SIZE[self.rank]

    @property
    def filters(self) -> int:
        return self.geometry.filters if self.geometry else CONV_FILTERS

    @property
    def shape(self) -> ConvShape:
        if self.geometry:
            return self.geometry.shape
        return ConvShape(
            CONV_BATCH, CONV_TIMESTEPS, CONV_SPATIAL[self.rank], CONV_CHANNELS, self.data_format == "channels_first"
        )

    @property
    def layer_arguments(self) -> dict:
        return {
            "kernel_size": self.kernel_size, "strides": self.strides, "padding": self.padding,
            "data_format": self.data_format, "return_sequences": self.return_sequences,
            "return_state": self.return_state, **dict(self.options),
        }

    @property
    def weight_names(self) -> tuple[str, ...]:
        return self.layer_weight_names

    @property
    def state_shape(self) -> tuple[int, ...]:
        """The shape of h and of c, one step of the output: (batch, *step), a step the filters over the spatial sizes
        the input convolution leaves (the reference's)."""
        dilation = dict(self.options).get("dilation_rate", 1)
        sizes = tuple(
            output_size(n, k, self.strides, self.padding, dilation)[0]
            for n, k in zip(self.shape.spatial, self.kernel_size)
        )
        step = (self.filters, *sizes) if self.data_format == "channels_first" else (*sizes, self.filters)
        return (self.shape.batch, *step)

    @property
    def initial_state_names(self) -> tuple[str, ...]:
        return self.state_names

    @property
    def initial_state_shapes(self) -> tuple[tuple[int, ...], ...]:
        return (self.state_shape,) * len(self.probe.initial_state_names(self))

    @property
    def returned_shapes(self) -> tuple[tuple[int, ...], ...]:
        """What the layer's call returns: the output, one step or the sequence of them, then with return_state h
        and c."""
        batch, *step = self.state_shape
        output = (batch, self.shape.timesteps, *step) if self.return_sequences else (batch, *step)
        return (output, *([self.state_shape] * 2 if self.return_state else []))

    def make_layer(self, **changed):
        layer = getattr(installation.keras().layers, self.cell)
        return layer(self.filters, **{**self.layer_arguments, **changed})

    @property
    def seed_parts(self) -> tuple:
        return (self.cell, self.padding, self.strides, self.data_format, self.options, *filter(None, [self.geometry]))

    def parts(self, layer) -> tuple:
        return (layer,)

    def built_text(self) -> str:
        return f"{self.cell}(filters={self.filters}, {arguments_text(self.layer_arguments)})"
