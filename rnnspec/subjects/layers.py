"""Subjects that are one recurrent layer: LSTM, GRU or SimpleRNN (`LayerSubject`), `Bidirectional` around one
(`BidirectionalSubject`), and one in `TimeDistributed` (`TimeDistributedSubject`).

The three share the recurrent layer's description (`RecurrentLayerFields`: its cell, flags, shape and arguments);
each is its own dataclass, none derived from another.
"""

from dataclasses import dataclass

from rnnspec import installation
from rnnspec.oracle.recurrent import STATE_NAMES
from rnnspec.subjects.calls import Call, Probe
from rnnspec.subjects.shapes import DISTRIBUTED, DistributedShape, Shape
from rnnspec.subjects.subject import OneRecurrentLayer, arguments_text

CELLS = ("LSTM", "GRU", "SimpleRNN")


def layer_class(cell: str):
    """keras.layers.LSTM, GRU or SimpleRNN (or their cells, `cell="LSTMCell"`) of the installed Keras."""
    return getattr(installation.keras().layers, cell)


def recurrent_layer(cell: str, units: int, **arguments):
    return layer_class(cell)(units, **arguments)


def layer_configuration(layer) -> dict:
    """A layer's arguments as `get_config` reports them, with `use_cudnn`, which Keras 3 keeps out of the config."""
    found = layer.get_config()
    if hasattr(layer, "use_cudnn"):
        found["use_cudnn"] = layer.use_cudnn
    return found


@dataclass(frozen=True)
class RecurrentLayerFields(OneRecurrentLayer):
    """The fields of a subject built around one LSTM, GRU or SimpleRNN, and what it knows of that layer. `options`
    are the layer's further arguments."""

    cell: str
    return_sequences: bool
    return_state: bool
    device: str
    shape: Shape
    probe: Probe = Call()
    options: tuple[tuple[str, object], ...] = ()

    @property
    def state_names(self) -> tuple[str, ...]:
        return STATE_NAMES[self.cell]

    @property
    def layer_arguments(self) -> dict:
        return {"return_sequences": self.return_sequences, "return_state": self.return_state, **dict(self.options)}

    @property
    def returned_shapes(self) -> tuple[tuple[int, ...], ...]:
        """The shapes a call of the recurrent layer returns (chapter 1): the output, then with return_state each
        state."""
        s = self.shape
        output = (s.batch, s.timesteps, s.units) if self.return_sequences else (s.batch, s.units)
        return (output, *([self.state_shape] * len(self.state_names) if self.return_state else []))

    @property
    def state_shape(self) -> tuple[int, int]:
        """The shape of each state: (batch, units)."""
        return (self.shape.batch, self.shape.units)

    @property
    def initial_state_shapes(self) -> tuple[tuple[int, int], ...]:
        return (self.state_shape,) * len(self.probe.initial_state_names(self))

    def recurrent_layer(self, **changed):
        return recurrent_layer(self.cell, self.shape.units, **{**self.layer_arguments, **changed})

    def layer_text(self) -> str:
        return f"{self.cell}(units={self.shape.units}, {arguments_text(self.layer_arguments)})"


@dataclass(frozen=True)
class LayerSubject(RecurrentLayerFields):
    """A recurrent layer: LSTM, GRU or SimpleRNN with its flags and further arguments."""

    def make_layer(self, **changed):
        return self.recurrent_layer(**changed)

    @property
    def seed_parts(self) -> tuple:
        return (self.cell, self.shape.name, self.options)

    def parts(self, layer) -> tuple:
        return (layer,)

    @property
    def initial_state_names(self) -> tuple[str, ...]:
        return self.state_names

    @property
    def weight_names(self) -> tuple[str, ...]:
        return self.layer_weight_names

    def built_text(self) -> str:
        return self.layer_text()


@dataclass(frozen=True)
class BidirectionalSubject(RecurrentLayerFields):
    """A recurrent layer wrapped in `Bidirectional`. `options` are the wrapped layer's arguments."""

    merge_mode: str | None = "concat"
    backward_options: tuple[tuple[str, object], ...] | None = None  # arguments of a `backward_layer=`; None: none given

    @property
    def backward_layer(self) -> LayerSubject:
        """The recurrent layer the backward direction computes with."""
        options = self.options if self.backward_options is None else self.backward_options
        return LayerSubject(self.cell, self.return_sequences, self.return_state, self.device, self.shape, options=options)

    def make_layer(self, **changed):
        backward = None
        if self.backward_options is not None:
            flags = {"return_sequences": self.return_sequences, "return_state": self.return_state}
            backward = recurrent_layer(self.cell, self.shape.units, go_backwards=True, **flags, **dict(self.backward_options))
        return installation.keras().layers.Bidirectional(
            self.recurrent_layer(**changed), merge_mode=self.merge_mode, backward_layer=backward
        )

    @property
    def seed_parts(self) -> tuple:
        return ("Bidirectional", self.cell, self.shape.name, self.options, self.backward_options)

    def parts(self, layer) -> tuple:
        return (layer.forward_layer, layer.backward_layer)

    @property
    def initial_state_names(self) -> tuple[str, ...]:
        """The forward direction's states, then the backward's."""
        return tuple(f"{direction} {name}" for direction in ("forward", "backward") for name in self.state_names)

    @property
    def weight_names(self) -> tuple[str, ...]:
        """The forward layer's weights, then the backward layer's (the wrapper's `trainable_weights` order)."""
        return tuple(f"{direction} {name}" for direction in ("forward", "backward") for name in self.layer_weight_names)

    @property
    def output_names(self) -> tuple[str, ...]:
        """The merged output, or with merge_mode=None each direction's."""
        return ("forward output", "backward output") if self.merge_mode is None else ("output",)

    @property
    def layer_returned_names(self) -> tuple[str, ...]:
        return (*self.output_names, *self.initial_state_names)

    @property
    def returned_shapes(self) -> tuple[tuple[int, ...], ...]:
        """The merged output (each direction's with merge_mode=None), then with return_state the forward
        direction's states and the backward's."""
        output, *states = super().returned_shapes
        width = 2 * output[-1] if self.merge_mode == "concat" else output[-1]
        outputs = (output, output) if self.merge_mode is None else ((*output[:-1], width),)
        return (*outputs, *states, *states)

    def built_text(self) -> str:
        backward = "" if self.backward_options is None else f", backward_layer={self.cell}{dict(self.backward_options)}"
        return f"Bidirectional({self.layer_text()}, merge_mode={self.merge_mode!r}{backward})"


@dataclass(frozen=True)
class TimeDistributedSubject(RecurrentLayerFields):
    """A recurrent layer wrapped in `TimeDistributed` and called on a `DistributedShape` input (with the "slices"
    or "steps" mask of rnnspec.subjects.masks where its probe names one). `options` are the wrapped layer's
    arguments."""

    shape: DistributedShape = DISTRIBUTED

    def make_layer(self, **changed):
        return installation.keras().layers.TimeDistributed(self.recurrent_layer(**changed))

    @property
    def seed_parts(self) -> tuple:
        return ("TimeDistributed", self.cell, self.shape.name, self.options)

    def parts(self, layer) -> tuple:
        return (layer.layer,)

    def built_text(self) -> str:
        return f"TimeDistributed({self.layer_text()})"
