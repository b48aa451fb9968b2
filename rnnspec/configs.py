"""What the spec is held against: subjects, each a configuration that knows how to build its layer and how the
layer is called.

Every subject — a recurrent layer (`LayerConfig`), `Bidirectional` around one, `RNN` over stacked cells, `RNN` over
a cell written by a user, a convolutional LSTM (`ConvLSTMConfig`), a recurrent layer in `TimeDistributed`
(`TimeDistributedConfig`) — goes through the one path of `rnnspec.observe`:
built once per session with distinct seeded weights, called along its call path on its device with the kernel
recorded, and counted in the behaviour matrix under its `matrix_keys`. A new kind of subject implements the `Subject` protocol; it needs no builder,
cache or fixture of its own.
"""

from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from rnnspec import installation

CELLS = ("LSTM", "GRU", "SimpleRNN")
STATE_NAMES = {"LSTM": ("h", "c"), "GRU": ("h",), "SimpleRNN": ("h",)}
# Gate blocks along the kernels' last axis, in Keras's order: LSTM i, f, c, o; GRU z, r, h; SimpleRNN one.
GATE_COUNT = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}
MERGE_MODES = ("concat", "sum", "mul", "ave", None)  # Bidirectional's, None keeping the two outputs apart

# How users call a recurrent layer: the bare layer eagerly, a functional model called directly, and
# `model.predict` (the seed notebook's path, which runs a compiled function).
CALL_PATHS = ("layer", "model", "predict")
# And the compiled paths users deploy through (rnnspec.compiled): the backend's compiler on the layer's call with the
# batch and time dimensions open (tf.function with an input signature, jax.jit of the stateless call, torch.compile),
# and `predict` with `jit_compile=True` (XLA on TensorFlow).
COMPILED_CALL_PATHS = ("compiled_function", "predict_jit_compile")


@dataclass(frozen=True)
class Shape:
    name: str
    batch: int
    timesteps: int
    features: int
    units: int
    dynamic_time: bool = False  # the model's Input declares the time dimension as None

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (self.batch, self.timesteps, self.features)


# `units` differs from `features` everywhere, so that a transposed or misplaced weight cannot produce the right shape.
SHAPES = {
    shape.name: shape
    for shape in (
        Shape("notebook", batch=1, timesteps=10, features=2, units=4),  # the seed notebook's T, D and M
        Shape("one_step", batch=1, timesteps=1, features=3, units=5),
        Shape("batch", batch=3, timesteps=6, features=5, units=4),
        Shape("dynamic_time", batch=2, timesteps=7, features=3, units=5, dynamic_time=True),
    )
}

# Samples of the `batch` shape's 6 steps: all valid, valid then padding, padding then valid. Padded steps keep their
# random inputs, so that only the mask can make them count for nothing. The mask `masked` subjects are called with.
BATCH_MASK = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1]], dtype=bool)


def layer_class(cell: str):
    """keras.layers.LSTM, GRU or SimpleRNN (or their cells, `cell="LSTMCell"`) of the installed Keras."""
    return getattr(installation.keras().layers, cell)


def recurrent_layer(cell: str, units: int, **arguments):
    return layer_class(cell)(units, **arguments)


class Subject(Protocol):
    """What a statement observes. Frozen and hashable: it is the session cache's key."""

    device: str
    call_path: str
    shape: Shape  # or, for a convolutional layer, ConvShape: what the one path reads is batch and input_shape

    @property
    def returned_names(self) -> tuple[str, ...]:
        """What each array its call path returns is, in order (a recurrent layer: output, h (, c))."""

    def make_layer(self, **changed):
        """The subject's Keras layer, not yet built (with some arguments changed, for a twin)."""

    @property
    def seed_parts(self) -> tuple:
        """What seeds its weights and inputs (`rnnspec.data.seed_for`)."""

    @property
    def fixes_batch(self) -> bool:
        """Whether its model's Input must fix the batch size (a stateful layer keeps one state per sample)."""

    def parts(self, layer) -> tuple:
        """The layers whose weights, by name, the NumPy reference computes with (a direction, a cell)."""

    @property
    def call_arguments(self) -> dict:
        """What an eager call passes beyond the inputs (a mask)."""

    @property
    def build_key(self) -> "Subject":
        """Subjects with the same build key share one built layer and model."""

    @property
    def matrix_keys(self) -> tuple[tuple, ...]:
        """(cell, return_sequences, return_state, device) rows of the behaviour matrix it counts in."""

    def describe(self) -> str:
        """The subject in words, for failure messages."""


def arguments_text(arguments: dict) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in arguments.items())


def input_text(shape: Shape) -> str:
    return f"input (batch={shape.batch}, timesteps={shape.timesteps}, features={shape.features})"


class OneRecurrentLayer:
    """What a subject that is one recurrent layer, called on its inputs alone, answers the one path: its model fixes
    the batch where it is stateful, and the reference computes with the layer's own weights."""

    options: tuple[tuple[str, object], ...]

    @property
    def fixes_batch(self) -> bool:
        return bool(dict(self.options).get("stateful"))

    def parts(self, layer) -> tuple:
        return (layer,)

    @property
    def call_arguments(self) -> dict:
        return {}


@dataclass(frozen=True)
class LayerConfig(OneRecurrentLayer):
    """A recurrent layer: LSTM, GRU or SimpleRNN with its flags and further arguments."""

    cell: str
    return_sequences: bool
    return_state: bool
    device: str
    shape: Shape
    call_path: str = "layer"
    # Further layer arguments, as sorted (name, value) pairs so that the configuration stays hashable.
    options: tuple[tuple[str, object], ...] = ()
    tf32: bool | None = None  # GPU float32 products in TF32 (True), full float32 (False), or the backend's default

    @property
    def state_names(self) -> tuple[str, ...]:
        return STATE_NAMES[self.cell]

    @property
    def layer_arguments(self) -> dict:
        return {"return_sequences": self.return_sequences, "return_state": self.return_state, **dict(self.options)}

    @property
    def returned_names(self) -> tuple[str, ...]:
        """What a call returns, in order, when it returns everything: output, h (, c)."""
        return ("output", *self.state_names)

    @property
    def returned_shapes(self) -> tuple[tuple[int, ...], ...]:
        """The shapes a call returns when it returns everything it is asked for (chapter 1): the output, then
        with return_state each state."""
        s = self.shape
        output = (s.batch, s.timesteps, s.units) if self.return_sequences else (s.batch, s.units)
        return (output, *([(s.batch, s.units)] * len(self.state_names) if self.return_state else []))

    @property
    def weight_names(self) -> tuple[str, ...]:
        """The layer's weights, in order (chapter 9 states the layout)."""
        return ("kernel", "recurrent_kernel", *(("bias",) if dict(self.options).get("use_bias", True) else ()))

    @property
    def forward_layer(self) -> "LayerConfig":
        """The recurrent layer itself, as the forward statements observe it: subjects that train or differentiate
        it share its build, and so its weights."""
        return LayerConfig(self.cell, self.return_sequences, self.return_state, self.device, self.shape, options=self.options)

    def make_layer(self, **changed):
        return recurrent_layer(self.cell, self.shape.units, **{**self.layer_arguments, **changed})

    @property
    def seed_parts(self) -> tuple:
        return (self.cell, self.shape.name, self.options)


    @property
    def build_key(self):
        """Configurations that differ only in call path or TF32 setting share one built layer and model."""
        return replace(self, call_path="layer", tf32=None)

    @property
    def matrix_keys(self) -> tuple[tuple, ...]:
        return ((self.cell, self.return_sequences, self.return_state, self.device),)

    def where(self) -> str:
        precision = "" if self.tf32 is None else f" with TF32 {'enabled' if self.tf32 else 'disabled'}"
        return f"on {self.device}{precision} via {self.call_path}"

    def describe(self) -> str:
        s = self.shape
        time = "None" if s.dynamic_time else s.timesteps
        return (
            f"{self.cell}(units={s.units}, {arguments_text(self.layer_arguments)}) {self.where()}, "
            f"{input_text(s)}, Input time dimension {time}"
        )


@dataclass(frozen=True)
class BidirectionalConfig(LayerConfig):
    """A recurrent layer's configuration, wrapped in `Bidirectional`. `options` are the wrapped layer's arguments."""

    merge_mode: str | None = "concat"
    backward_options: tuple[tuple[str, object], ...] | None = None  # arguments of a `backward_layer=`; None: none given
    masked: bool = False  # called with BATCH_MASK

    @property
    def backward_config(self) -> LayerConfig:
        """The configuration the backward direction computes with."""
        options = self.options if self.backward_options is None else self.backward_options
        return LayerConfig(self.cell, self.return_sequences, self.return_state, self.device, self.shape, options=options)

    def make_layer(self, **changed):
        backward = None
        if self.backward_options is not None:
            flags = {"return_sequences": self.return_sequences, "return_state": self.return_state}
            backward = recurrent_layer(self.cell, self.shape.units, go_backwards=True, **flags, **dict(self.backward_options))
        return installation.keras().layers.Bidirectional(
            recurrent_layer(self.cell, self.shape.units, **{**self.layer_arguments, **changed}),
            merge_mode=self.merge_mode, backward_layer=backward,
        )

    @property
    def seed_parts(self) -> tuple:
        return ("Bidirectional", self.cell, self.shape.name, self.options, self.backward_options)

    def parts(self, layer) -> tuple:
        return (layer.forward_layer, layer.backward_layer)

    @property
    def call_arguments(self) -> dict:
        return {"mask": BATCH_MASK} if self.masked else {}

    def describe(self) -> str:
        s = self.shape
        backward = "" if self.backward_options is None else f", backward_layer={self.cell}{dict(self.backward_options)}"
        mask = ", with a mask" if self.masked else ""
        return (
            f"Bidirectional({self.cell}(units={s.units}, {arguments_text(self.layer_arguments)}), "
            f"merge_mode={self.merge_mode!r}{backward}) {self.where()}{mask}, {input_text(s)}"
        )


@dataclass(frozen=True)
class DistributedShape:
    """The input of `TimeDistributed` around a recurrent layer: (batch, timesteps, inner_timesteps, features), each
    of the `timesteps` slices a sequence of `inner_timesteps` steps that the wrapped layer reads alone."""

    name: str
    batch: int
    timesteps: int
    inner_timesteps: int
    features: int
    units: int
    dynamic_time = False  # the one path's Input fixes the (outer) time dimension

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.timesteps, self.inner_timesteps, self.features)


# Every dimension differs from the others and from `units`, so that slices taken along the wrong axis, or a
# transposed output, cannot have the right shape.
DISTRIBUTED = DistributedShape("distributed", batch=3, timesteps=4, inner_timesteps=5, features=2, units=6)
# The documented mask of TimeDistributed, (batch, timesteps): one flag per slice, every sample with a masked slice
# and a valid one, the first slice masked in one sample and the last in another.
SLICE_MASK = np.array([[1, 1, 0, 1], [1, 0, 0, 0], [0, 1, 1, 1]], dtype=bool)
# A mask of each slice's own steps, (batch, timesteps, inner_timesteps), as a `Masking` layer before the wrapper
# gives it: each slice right-padded to a length of its own (1 to 5 steps), no two slices of a sample alike.
SLICE_LENGTHS = np.array([[5, 3, 1, 4], [2, 5, 4, 1], [3, 1, 5, 2]])
STEP_MASK = np.arange(DISTRIBUTED.inner_timesteps) < SLICE_LENGTHS[..., None]
DISTRIBUTED_MASKS = {"slices": SLICE_MASK, "steps": STEP_MASK}


@dataclass(frozen=True)
class TimeDistributedConfig(LayerConfig):
    """A recurrent layer's configuration, wrapped in `TimeDistributed` and called on a `DistributedShape` input,
    with a mask of DISTRIBUTED_MASKS when `masked` names one. `options` are the wrapped layer's arguments."""

    shape: DistributedShape = DISTRIBUTED
    masked: str | None = None  # "slices" (the documented (batch, timesteps) mask) or "steps"

    def make_layer(self, **changed):
        return installation.keras().layers.TimeDistributed(super().make_layer(**changed))

    @property
    def seed_parts(self) -> tuple:
        return ("TimeDistributed", self.cell, self.shape.name, self.options)

    def parts(self, layer) -> tuple:
        return (layer.layer,)

    @property
    def call_arguments(self) -> dict:
        return {} if self.masked is None else {"mask": DISTRIBUTED_MASKS[self.masked]}

    @property
    def build_key(self):
        return replace(self, call_path="layer", tf32=None, masked=None)

    def describe(self) -> str:
        mask = "" if self.masked is None else f", with a mask of {DISTRIBUTED_MASKS[self.masked].shape} ({self.masked})"
        return (
            f"TimeDistributed({self.cell}(units={self.shape.units}, {arguments_text(self.layer_arguments)})) "
            f"{self.where()}{mask}, input {self.shape.input_shape}"
        )


class Differentiated:
    """What every gradient subject returns (rnnspec.gradients): the gradients with respect to the inputs, each
    seeded initial state and each weight, then the values of the call they were taken from."""

    initial_state_names: tuple[str, ...]
    weight_names: tuple[str, ...]
    returns_states: bool

    def initial_state_argument(self, states: list) -> list:
        """The `initial_state` argument holding the states in `initial_state_names` order."""
        return list(states)

    def call_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """What the differentiated call is given of the subject's seeded inputs: all of them."""
        return inputs

    def before_the_call(self, layer) -> None:
        """What happens to the layer before the differentiated call: nothing."""

    @property
    def gradient_names(self) -> tuple[str, ...]:
        """What each gradient is with respect to, in order: the inputs, each initial state, each weight."""
        return ("inputs", *(f"initial {name}" for name in self.initial_state_names), *self.weight_names)

    @property
    def value_names(self) -> tuple[str, ...]:
        """What the differentiated call returned: the output, then the states where it returns them."""
        return ("output", *(self.initial_state_names if self.returns_states else ()))

    @property
    def returned_names(self) -> tuple[str, ...]:
        """The gradients, then the values they were taken from."""
        return (*self.gradient_names, *self.value_names)


@dataclass(frozen=True)
class GradientConfig(Differentiated, LayerConfig):
    """The gradient of a seeded loss over everything a recurrent layer returns (rnnspec.gradients), with respect
    to its inputs, its seeded initial states and its weights, by the backend's automatic differentiation of an
    eager call (`call_path="gradient"`), under a mask of `rnnspec.sequences.MASKS` when `mask` names one, called
    with `training=True` when `training` (where dropout applies); then what that call returned, from which the
    gradient was taken (in training, with the dropout masks the gradient shows)."""

    call_path: str = "gradient"
    mask: str | None = None
    training: bool = False
    # A stateful layer (`options` stateful=True), called once before on other seeded inputs: the differentiated
    # call starts from the states that call left, given no initial_state.
    after_a_previous_call: bool = False
    steps: int | None = None  # called on the first `steps` steps of its inputs alone; None: on all of them

    @property
    def initial_state_names(self) -> tuple[str, ...]:
        """The states given as `initial_state`, seeded, in the order the layer takes them."""
        return () if self.after_a_previous_call else self.state_names

    def call_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """What the differentiated call is given of the subject's seeded inputs."""
        return inputs[:, : self.steps]

    def before_the_call(self, layer) -> None:
        """After a previous call: from reset states, that call, as users make it (outside the differentiated one)."""
        if self.after_a_previous_call:
            from rnnspec.gradients import previous_call_inputs

            layer.reset_states()
            layer(previous_call_inputs(self))

    @property
    def initial_state_shapes(self) -> tuple[tuple[int, int], ...]:
        return ((self.shape.batch, self.shape.units),) * len(self.initial_state_names)

    @property
    def returns_states(self) -> bool:
        return self.return_state

    @property
    def call_arguments(self) -> dict:
        from rnnspec.sequences import MASKS

        mask = {} if self.mask is None else {"mask": MASKS[self.mask]}
        return {**mask, **({"training": True} if self.training else {})}

    @property
    def build_key(self) -> LayerConfig:
        return self.forward_layer

    def describe(self) -> str:
        mask = "" if self.mask is None else f", mask {self.mask}"
        training = ", training=True" if self.training else ""
        previous = ", after a previous call" if self.after_a_previous_call else ""
        steps = "" if self.steps is None else f", on its first {self.steps} steps alone"
        return f"the gradient of a seeded loss over {super().describe()}{mask}{training}{previous}{steps}"


@dataclass(frozen=True)
class TrainingConfig(LayerConfig):
    """Steps of plain SGD through Keras's own training loop (rnnspec.gradients.training_steps) on a model of the
    recurrent layer, with the seeded loss of `GradientConfig` over everything it returns: `call_path`
    "train_on_batch" (one step) or "fit" (TRAINING_STEPS epochs of one batch). What it returns: the weights after."""

    call_path: str = "train_on_batch"

    @property
    def returned_names(self) -> tuple[str, ...]:
        return self.weight_names

    @property
    def build_key(self) -> LayerConfig:
        return self.forward_layer  # its weights are put back after training

    def describe(self) -> str:
        return f"SGD steps on a model of {super().describe()}"


@dataclass(frozen=True)
class BidirectionalGradientConfig(GradientConfig, BidirectionalConfig):
    """The gradient of the seeded loss over everything `Bidirectional` returns: the merged output, then with
    return_state the forward direction's states and the backward's, each direction started from seeded states."""

    @property
    def initial_state_names(self) -> tuple[str, ...]:
        return tuple(f"{direction} {name}" for direction in ("forward", "backward") for name in self.state_names)

    @property
    def weight_names(self) -> tuple[str, ...]:
        """The forward layer's weights, then the backward layer's (the wrapper's `trainable_weights` order)."""
        return tuple(f"{direction} {name}" for direction in ("forward", "backward") for name in LayerConfig.weight_names.fget(self))

    @property
    def returned_shapes(self) -> tuple[tuple[int, ...], ...]:
        output, *states = LayerConfig.returned_shapes.fget(self)
        width = 2 * output[-1] if self.merge_mode == "concat" else output[-1]
        return ((*output[:-1], width), *states, *states)

    @property
    def build_key(self) -> BidirectionalConfig:
        return BidirectionalConfig(
            self.cell, self.return_sequences, self.return_state, self.device, self.shape, options=self.options,
            merge_mode=self.merge_mode,
        )


# In a stack the lower cell has 4 units and the upper 3, so that states out of order differ in shape too.
STACK_UNITS = (4, 3)


class RNNOverCells:
    """What StackConfig and CustomCellConfig share: `RNN(..., return_sequences=True, return_state=True)`, called
    with BATCH_MASK when `masked`, on a batch of any size."""

    call_path: str
    masked: bool

    fixes_batch = False

    @property
    def call_arguments(self) -> dict:
        return {"mask": BATCH_MASK} if self.masked else {}

    @property
    def build_key(self):
        return replace(self, call_path="layer", masked=False)


@dataclass(frozen=True)
class StackConfig(RNNOverCells):
    """`RNN([lower cell, upper cell], return_sequences=True, return_state=True)` on the `batch` shape."""

    cells: tuple[str, str]  # LSTM, GRU or SimpleRNN, whose cells are LSTMCell, GRUCell, SimpleRNNCell
    device: str
    call_path: str = "layer"
    masked: bool = False  # called with BATCH_MASK
    shape: Shape = SHAPES["batch"]

    def __str__(self) -> str:
        return "-".join((*self.cells, self.call_path, *(("masked",) if self.masked else ())))

    @property
    def returned_names(self) -> tuple[str, ...]:
        """The output, then each cell's states in the cells' order: the lower cell's h (, c), then the upper's."""
        return ("output", *(f"{name} of the {cell}Cell" for cell in self.cells for name in STATE_NAMES[cell]))

    def make_layer(self):
        cells = [recurrent_layer(f"{cell}Cell", units) for cell, units in zip(self.cells, STACK_UNITS)]
        return installation.keras().layers.RNN(cells, return_sequences=True, return_state=True)

    @property
    def seed_parts(self) -> tuple:
        return ("stack", self.cells)

    def parts(self, layer) -> tuple:
        return tuple(layer.cell.cells)

    @property
    def matrix_keys(self) -> tuple[tuple, ...]:
        return tuple((cell, True, True, self.device) for cell in self.cells)

    def describe(self) -> str:
        cells = ", ".join(f"{cell}Cell({units})" for cell, units in zip(self.cells, STACK_UNITS))
        mask = ", with a mask" if self.masked else ""
        return (
            f"RNN([{cells}], return_sequences=True, return_state=True) on {self.device} via {self.call_path}{mask}, "
            f"{input_text(self.shape)}"
        )


@dataclass(frozen=True)
class StackGradientConfig(Differentiated, StackConfig):
    """The gradient of the seeded loss over everything an RNN over stacked cells returns (the upper cell's output
    sequence, then each cell's states, the lower cell's first), with respect to its inputs, each cell's seeded
    initial states and every weight; then what that call returned. Called with BATCH_MASK when `masked`."""

    call_path: str = "gradient"
    returns_states = True

    @property
    def units(self) -> dict[str, int]:
        return {f"{cell}Cell": units for cell, units in zip(self.cells, STACK_UNITS)}

    @property
    def initial_state_names(self) -> tuple[str, ...]:
        return tuple(f"{cell} {name}" for cell in self.units for name in STATE_NAMES[cell.removesuffix("Cell")])

    @property
    def initial_state_shapes(self) -> tuple[tuple[int, int], ...]:
        return tuple((self.shape.batch, self.units[name.split()[0]]) for name in self.initial_state_names)

    def initial_state_argument(self, states: list) -> list:
        """One list of states per cell, the lower cell's first, as `RNN` over stacked cells takes them."""
        states, nested = list(states), []
        for cell in self.cells:
            count = len(STATE_NAMES[cell])
            nested.append(states[:count])
            states = states[count:]
        return nested

    @property
    def weight_names(self) -> tuple[str, ...]:
        return tuple(f"{cell} {name}" for cell in self.units for name in ("kernel", "recurrent_kernel", "bias"))

    @property
    def returned_shapes(self) -> tuple[tuple[int, ...], ...]:
        s = self.shape
        return ((s.batch, s.timesteps, STACK_UNITS[-1]), *self.initial_state_shapes)

    @property
    def build_key(self) -> StackConfig:
        return StackConfig(self.cells, self.device)

    def describe(self) -> str:
        return f"the gradient of a seeded loss over {super().describe()}"


@dataclass(frozen=True)
class CustomCellConfig(RNNOverCells):
    """`RNN(cell, return_sequences=True, return_state=True)` over a cell written by a user (rnnspec.custom_cells):
    "WideOutputCell", a Keras layer, or "PlainCell", a plain class."""

    cell: str
    device: str
    call_path: str = "layer"
    masked: bool = False  # called with BATCH_MASK
    shape: Shape = SHAPES["batch"]

    def make_layer(self):
        from rnnspec import custom_cells, data

        s = self.shape
        if self.cell == "PlainCell":  # not a Keras layer, so it holds its weights from the start
            kernel, recurrent_kernel = data.distinct_weights(custom_cells.weight_shapes(s.features, s.units), self.seed)
            cell = custom_cells.PlainCell(kernel, recurrent_kernel)
        else:
            cell = custom_cells.wide_output_cell_class()(s.units)
        return installation.keras().layers.RNN(cell, return_sequences=True, return_state=True)

    @property
    def seed(self) -> int:
        from rnnspec import data

        return data.seed_for(*self.seed_parts)

    @property
    def seed_parts(self) -> tuple:
        return ("custom cell", self.shape.features, self.shape.units)

    def parts(self, layer) -> tuple:
        return (layer.cell,)

    @property
    def matrix_keys(self) -> tuple[tuple, ...]:
        return ((self.cell, True, True, self.device),)

    def describe(self) -> str:
        mask = ", with a mask" if self.masked else ""
        return (
            f"RNN({self.cell}({self.shape.units}), return_sequences=True, return_state=True) on {self.device} via "
            f"{self.call_path}{mask}, {input_text(self.shape)}"
        )


def layer_configuration(layer) -> dict:
    """A layer's arguments as `get_config` reports them, with `use_cudnn`, which Keras 3 keeps out of the config."""
    found = layer.get_config()
    if hasattr(layer, "use_cudnn"):
        found["use_cudnn"] = layer.use_cudnn
    return found


# The convolutional LSTM (ConvLSTM1D, 2D, 3D) of each rank: its inputs' spatial dimensions and its kernel size.
# Every spatial dimension, kernel extent, channel count and filter count differs from the others, so that a
# transposed axis or a misplaced weight cannot produce the right shape; even kernel extents make "same" padding
# uneven, so that padding placed on the wrong side shows.
CONV_RANKS = (1, 2, 3)
CONV_SPATIAL = {1: (7,), 2: (7, 5), 3: (5, 6, 4)}
CONV_KERNEL_SIZE = {1: (3,), 2: (3, 2), 3: (2, 3, 2)}
CONV_BATCH, CONV_TIMESTEPS, CONV_CHANNELS, CONV_FILTERS = 2, 4, 2, 3
PADDINGS = ("valid", "same")
DATA_FORMATS = ("channels_last", "channels_first")


@dataclass(frozen=True)
class ConvShape:
    """The input of a convolutional recurrent layer: (batch, timesteps, *spatial, channels) with `channels_first`
    False, (batch, timesteps, channels, *spatial) with it."""

    batch: int
    timesteps: int
    spatial: tuple[int, ...]
    channels: int
    channels_first: bool = False
    dynamic_time = False  # the one path's Input fixes the time dimension

    @property
    def input_shape(self) -> tuple[int, ...]:
        step = (self.channels, *self.spatial) if self.channels_first else (*self.spatial, self.channels)
        return (self.batch, self.timesteps, *step)


@dataclass(frozen=True)
class ConvLSTMConfig(OneRecurrentLayer):
    """ConvLSTM1D, 2D or 3D (`rank`) with CONV_FILTERS filters of CONV_KERNEL_SIZE, its output flags, its
    convolution's padding, strides and data_format, and further arguments (go_backwards, stateful, dropout, ...)."""

    rank: int
    return_sequences: bool
    return_state: bool
    device: str
    call_path: str = "layer"
    padding: str = "valid"
    strides: int = 1
    data_format: str = "channels_last"
    options: tuple[tuple[str, object], ...] = ()  # sorted (name, value) pairs, to stay hashable

    state_names = ("h", "c")

    @property
    def cell(self) -> str:
        """The layer's class name, where the behaviour matrix and failure messages name a cell."""
        return f"ConvLSTM{self.rank}D"

    @property
    def kernel_size(self) -> tuple[int, ...]:
        return CONV_KERNEL_SIZE[self.rank]

    @property
    def shape(self) -> ConvShape:
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
    def returned_names(self) -> tuple[str, ...]:
        return ("output", *self.state_names)

    def make_layer(self, **changed):
        layer = getattr(installation.keras().layers, self.cell)
        return layer(CONV_FILTERS, **{**self.layer_arguments, **changed})

    @property
    def seed_parts(self) -> tuple:
        return (self.cell, self.padding, self.strides, self.data_format, self.options)


    @property
    def build_key(self) -> "ConvLSTMConfig":
        return replace(self, call_path="layer")

    @property
    def matrix_keys(self) -> tuple[tuple, ...]:
        return ((self.cell, self.return_sequences, self.return_state, self.device),)

    def describe(self) -> str:
        return (
            f"{self.cell}(filters={CONV_FILTERS}, {arguments_text(self.layer_arguments)}) on {self.device} via "
            f"{self.call_path}, input {self.shape.input_shape}"
        )


@dataclass(frozen=True)
class ConvLSTMTrainingConfig(ConvLSTMConfig):
    """A step of plain SGD through Keras's own training loop (rnnspec.gradients.training_steps, as `TrainingConfig`)
    on a model of the ConvLSTM, with the seeded loss over everything it returns. What it returns: the weights after."""

    call_path: str = "train_on_batch"

    @property
    def weight_names(self) -> tuple[str, ...]:
        return ("kernel", "recurrent_kernel", *(("bias",) if dict(self.options).get("use_bias", True) else ()))

    @property
    def returned_names(self) -> tuple[str, ...]:
        return self.weight_names

    @property
    def returned_shapes(self) -> tuple[tuple[int, ...], ...]:
        """What the layer's call returns (the seeded loss's cotangents): one step is the filters over the spatial
        sizes the input convolution leaves (the reference's), the output a step or a sequence of them."""
        from rnnspec.reference_convlstm import (
            output_size,  # the reference imports this module
        )

        dilation = dict(self.options).get("dilation_rate", 1)
        sizes = tuple(
            output_size(n, k, self.strides, self.padding, dilation)[0]
            for n, k in zip(self.shape.spatial, self.kernel_size)
        )
        step = (CONV_FILTERS, *sizes) if self.data_format == "channels_first" else (*sizes, CONV_FILTERS)
        output = (self.shape.batch, self.shape.timesteps, *step) if self.return_sequences else (self.shape.batch, *step)
        return (output, *([(self.shape.batch, *step)] * 2 if self.return_state else []))

    @property
    def build_key(self) -> ConvLSTMConfig:
        return ConvLSTMConfig(
            self.rank, self.return_sequences, self.return_state, self.device, padding=self.padding,
            strides=self.strides, data_format=self.data_format, options=self.options,
        )

    def describe(self) -> str:
        return f"an SGD step on a model of {super().describe()}"
