"""The one path from a subject (rnnspec.subjects.layers) to what it returned: build its layer and a functional model once,
call it along its call path on its device with the kernel recorded, and keep the result as NumPy arrays.

Building is what costs (tenths of a second per model on TensorFlow), so the `ObservationCache` builds each subject
once per session (subjects that differ only in their probe share the build, `Subject.built`) and observes it once; every statement reads
the same `Observation`. Statements that call the built layer with arguments of their own (masks, initial states,
`training`) go through `call`, which records the same way.
"""

from contextlib import ExitStack
from dataclasses import dataclass, field, replace

import numpy as np

from rnnspec import installation
from rnnspec.probes import backend_parity, compiled, exported, gradients, kernels
from rnnspec.probes.compiled import leaves
from rnnspec.subjects import seeded
from rnnspec.subjects.calls import Gradient, TrainingSteps
from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.subject import Subject


@dataclass(frozen=True)
class Returned:
    """What one call of a subject's layer returned, as NumPy arrays: the output(s), then the states, flattened."""

    subject: Subject
    arrays: tuple[np.ndarray, ...]
    note: str = ""  # what the call was given beyond the inputs, e.g. a mask
    kernel: str = kernels.UNDETERMINED  # which kernel ran, as recorded by rnnspec.probes.kernels
    compilation: str = compiled.UNDETERMINED  # how the recurrent loop ran (eagerly, traced, compiled): rnnspec.probes.compiled
    structure: object = None  # what the call returned as it came (nested tuples and lists), tensors as NumPy
    container: type = tuple  # the Python type of what the call returned: a tensor type, tuple or list
    dtypes: tuple[str, ...] = ()

    @property
    def output(self) -> np.ndarray:
        return self.arrays[0]

    @property
    def states(self) -> tuple[np.ndarray, ...]:
        return self.arrays[1:]

    @property
    def names(self) -> tuple[str, ...]:
        """What each returned array is, as its subject names them (a recurrent layer: output, h (, c))."""
        return self.subject.returned_names[: len(self.arrays)]

    @property
    def state(self) -> dict[str, np.ndarray]:
        return dict(zip(self.subject.state_names, self.states))

    def describe(self) -> str:
        note = f", {self.note}" if self.note else ""
        return (
            f"{self.subject.describe()}{note}, {self.kernel} kernel, loop run {self.compilation}, "
            f"{installation.current().describe()}"
        )


@dataclass(frozen=True)
class Observation(Returned):
    """What a subject returned for its own inputs and call path, with everything about the call that the
    statements check: weights, and the shapes Keras predicted."""

    inputs: np.ndarray | None = None
    weights: tuple[np.ndarray, ...] = ()  # in the layer's `weights` order
    weight_names: tuple[str, ...] = ()
    parts: tuple[dict, ...] = ()  # the weights by name of each of the subject's parts (the layer, directions, cells)
    computed_shapes: tuple = ()  # compute_output_shape on the input's shape, flattened
    symbolic_shapes: tuple = ()  # shapes of the functional model's symbolic outputs


@dataclass
class Built:
    subject: Subject
    layer: object
    model: object
    inputs: np.ndarray


def weight_name(name: str) -> str:
    """Keras 3 names weights `kernel`; Keras 2 names them `lstm/lstm_cell/kernel:0`."""
    return name.split("/")[-1].split(":")[0]


def layer_weights(layer) -> dict:
    """A layer's (or a plain cell's) weights by name, as the NumPy reference takes them."""
    if not hasattr(layer, "get_weights"):
        return layer.named_weights
    return {weight_name(w.name): value for w, value in zip(layer.weights, layer.get_weights())}


def build(subject: Subject) -> Built:
    """The subject's layer inside a functional model, with distinct seeded weights, and its seeded inputs."""
    keras = installation.keras()
    shape = subject.shape
    seed = seeded.seed_for(*subject.seed_parts)
    with installation.on_device(subject.device):
        layer = subject.make_layer()
        time = None if shape.dynamic_time else shape.timesteps
        step = shape.input_shape[2:]  # (features,), or a convolutional layer's spatial dimensions and channels
        inputs = keras.Input(batch_shape=(shape.batch if subject.fixes_batch else None, time, *step))
        model = keras.Model(inputs, layer(inputs))
        if layer.weights:  # a plain-class cell holds its weights itself
            seeded.give_distinct_weights(layer, seed)
    return Built(subject, layer, model, seeded.inputs(shape.input_shape, seed))


def twin(built: Built, **arguments):
    """A layer like the subject's, with some arguments changed, holding the very same weights."""
    with installation.on_device(built.subject.device):
        layer = built.subject.make_layer(**arguments)
        layer.build(built.inputs.shape)
        layer.set_weights(built.layer.get_weights())
    return layer


def to_numpy_nested(returned):
    if isinstance(returned, (tuple, list)):
        # Keras 2 returns list subclasses (TensorFlow's ListWrapper), which cannot be built from a generator.
        return (tuple if isinstance(returned, tuple) else list)(to_numpy_nested(part) for part in returned)
    return np.asarray(installation.to_numpy(returned))


def shape_leaves(shapes) -> tuple[tuple, ...]:
    """compute_output_shape returns a shape or a structure of shapes (tuples in Keras 3, TensorShapes in Keras 2);
    make it a flat tuple of tuples."""
    if hasattr(shapes, "as_list"):
        shapes = shapes.as_list()
    shapes = list(shapes)
    if all(isinstance(d, (int, type(None))) for d in shapes):
        return (tuple(shapes),)
    return tuple(leaf for part in shapes for leaf in shape_leaves(part))


def recorded_call(subject: Subject, function, note: str = "", tf32=None) -> Returned:
    """Run `function()` on the subject's device (and TF32 setting), record the kernel, keep what it returned."""
    with ExitStack() as scope:
        scope.enter_context(installation.on_device(subject.device))
        scope.enter_context(installation.tf32(tf32))
        backend = installation.current().backend
        record = scope.enter_context(kernels.recording(backend))
        compilation = scope.enter_context(compiled.recording(backend))
        returned = function()
    flat = leaves(returned)
    return Returned(
        subject=subject,
        arrays=tuple(np.asarray(installation.to_numpy(t)) for t in flat),
        note=note,
        kernel=record.kernel,
        compilation=compilation.context,
        structure=to_numpy_nested(returned),
        container=type(returned),
        dtypes=tuple(installation.dtype_name(t) for t in flat),
    )


def call(subject: Subject, layer, inputs, note="", **arguments) -> Returned:
    """Call `layer` on the subject's device with further call arguments (mask, initial_state, training): eagerly, or
    through the backend's compiler where the subject's call path is `compiled_function`."""
    if getattr(subject.probe, "call_path", None) == compiled.COMPILED_FUNCTION:
        return recorded_call(subject, lambda: compiled.compiled_call(layer, inputs, **arguments), note)
    return recorded_call(subject, lambda: layer(inputs, **arguments), note)


# How each call path (rnnspec.subjects.calls.CALL_PATHS and the others) calls a built subject.
CALLERS = {
    "layer": lambda built: built.layer(built.inputs, **built.subject.call_arguments),
    "model": lambda built: built.model(built.inputs),
    "predict": lambda built: built.model.predict(built.inputs, batch_size=len(built.inputs), verbose=0),
    compiled.PREDICT_JIT_COMPILE: lambda built: compiled.predict_jit_compile(built.layer, built.model, built.inputs),
    compiled.COMPILED_FUNCTION: lambda built: compiled.compiled_call(
        built.layer, built.inputs, **built.subject.call_arguments
    ),
    # Chapter 14: the model exported to each format and run by that format's runtime (rnnspec.probes.exported).
    **{
        format: lambda built, format=format: exported.run_exported(built.model, built.inputs, format)
        for format in exported.FORMATS
    },
}


def carried_out(built: "Built"):
    """What the built subject's probe brings back, as it comes: what a call path returned, the gradients and values
    of a differentiated call, or the weights after training steps."""
    probe = built.subject.probe
    if isinstance(probe, Gradient):
        subject = built.subject
        return gradients.of_seeded_loss(subject, built.layer, probe.call_inputs(built.inputs), **subject.call_arguments)
    if isinstance(probe, TrainingSteps):
        return gradients.training_steps(built.subject, built.layer, built.inputs)
    return CALLERS[probe.call_path](built)


def probed(subject: Subject, built: Built, note: str = "") -> Returned:
    """Carry out the subject's probe on the built subject, recorded: for statements that run it against a twin of
    its layer (`replace(built, layer=twin(...))`) with the same probe, e.g. a gradient through another kernel."""
    built = replace(built, subject=subject)  # the build may be shared with a subject of another probe
    return recorded_call(subject, lambda: carried_out(built), note, tf32=subject.tf32)


def observe(subject: Subject, built: Built) -> Observation:
    returned = probed(subject, built)
    layer = built.layer
    return Observation(
        **vars(returned),
        inputs=built.inputs,
        weights=tuple(layer.get_weights()),
        weight_names=tuple(w.name for w in layer.weights),
        parts=tuple(layer_weights(part) for part in subject.parts(layer)),
        computed_shapes=shape_leaves(layer.compute_output_shape(built.inputs.shape)),
        symbolic_shapes=tuple(tuple(t.shape) for t in built.model.outputs),
    )


def observe_fresh(subject: Subject) -> Observation:
    """Build and observe without the cache: for layers patched by a meta-test, which must not be cached."""
    return observe(subject, build(subject))


# How many drawn subjects (chapter 15) the cache keeps: enough for Hypothesis to replay a failing example as it
# shrinks it, few enough that thousands of examples do not hold thousands of models.
DRAWN_KEPT = 8


@dataclass
class ObservationCache:
    """The session's one cache: each subject built once (by build key) and observed once, and the parity runs
    under each other backend done once. Drawn subjects are kept a while only: the last DRAWN_KEPT."""

    built: dict = field(default_factory=dict)
    observed: dict = field(default_factory=dict)
    elsewhere: dict = field(default_factory=dict)
    drawn: dict = field(default_factory=dict)  # in the order observed, the oldest dropped first

    def get_drawn(self, subject: Subject) -> Observation:
        """A drawn subject's observation, built and observed as any other, and not kept for the session."""
        if subject not in self.drawn:
            if len(self.drawn) >= DRAWN_KEPT:
                del self.drawn[next(iter(self.drawn))]
            self.drawn[subject] = observe_fresh(subject)
        return self.drawn[subject]

    def built_for(self, subject: Subject) -> Built:
        key = subject.built
        if key not in self.built:
            self.built[key] = build(key)
        return self.built[key]

    def get(self, subject: Subject) -> Observation:
        if subject not in self.observed:
            self.observed[subject] = observe(subject, self.built_for(subject))
        return self.observed[subject]

    def under_backend(self, backend: str, configs: tuple[LayerSubject, ...], workdir) -> list[dict]:
        """What `configs` returned under another backend, in a process of its own (rnnspec.probes.backend_parity). The
        processes of every other installed backend start together, to run side by side while the parity statements
        ask for them one after the other."""
        if (backend, configs) not in self.elsewhere:
            here = installation.current().backend
            for other in {backend, *backend_parity.installed_other_backends(here)}:
                if (other, configs) not in self.elsewhere:
                    folder = workdir / other
                    folder.mkdir(exist_ok=True)
                    self.elsewhere[(other, configs)] = backend_parity.start(other, list(configs), folder)
        return self.elsewhere[(backend, configs)]()
