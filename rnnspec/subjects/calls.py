"""What a case asks of its subject: the probe, how the subject is called and what comes back.

A case is a subject (what is built) and a probe (how it is observed). Every subject carries its probe in its
`probe` field; subjects that differ only in their probe share one build (`Subject.built`). The probes are data:
`rnnspec.probes` carries them out.

- `Call(call_path)`: what the layer returns along a call path (the bare layer, a functional model, `predict`, the
  compiled paths, an exported artifact run by its runtime);
- `Gradient(...)`: the gradients of a seeded loss over everything the layer returns, with respect to its inputs, its
  seeded initial states and its weights, then the values of the call they were taken from;
- `TrainingSteps(loop)`: the weights after steps of SGD on that loss through Keras's own training loop.
"""

from dataclasses import dataclass

import numpy as np

from rnnspec.subjects.masks import BY_NAME

# How users call a recurrent layer: the bare layer eagerly, a functional model called directly, and
# `model.predict` (the seed notebook's path, which runs a compiled function).
CALL_PATHS = ("layer", "model", "predict")
# And the compiled paths users deploy through (rnnspec.probes.compiled): the backend's compiler on the layer's call
# with the batch and time dimensions open (tf.function with an input signature, jax.jit of the stateless call,
# torch.compile), and `predict` with `jit_compile=True` (XLA on TensorFlow).
COMPILED_CALL_PATHS = ("compiled_function", "predict_jit_compile")
# And chapter 14's: the model exported to each format and run by that format's runtime (rnnspec.probes.exported).
EXPORTED_CALL_PATHS = ("tf_saved_model", "onnx", "litert", "openvino")


@dataclass(frozen=True, kw_only=True)
class ProbeSettings:
    """What every probe may set: the mask the call is given, by its name in `rnnspec.subjects.masks.BY_NAME` or as a
    pattern of its own (a tuple of rows of booleans, one row per sample: chapter 15 draws them), and whether a GPU
    computes float32 products in TF32 (True), full float32 (False), or the backend's default (None)."""

    mask: str | tuple[tuple[bool, ...], ...] | None = None
    tf32: bool | None = None

    @property
    def mask_array(self) -> np.ndarray | None:
        if self.mask is None:
            return None
        return BY_NAME[self.mask] if isinstance(self.mask, str) else np.array(self.mask, dtype=bool)

    @property
    def call_arguments(self) -> dict:
        """What the call passes beyond the inputs."""
        return {} if self.mask is None else {"mask": self.mask_array}

    def settings_text(self) -> str:
        precision = "" if self.tf32 is None else f" with TF32 {'enabled' if self.tf32 else 'disabled'}"
        if self.mask is None:
            mask = ""
        elif isinstance(self.mask, str):
            mask = f", with the {self.mask} mask {self.mask_array.shape}"
        else:
            mask = f", with the mask {self.mask_array.astype(int).tolist()}"
        return f"{precision}{mask}"


@dataclass(frozen=True)
class Call(ProbeSettings):
    """What the layer returns along `call_path`."""

    call_path: str = "layer"

    @property
    def name(self) -> str:
        return self.call_path

    def returned_names(self, subject) -> tuple[str, ...]:
        return subject.layer_returned_names

    def describe(self, built: str, device: str) -> str:
        return f"{built} on {device}{self.settings_text()} via {self.call_path}"


@dataclass(frozen=True)
class Gradient(ProbeSettings):
    """The gradient of a seeded loss over everything the layer returns (rnnspec.probes.gradients), with respect to its
    inputs, its seeded initial states and its weights, by the backend's automatic differentiation of an eager call;
    then what that call returned (in training, with the dropout masks the gradient shows)."""

    training: bool = False  # called with training=True, where dropout applies
    # A stateful layer, called once before on other seeded inputs: the differentiated call starts from the states
    # that call left, given no initial_state.
    after_a_previous_call: bool = False
    steps: int | None = None  # called on the first `steps` steps of its inputs alone; None: on all of them
    initial_state: bool = True  # given seeded initial states; False: none, the layer starts from zeros

    name = "gradient"

    @property
    def call_arguments(self) -> dict:
        return {**super().call_arguments, **({"training": True} if self.training else {})}

    def initial_state_names(self, subject) -> tuple[str, ...]:
        """The states given as `initial_state`, seeded, in the order the layer takes them."""
        return () if self.after_a_previous_call or not self.initial_state else subject.initial_state_names

    def gradient_names(self, subject) -> tuple[str, ...]:
        """What each gradient is with respect to, in order: the inputs, each initial state, each weight."""
        return ("inputs", *(f"initial {name}" for name in self.initial_state_names(subject)), *subject.weight_names)

    def value_names(self, subject) -> tuple[str, ...]:
        """What the differentiated call returned: the output (or outputs), then the states where it returns them."""
        names = subject.layer_returned_names
        return names if subject.returns_states else names[: len(names) - len(subject.initial_state_names)]

    def returned_names(self, subject) -> tuple[str, ...]:
        """The gradients, then the values they were taken from."""
        return (*self.gradient_names(subject), *self.value_names(subject))

    def call_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """What the differentiated call is given of the subject's seeded inputs."""
        return inputs[:, : self.steps]

    def describe(self, built: str, device: str) -> str:
        training = ", training=True" if self.training else ""
        previous = ", after a previous call" if self.after_a_previous_call else ""
        steps = "" if self.steps is None else f", on its first {self.steps} steps alone"
        initial = "" if self.initial_state or self.after_a_previous_call else ", given no initial_state"
        return (
            f"the gradient of a seeded loss over {built} on {device}{self.settings_text()}{training}{previous}{steps}"
            f"{initial}"
        )


@dataclass(frozen=True)
class TrainingSteps(ProbeSettings):
    """Steps of plain SGD through Keras's own training loop (rnnspec.probes.gradients.training_steps) on a model of
    the layer, with the seeded loss of `Gradient` over everything it returns: `loop` "train_on_batch" (one step) or
    "fit" (epochs over the inputs, in batches of `batch_size` samples in order; None: one batch of them all). What
    comes back: the weights after."""

    loop: str = "train_on_batch"
    batch_size: int | None = None

    @property
    def name(self) -> str:
        return self.loop

    def returned_names(self, subject) -> tuple[str, ...]:
        return subject.weight_names

    def batches(self, samples: int) -> list[slice]:
        """The samples of each step of an epoch, in order."""
        size = samples if self.batch_size is None else self.batch_size
        return [slice(start, start + size) for start in range(0, samples, size)]

    def describe(self, built: str, device: str) -> str:
        batches = "" if self.batch_size is None else f" in batches of {self.batch_size}"
        return f"SGD steps ({self.loop}{batches}) on a model of {built} on {device}{self.settings_text()}"


Probe = Call | Gradient | TrainingSteps
