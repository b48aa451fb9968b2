"""Compiled call paths, and proof of how the recurrent loop ran: eagerly, traced into a graph, compiled by XLA,
traced by JAX, or captured by PyTorch's compiler.

A call path that says it compiles could silently run eagerly (a compiler that gives up and falls back, a model
whose `jit_compile=True` Keras quietly turns off). Nothing in the result shows it, so, as `rnnspec.probes.kernels` proves
which kernel ran, `recording` watches the backend's recurrent loops (`rnn`, `lstm`, `gru`, which every Keras 3
recurrent layer calls) and records, each time one runs, the context it runs in.
"""

import importlib
import inspect
from contextlib import contextmanager
from dataclasses import dataclass, field

from rnnspec import installation

EAGER = "eager"
GRAPH = "tf.function graph"
XLA = "XLA"
JAX_TRACE = "jax.jit trace"
DYNAMO = "torch.compile (Dynamo)"
UNDETERMINED = "undetermined"

# The call paths that compile: the backend's own compiler on a function of the layer's call with the batch and time
# dimensions left open (tf.function with an input signature, jax.jit of the stateless call, torch.compile), and
# `predict` with `jit_compile=True`.
COMPILED_FUNCTION = "compiled_function"
PREDICT_JIT_COMPILE = "predict_jit_compile"

LOOPS = ("rnn", "lstm", "gru")  # keras.src.backend's functions through which every recurrent layer runs its loop


def expected_context(call_path: str, backend: str) -> str | None:
    """How the loop runs along a call path on a backend, as Keras and the frameworks document it; None where the
    suite does not state it."""
    if call_path in ("layer", "model"):
        return EAGER
    if call_path == "predict":  # compiled by default, except on PyTorch (jit_compile "auto" is eager there)
        return {"tensorflow": GRAPH, "jax": JAX_TRACE, "torch": EAGER}[backend]
    if call_path == PREDICT_JIT_COMPILE:
        return {"tensorflow": XLA, "jax": JAX_TRACE, "torch": DYNAMO}[backend]
    if call_path == COMPILED_FUNCTION:
        return {"tensorflow": GRAPH, "jax": JAX_TRACE, "torch": DYNAMO}[backend]
    return None


def current_context(backend: str, arguments) -> str:
    """The context a loop is running in, judged from inside it."""
    if backend == "tensorflow":
        import tensorflow as tf
        from tensorflow.python.ops import control_flow_util

        if tf.executing_eagerly():
            return EAGER
        in_xla = control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph())
        return XLA if in_xla else GRAPH
    if backend == "jax":
        import jax

        traced = any(isinstance(a, jax.core.Tracer) for a in leaves(arguments))
        return JAX_TRACE if traced else EAGER
    import torch

    return DYNAMO if torch.compiler.is_compiling() else EAGER


@dataclass
class CompilationRecord:
    watched: bool = False
    contexts: list[str] = field(default_factory=list)  # one per loop run during the call

    @property
    def context(self) -> str:
        """The context every loop ran in, or the several, joined; undetermined where no loop was watched."""
        if not self.watched or not self.contexts:
            return UNDETERMINED
        return " and ".join(dict.fromkeys(self.contexts))


def loop_module():
    """Where the backend's loop functions live: `keras.src.backend` through Keras 3.15; its module `rnn` in the
    nightly (3.16), where `backend.rnn` is a module of `rnn`, `lstm` and `gru` and must not be replaced."""
    module = importlib.import_module("keras.src.backend")
    holder = getattr(module, "rnn", None)
    return holder if inspect.ismodule(holder) else module


@contextmanager
def recording(backend: str):
    """Within the block, record the context of every recurrent loop run (Keras 3; nothing is watched in Keras 2)."""
    record = CompilationRecord()
    if installation.is_keras_2():
        yield record
        return
    module = loop_module()
    originals = {name: getattr(module, name) for name in LOOPS if callable(getattr(module, name, None))}

    def watch(original):
        def watched(*args, **kwargs):
            record.contexts.append(current_context(backend, (args, kwargs)))
            return original(*args, **kwargs)

        return watched

    record.watched = bool(originals)
    for name, original in originals.items():
        setattr(module, name, watch(original))
    try:
        yield record
    finally:
        for name, original in originals.items():
            setattr(module, name, original)


def leaves(structure) -> list:
    """The leaves of nested lists, tuples and dicts (a dict's by its sorted keys), first to last. The suite's own,
    since `keras.tree` is not in every installation it supports (Keras 3.0 and tf_keras have none)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in leaves(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in leaves(item)]
    return [structure]


def refilled(structure, new_leaves):
    """`structure` with its leaves replaced by `new_leaves`, in the order `leaves` gives them."""
    supplied = iter(new_leaves)

    def fill(node):
        if isinstance(node, dict):
            return {key: fill(node[key]) for key in sorted(node)}
        if isinstance(node, (list, tuple)):
            return type(node)(fill(item) for item in node)
        return next(supplied)

    return fill(structure)


def open_spec(array):
    """The shape a compiled function declares for an argument: the batch dimension open, and the time dimension of
    sequences (3-D), masks and token ids (2-D, not float) open too; features and units fixed."""
    shape = list(array.shape)
    opened = 2 if array.ndim == 3 or (array.ndim == 2 and array.dtype.kind in "biu") else 1
    return [None] * opened + shape[opened:]


def compiled_call(layer, inputs, **arguments):
    """`layer(inputs, **arguments)` through the backend's compiler, the array arguments declared with open batch and
    time dimensions: TensorFlow a `tf.function` with an input signature, JAX `jax.jit` of `layer.stateless_call`
    (the variables passed in, the new non-trainable values written back), PyTorch `torch.compile` with Dynamo's
    eager backend: the graph Dynamo captures, run without Inductor's code generation, which takes 20 to 50 s per
    layer on a CPU (measured on PyTorch 2.13; Dynamo's capture alone takes 4 to 25 s)."""
    import numpy as np

    keras = installation.keras()
    backend = installation.current().backend
    structure = (inputs, arguments)
    flat = leaves(structure)
    is_array = [hasattr(leaf, "shape") and hasattr(leaf, "dtype") for leaf in flat]
    arrays = [np.asarray(installation.to_numpy(leaf)) for leaf, array in zip(flat, is_array) if array]

    def filled_in(given):
        """(args, kwargs) with the arrays the compiled function was given in place of the inputs'."""
        supplied = iter(given)
        return refilled(structure, [next(supplied) if array else leaf for leaf, array in zip(flat, is_array)])

    def call(*given):
        args, kwargs = filled_in(given)
        return layer(args, **kwargs)

    if backend == "tensorflow":
        import tensorflow as tf

        signature = [tf.TensorSpec(open_spec(a), a.dtype) for a in arrays]
        return tf.function(call, input_signature=signature, autograph=False)(*arrays)
    if backend == "jax":
        import jax

        def stateless(trainable, non_trainable, *given):
            args, kwargs = filled_in(given)
            return layer.stateless_call(trainable, non_trainable, args, **kwargs)

        trainable = [v.value for v in layer.trainable_variables]
        non_trainable = [v.value for v in layer.non_trainable_variables]
        returned, non_trainable = jax.jit(stateless)(trainable, non_trainable, *arrays)
        for variable, value in zip(layer.non_trainable_variables, non_trainable):
            variable.assign(value)
        return returned
    import torch

    allow_every_compilation()
    return torch.compile(call, dynamic=True, backend="eager")(*[keras.ops.convert_to_tensor(a) for a in arrays])


def allow_every_compilation() -> None:
    """On PyTorch, let Dynamo compile as often as the session asks. Every model's step and every layer's call share
    their code objects, so after 8 compilations of one (`torch._dynamo.config.recompile_limit`) Dynamo stops
    compiling it and runs it eagerly: a session that compiles a hundred models would observe eager loops from the
    ninth on, where a user's process compiling its one model would not."""
    if installation.current().backend == "torch":
        import torch

        torch._dynamo.config.recompile_limit = 10_000
        torch._dynamo.config.accumulated_recompile_limit = 100_000


def predict_jit_compile(layer, model, inputs):
    """`model.predict` of a model compiled with `jit_compile=True`: a new functional model of the same layer (its
    weights and states shared) on an Input like the model's, so that the model other call paths predict with keeps
    its own compile settings."""
    keras = installation.keras()
    sequences = keras.Input(batch_shape=tuple(model.inputs[0].shape))
    compiled = keras.Model(sequences, layer(sequences))
    compiled.compile(jit_compile=True)
    allow_every_compilation()
    return compiled.predict(inputs, batch_size=len(inputs), verbose=0)
