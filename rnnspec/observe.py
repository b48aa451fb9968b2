"""Build a configuration's layer and model once, run it along a call path, and keep what came back.

Building is what costs (tenths of a second per model on TensorFlow), so an `ObservationCache` builds each
layer and model once per session and every spec statement reads the same `Observation`.
"""

from dataclasses import dataclass, field

import numpy as np

from rnnspec import data, installation, kernels
from rnnspec.configs import LayerConfig


@dataclass(frozen=True)
class Returned:
    """What one call of a configuration's layer returned, as NumPy arrays: the output, then the states."""

    config: LayerConfig
    arrays: tuple[np.ndarray, ...]
    note: str = ""  # what the call was given beyond the inputs, e.g. a mask
    kernel: str = kernels.UNDETERMINED  # which kernel ran, as recorded by rnnspec.kernels

    @property
    def output(self) -> np.ndarray:
        return self.arrays[0]

    @property
    def states(self) -> tuple[np.ndarray, ...]:
        return self.arrays[1:]

    @property
    def state(self) -> dict[str, np.ndarray]:
        return dict(zip(self.config.state_names, self.states))

    def describe(self) -> str:
        note = f", {self.note}" if self.note else ""
        return f"{self.config.describe()}{note}, {self.kernel} kernel, {installation.current().describe()}"


@dataclass(frozen=True)
class Observation(Returned):
    """What a layer returned for its configuration's own inputs and call path, with everything about the call
    that the statements check: the structure it came in, dtypes, weights, and the shapes Keras predicted."""

    container: type = tuple  # the Python type of what the call returned: a tensor type, tuple or list
    dtypes: tuple[str, ...] = ()
    inputs: np.ndarray | None = None
    weights: tuple[np.ndarray, ...] = ()  # in the layer's `weights` order
    weight_names: tuple[str, ...] = ()
    computed_shapes: tuple = ()  # layer.compute_output_shape on the input's shape
    symbolic_shapes: tuple = ()  # shapes of the functional model's symbolic outputs


def as_tuple(shape_or_shapes) -> tuple:
    """compute_output_shape returns a shape or a structure of shapes (tuples in Keras 3, TensorShapes in Keras 2);
    make both a tuple of tuples."""
    shapes = list(shape_or_shapes)
    if shapes and not isinstance(shapes[0], (int, type(None))):
        return tuple(tuple(s) for s in shapes)
    return (tuple(shapes),)


@dataclass
class Built:
    layer: object
    model: object
    inputs: np.ndarray


def build(config: LayerConfig) -> Built:
    """The layer, a functional model around it, and seeded inputs; weights set to distinct seeded values."""
    keras = installation.keras()
    shape = config.shape
    layer = getattr(keras.layers, config.cell)(shape.units, **config.layer_arguments)
    time = None if shape.dynamic_time else shape.timesteps
    # A stateful layer keeps one state per sample, so its model must fix the batch size.
    batch = shape.batch if dict(config.options).get("stateful") else None
    inputs = keras.Input(batch_shape=(batch, time, shape.features))
    model = keras.Model(inputs, layer(inputs))
    seed = data.seed_for(config.cell, shape.name, config.options)
    named_shapes = [(w.name, tuple(w.shape)) for w in layer.weights]
    layer.set_weights(data.distinct_weights(named_shapes, seed))
    return Built(layer, model, data.inputs(shape.input_shape, seed))


CALLERS = {
    "layer": lambda built: built.layer(built.inputs),
    "model": lambda built: built.model(built.inputs),
    "predict": lambda built: built.model.predict(built.inputs, batch_size=len(built.inputs), verbose=0),
}


def twin(config: LayerConfig, built: Built, **arguments):
    """A layer like the configuration's, with some arguments changed, holding the very same weights."""
    with installation.on_device(config.device):
        layer = getattr(installation.keras().layers, config.cell)(
            config.shape.units, **{**config.layer_arguments, **arguments}
        )
        layer.build(built.inputs.shape)
        layer.set_weights(built.layer.get_weights())
    return layer


def flatten(returned) -> tuple:
    return tuple(returned) if isinstance(returned, (tuple, list)) else (returned,)


def call(config: LayerConfig, layer, inputs, note="", **arguments) -> Returned:
    """Call `layer` eagerly on the configuration's device with further call arguments (mask, initial_state)."""
    with installation.on_device(config.device), kernels.recording(installation.current().backend) as record:
        returned = layer(inputs, **arguments)
    arrays = tuple(np.asarray(installation.to_numpy(t)) for t in flatten(returned))
    return Returned(config, arrays, note, record.kernel)


def observe(config: LayerConfig, built: Built) -> Observation:
    with (
        installation.on_device(config.device),
        installation.tf32(config.tf32),
        kernels.recording(installation.current().backend) as record,
    ):
        returned = CALLERS[config.call_path](built)
    flat = flatten(returned)
    layer = built.layer
    return Observation(
        config=config,
        kernel=record.kernel,
        container=type(returned),
        arrays=tuple(np.asarray(installation.to_numpy(t)) for t in flat),
        dtypes=tuple(installation.dtype_name(t) for t in flat),
        inputs=built.inputs,
        weights=tuple(layer.get_weights()),
        weight_names=tuple(w.name for w in layer.weights),
        computed_shapes=as_tuple(layer.compute_output_shape(built.inputs.shape)),
        symbolic_shapes=tuple(tuple(t.shape) for t in built.model.outputs),
    )


def observe_fresh(config: LayerConfig) -> Observation:
    """Build and observe without the cache: for layers patched by a meta-test, which must not be cached."""
    with installation.on_device(config.device):
        return observe(config, build(config))


@dataclass
class ObservationCache:
    """Builds each layer and model once per process and each observation once."""

    built: dict = field(default_factory=dict)
    observed: dict = field(default_factory=dict)

    def built_for(self, config: LayerConfig) -> Built:
        key = config.model_key
        if key not in self.built:
            with installation.on_device(config.device):
                self.built[key] = build(key)
        return self.built[key]

    def get(self, config: LayerConfig) -> Observation:
        if config not in self.observed:
            self.observed[config] = observe(config, self.built_for(config))
        return self.observed[config]
