"""Recurrent layers built from other layers: `Bidirectional` around a recurrent layer, `RNN` over a stack of cells,
and `RNN` over a cell written by a user. Each is built with seeded, distinct weights like a plain layer, and the
NumPy reference says what it must return.
"""

from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from rnnspec import data, installation, kernels, reference
from rnnspec.configs import SHAPES, LayerConfig
from rnnspec.observe import Observation, as_tuple, flatten
from rnnspec.oracle import cell_spec, layer_weights, weight_dict

MERGE_MODES = ("concat", "sum", "mul", "ave", None)

# Samples of 6 steps: all valid, valid then padding, padding then valid. Padded steps keep their random inputs, so
# that only the mask can make them count for nothing.
MASK = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1]], dtype=bool)


@dataclass(frozen=True)
class BidirectionalConfig(LayerConfig):
    """A recurrent layer's configuration, wrapped in `Bidirectional`. `options` are the wrapped layer's arguments."""

    merge_mode: str | None = "concat"
    backward_options: tuple[tuple[str, object], ...] | None = None  # arguments of a `backward_layer=`; None: none given
    masked: bool = False  # called with MASK

    @property
    def backward_config(self) -> LayerConfig:
        """The configuration the backward direction computes with."""
        return self if self.backward_options is None else replace(self, options=self.backward_options)

    def describe(self) -> str:
        s = self.shape
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.layer_arguments.items())
        backward = "" if self.backward_options is None else f", backward_layer={self.cell}{dict(self.backward_options)}"
        mask = ", with a mask" if self.masked else ""
        return (
            f"Bidirectional({self.cell}(units={s.units}, {arguments}), merge_mode={self.merge_mode!r}{backward}) "
            f"on {self.device} via {self.call_path}{mask}, input (batch={s.batch}, timesteps={s.timesteps}, "
            f"features={s.features})"
        )


@dataclass(frozen=True)
class BidirectionalObservation(Observation):
    forward_weights: dict = field(default_factory=dict)  # by weight name, as the direction holds them
    backward_weights: dict = field(default_factory=dict)


def configuration(layer) -> dict:
    """A layer's arguments as `get_config` reports them, with `use_cudnn`, which Keras 3 keeps out of the config."""
    found = layer.get_config()
    if hasattr(layer, "use_cudnn"):
        found["use_cudnn"] = layer.use_cudnn
    return found


@dataclass(frozen=True)
class Described:
    """What the assertion helpers name in a failure message, for runs that no configuration describes."""

    text: str

    def describe(self) -> str:
        return f"{self.text}, {installation.current().describe()}"


def recurrent_layer(cell: str, units: int, **arguments):
    return getattr(installation.keras().layers, cell)(units, **arguments)


def build_bidirectional(config: BidirectionalConfig):
    """The wrapper with distinct seeded weights in both directions, and the seeded inputs."""
    keras = installation.keras()
    s = config.shape
    backward = None
    if config.backward_options is not None:
        flags = {"return_sequences": config.return_sequences, "return_state": config.return_state}
        backward = recurrent_layer(config.cell, s.units, go_backwards=True, **flags, **dict(config.backward_options))
    layer = keras.layers.Bidirectional(
        recurrent_layer(config.cell, s.units, **config.layer_arguments), merge_mode=config.merge_mode,
        backward_layer=backward,
    )
    layer.build((None, s.timesteps, s.features))
    seed = data.seed_for("Bidirectional", config.cell, s.name, config.options, config.backward_options)
    directions = (layer.forward_layer, layer.backward_layer)
    values = data.distinct_weights([(w.name, tuple(w.shape)) for d in directions for w in d.weights], seed)
    split = len(layer.forward_layer.weights)
    layer.forward_layer.set_weights(values[:split])
    layer.backward_layer.set_weights(values[split:])
    return layer, data.inputs(s.input_shape, seed)


def functional_model(layer, shape):
    keras = installation.keras()
    inputs = keras.Input(shape=(None if shape.dynamic_time else shape.timesteps, shape.features))
    return keras.Model(inputs, layer(inputs))


def observe_bidirectional(config: BidirectionalConfig) -> BidirectionalObservation:
    """Build the configuration and call it along its call path: the layer eagerly, or a functional model around
    it (whose symbolic output shapes are then recorded)."""
    with installation.on_device(config.device):
        layer, inputs = build_bidirectional(config)
        model = functional_model(layer, config.shape) if config.call_path == "model" else None
        with kernels.recording(installation.current().backend) as record:
            if model is not None:
                returned = model(inputs)
            else:
                returned = layer(inputs, mask=MASK) if config.masked else layer(inputs)
    symbolic_shapes = () if model is None else tuple(tuple(t.shape) for t in model.outputs)
    flat = flatten(returned)
    return BidirectionalObservation(
        config=config,
        kernel=record.kernel,
        arrays=tuple(np.asarray(installation.to_numpy(t)) for t in flat),
        container=type(returned),
        dtypes=tuple(installation.dtype_name(t) for t in flat),
        inputs=inputs,
        weights=tuple(layer.get_weights()),
        weight_names=tuple(w.name for w in layer.weights),
        computed_shapes=as_tuple(layer.compute_output_shape(inputs.shape)),
        symbolic_shapes=symbolic_shapes,
        forward_weights=layer_weights(layer.forward_layer),
        backward_weights=layer_weights(layer.backward_layer),
    )


def expected_bidirectional(observation: BidirectionalObservation) -> tuple[np.ndarray, ...]:
    """What the wrapper should return, in float64: the output (two with merge_mode=None), then with return_state
    the forward states, then the backward states. With return_sequences a masked step outputs zeros: the wrapper
    documents that it sets zero_output_for_mask to return_sequences."""
    config = observation.config
    merged, forward_states, backward_states = reference.bidirectional(
        cell_spec(config), observation.forward_weights, cell_spec(config.backward_config),
        observation.backward_weights, observation.inputs, merge_mode=config.merge_mode,
        return_sequences=config.return_sequences, mask=MASK if config.masked else None,
        zero_output_for_mask=config.return_sequences,
    )
    outputs = tuple(merged) if config.merge_mode is None else (merged,)
    if not config.return_state:
        return outputs
    return (*outputs, *forward_states, *backward_states)


# The shape stacks and custom cells run on. In a stack the lower cell has 4 units and the upper 3, so that states out
# of order differ in shape too.
SHAPE = SHAPES["batch"]
STACK_UNITS = (4, 3)


@dataclass(frozen=True)
class StackConfig:
    cells: tuple[str, str]  # lower, upper: LSTM, GRU or SimpleRNN, whose cells are LSTMCell, GRUCell, SimpleRNNCell
    device: str
    call_path: str = "layer"
    masked: bool = False

    def __str__(self) -> str:
        return "-".join((*self.cells, self.call_path, *(("masked",) if self.masked else ())))

    def describe(self) -> str:
        cells = ", ".join(f"{cell}Cell({units})" for cell, units in zip(self.cells, STACK_UNITS))
        mask = ", with a mask" if self.masked else ""
        s = SHAPE
        return (
            f"RNN([{cells}], return_sequences=True, return_state=True) on {self.device} via {self.call_path}{mask}, "
            f"input (batch={s.batch}, timesteps={s.timesteps}, features={s.features}), "
            f"{installation.current().describe()}"
        )


@dataclass(frozen=True)
class StackRun:
    """What an RNN over a stack of cells returned, as it came (nested), and the weights its cells computed with."""

    config: StackConfig
    returned: object  # the call's structure, tensors converted to NumPy
    inputs: np.ndarray
    cell_weights: tuple[dict, ...]

    def describe(self) -> str:
        return self.config.describe()


def to_numpy_nested(returned):
    if isinstance(returned, (tuple, list)):
        # Keras 2 returns list subclasses (TensorFlow's ListWrapper), which cannot be built from a generator.
        return (tuple if isinstance(returned, tuple) else list)(to_numpy_nested(part) for part in returned)
    return np.asarray(installation.to_numpy(returned))


def run_stack(config: StackConfig) -> StackRun:
    keras = installation.keras()
    s = SHAPE
    with installation.on_device(config.device):
        cells = [getattr(keras.layers, f"{cell}Cell")(units) for cell, units in zip(config.cells, STACK_UNITS)]
        layer = keras.layers.RNN(cells, return_sequences=True, return_state=True)
        layer.build((None, s.timesteps, s.features))
        seed = data.seed_for("stack", config.cells)
        values = data.distinct_weights([(w.name, tuple(w.shape)) for c in cells for w in c.weights], seed)
        weights = []
        for cell in cells:
            mine, values = values[: len(cell.weights)], values[len(cell.weights) :]
            cell.set_weights(mine)
            weights.append(weight_dict([w.name for w in cell.weights], mine))
        inputs = data.inputs(s.input_shape, seed)
        if config.call_path == "model":
            returned = functional_model(layer, s)(inputs)
        else:
            returned = layer(inputs, mask=MASK) if config.masked else layer(inputs)
    return StackRun(config, to_numpy_nested(returned), inputs, tuple(weights))


def expected_stack(run: StackRun) -> tuple[np.ndarray, list[list[np.ndarray]]]:
    """(output sequence, states of each cell in cell order), in float64: a stack of cells computes what the same
    cells do as layers stacked one on the other, the upper one reading the lower one's output sequence."""
    sequence, states = run.inputs, []
    mask = MASK if run.config.masked else None
    for cell, units, weights in zip(run.config.cells, STACK_UNITS, run.cell_weights):
        sequence, final = reference.run_sequence(reference.CellSpec(cell, units), weights, sequence, mask=mask)
        states.append(final)
    return sequence, states


@cache
def wide_output_cell_class():
    """A cell written by a user: one state h' = tanh(x K + h U), and an output twice as wide as its state, the new
    state beside the step's input projection [h', x K]. A masked step's output thus tells the previous output, the
    state and a freshly computed output apart."""
    keras = installation.keras()

    class WideOutputCell(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units
            self.output_size = 2 * units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")
            self.built = True  # Keras 2 sets it only in Layer.build: without it, RNN would build the cell again

        def call(self, inputs, states):
            ops = installation.ops()
            projection = ops.matmul(inputs, self.kernel)
            h = ops.tanh(projection + ops.matmul(states[0], self.recurrent_kernel))
            return ops.concatenate([h, projection], axis=-1), [h]

    return WideOutputCell


class PlainCell:
    """A cell that is not a Keras layer, as the RNN page describes one: a `call(input_at_t, states_at_t)` method
    returning (output, new states), and `state_size`. It computes h' = tanh(x K + h U) and outputs h'."""

    def __init__(self, kernel: np.ndarray, recurrent_kernel: np.ndarray):
        self.kernel, self.recurrent_kernel = kernel, recurrent_kernel
        self.state_size = self.output_size = recurrent_kernel.shape[0]

    def call(self, inputs, states):
        ops = installation.ops()
        h = ops.tanh(ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel))
        return h, [h]


def wide_output_cell_reference(kernel, recurrent_kernel, x, mask=None) -> tuple[np.ndarray, np.ndarray]:
    """(outputs (batch, timesteps, 2 units), final h) of WideOutputCell in float64. At a masked step the state is
    held and the output repeats the previous step's output (zeros before the first valid step), as `RNN` documents
    for `zero_output_for_mask=False`."""
    kernel, recurrent_kernel, x = (np.asarray(a, dtype=np.float64) for a in (kernel, recurrent_kernel, x))
    batch, steps, _ = x.shape
    h = np.zeros((batch, recurrent_kernel.shape[0]))
    previous = np.zeros((batch, 2 * recurrent_kernel.shape[0]))
    outputs = np.zeros((batch, steps, previous.shape[1]))
    for t in range(steps):
        projection = x[:, t] @ kernel
        new_h = np.tanh(projection + h @ recurrent_kernel)
        output = np.concatenate([new_h, projection], axis=-1)
        if mask is not None:
            valid = mask[:, t][:, None]
            output, new_h = np.where(valid, output, previous), np.where(valid, new_h, h)
        outputs[:, t], previous, h = output, output, new_h
    return outputs, h


@dataclass(frozen=True)
class CellRun:
    """What an RNN over a custom cell returned (output, final h), the cell's weights (K, U) and the inputs."""

    description: str
    arrays: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, np.ndarray]
    inputs: np.ndarray

    def describe(self) -> str:
        return f"{self.description}, {installation.current().describe()}"


def custom_cell_weights_and_inputs(features: int, units: int):
    seed = data.seed_for("custom cell", features, units)
    named = [("kernel", (features, units)), ("recurrent_kernel", (units, units))]
    return tuple(data.distinct_weights(named, seed)), data.inputs(SHAPE.input_shape, seed)


def run_cell(cell, description: str, weights, inputs, device: str, masked: bool) -> CellRun:
    layer = installation.keras().layers.RNN(cell, return_sequences=True, return_state=True)
    with installation.on_device(device):
        returned = layer(inputs, mask=MASK) if masked else layer(inputs)
    mask = ", with a mask" if masked else ""
    arrays = tuple(np.asarray(installation.to_numpy(t)) for t in flatten(returned))
    described = f"RNN({description}, return_sequences=True, return_state=True) on {device}{mask}"
    return CellRun(described, arrays, weights, inputs)


def run_wide_output_cell(device: str, masked: bool = False) -> CellRun:
    s = SHAPE
    weights, inputs = custom_cell_weights_and_inputs(s.features, s.units)
    with installation.on_device(device):
        cell = wide_output_cell_class()(s.units)
        cell.build((None, s.features))
        cell.set_weights(list(weights))
    return run_cell(cell, f"WideOutputCell({s.units})", weights, inputs, device, masked)


def run_plain_cell(device: str) -> CellRun:
    s = SHAPE
    weights, inputs = custom_cell_weights_and_inputs(s.features, s.units)
    return run_cell(PlainCell(*weights), f"PlainCell({s.units})", weights, inputs, device, masked=False)
