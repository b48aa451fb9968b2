"""A standalone reproducer of a drawn case that failed (chapter 15), in the form of the known divergences'
reproducers (rnnspec/divergences/reproducers): Keras and NumPy alone, no pytest and no rnnspec; it exits 1 while
Keras differs from the reference, 0 once it agrees, 3 where its backend is not installed.

The reference's values are written into it as numbers (float64 values printed to float32's precision, far below
any tolerance), with the layer's weights, inputs, mask, initial states and, for a gradient, the loss's seeded
cotangents: the script recomputes nothing of rnnspec's and reads as a report upstream.
"""

import sys

import numpy as np

from rnnspec import installation
from rnnspec.probes.gradients import (
    LEARNING_RATE,
    STEPS,
    previous_call_inputs,
    seeded_cotangents,
    seeded_initial_states,
)
from rnnspec.statements.tolerances import Tolerance
from rnnspec.subjects.calls import Gradient, TrainingSteps

# The classes a subject's `built_text` may name.
LAYER_CLASSES = ("LSTM", "GRU", "SimpleRNN", "RNN", "LSTMCell", "GRUCell", "SimpleRNNCell", "Bidirectional", "ConvLSTM1D")


def literal(array) -> str:
    """A NumPy array as Python source: every value, float32's shortest round-trip digits."""
    values = np.asarray(array)
    if values.dtype == bool:
        return f"np.array({values.tolist()!r})"
    text = np.array2string(values.astype(np.float32), separator=", ", threshold=sys.maxsize, floatmode="unique",
                           max_line_width=116)
    return f"np.array({text}, dtype='float32')"


def listed(arrays) -> str:
    return "[" + ", ".join(literal(a) for a in arrays) + "]"


# How a call path other than the bare layer's calls the model (rnnspec.probes.observe.CALLERS).
MODEL_CALL_PATHS = {
    "model": "model(inputs)",
    "predict": "model.predict(inputs, batch_size=len(inputs), verbose=0)",
    "predict_jit_compile": "(model.compile(jit_compile=True), model.predict(inputs, batch_size=len(inputs), verbose=0))[1]",
}

GRADIENT_OF = {
    "tensorflow": '''import tensorflow as tf

x, states = tf.constant(inputs), [tf.constant(s) for s in initial_state]
weights = [w.value for w in layer.trainable_weights]
with tf.GradientTape() as tape:
    tape.watch([x, *states])
    returned = keras.tree.flatten(call(x, states))
    loss = tf.add_n([tf.cast(tf.reduce_sum(tf.cast(c, r.dtype) * r), tf.float64) for c, r in zip(cotangents, returned)])
found = tape.gradient(loss, [x, *states, *weights], unconnected_gradients=tf.UnconnectedGradients.ZERO)
''',
    "torch": '''import torch

x, *states = (torch.tensor(a, requires_grad=True) for a in (inputs, *initial_state))
returned = keras.tree.flatten(call(x, states))
loss = sum(torch.sum(torch.tensor(c).to(r.dtype) * r) for c, r in zip(cotangents, returned))
sources = [x, *states, *(w.value for w in layer.trainable_weights)]
found = [torch.zeros_like(s) if g is None else g for s, g in zip(sources, torch.autograd.grad(loss, sources, allow_unused=True))]
returned = [r.detach() for r in returned]
''',
    "jax": '''import jax
import jax.numpy as jnp


def loss(x, states, trainable):
    mapping = [*zip(layer.trainable_variables, trainable), *((v, v.value) for v in layer.non_trainable_variables)]
    with keras.StatelessScope(state_mapping=mapping):
        returned = keras.tree.flatten(call(x, states))
    return sum(jnp.sum(jnp.asarray(c, r.dtype) * r) for c, r in zip(cotangents, returned)), returned


trainable = [v.value for v in layer.trainable_variables]
(d_x, d_states, d_weights), returned = jax.grad(loss, argnums=(0, 1, 2), has_aux=True)(
    jnp.asarray(inputs), [jnp.asarray(s) for s in initial_state], trainable
)
found = [d_x, *d_states, *d_weights]
''',
}


def script(observation, statement: str, names: tuple[str, ...], expected: list, tolerance: Tolerance) -> str:
    """The reproducer of one failed comparison: the observation's subject built and called as the chapter did, and
    `names`' arrays (the probe's own names) held against `expected` within `tolerance`."""
    subject, here = observation.subject, installation.current()
    probe = subject.probe
    differentiated = isinstance(probe, Gradient)
    initial = seeded_initial_states(subject) if differentiated else []
    given = "initial_state=states or None, " if differentiated and initial else ""
    mask = probe.mask_array
    lines = [
        f"# Seen on {here.describe()}.",
        f"# A configuration drawn by rnnspec's chapter 15 (exploration) and shrunk by Hypothesis: {statement}",
        f"# {subject.describe()}.",
        "# Exits 1 while Keras differs from the reference values below (NumPy, float64, from the documented cell",
        "# equations), 0 once it agrees, 3 where the backend is not installed.",
        "import os",
        "from importlib.util import find_spec",
        "",
        f'backend = os.environ.setdefault("KERAS_BACKEND", "{here.backend}")',
        "if find_spec(backend) is None:",
        '    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")',
        "    raise SystemExit(3)",
        "import keras  # after the backend is chosen",
        "import numpy as np",
        f"from keras.layers import {', '.join(c for c in LAYER_CLASSES if c + '(' in subject.built_text())}",
        "",
        f"layer = {subject.built_text()}",
        f"inputs = {literal(observation.inputs if not differentiated else probe.call_inputs(observation.inputs))}",
        f"mask = {'None' if mask is None else literal(mask)}",
        f"initial_state = {listed(initial)}",
    ]
    path = getattr(probe, "call_path", "layer")
    if path in MODEL_CALL_PATHS:
        time = "None" if subject.shape.dynamic_time else subject.shape.timesteps
        lines += [f"sequences = keras.Input(batch_shape=(None, {time}, {subject.shape.features}))",
                  "model = keras.Model(sequences, layer(sequences))"]
    else:
        lines += ["layer(inputs)  # builds it"]
    lines += [f"layer.set_weights({listed(observation.weights)})"]
    if differentiated and probe.after_a_previous_call:
        lines += ["layer.reset_states()", f"layer({literal(previous_call_inputs(subject))})  # the call before"]
    lines += [
        "",
        "",
        "def call(x, states):",
        f"    return layer(x, {given}mask=mask)",
        "",
        "",
    ]
    if isinstance(probe, TrainingSteps):
        epochs = STEPS[probe.loop]
        lines += [
            f"cotangents = {listed(seeded_cotangents(subject, subject.returned_shapes))}",
            "sequences = keras.Input(batch_shape=(None, *inputs.shape[1:]))",
            "model = keras.Model(sequences, layer(sequences))",
            "loss = lambda cotangent, returned: keras.ops.sum(keras.ops.cast(cotangent, returned.dtype) * returned)",
            f"model.compile(optimizer=keras.optimizers.SGD(learning_rate={LEARNING_RATE}), loss=[loss] * len(cotangents))",
            ("model.train_on_batch(inputs, cotangents)" if probe.loop == "train_on_batch" else
             f"model.fit(inputs, cotangents, batch_size={probe.batch_size or subject.shape.batch}, epochs={epochs}, "
             "shuffle=False, verbose=0)"),
            "observed = layer.get_weights()",
        ]
    elif differentiated:
        lines += [f"cotangents = {listed(seeded_cotangents(subject, subject.returned_shapes))}",
                  GRADIENT_OF[here.backend], "observed = [*found, *returned]"]
    else:
        lines += [f"observed = keras.tree.flatten({MODEL_CALL_PATHS.get(path, 'call(inputs, initial_state)')})"
                  + ("  # rnnspec compiled the call (tf.function, jax.jit, torch.compile)" if path != "layer" and path not in MODEL_CALL_PATHS else "")]
    all_names = subject.returned_names
    lines += [
        f"names = {list(all_names)!r}",
        f"expected = {{{', '.join(f'{n!r}: {literal(e)}' for n, e in zip(names, expected))}}}",
        f"rtol, atol = {tolerance.rtol!r}, {tolerance.atol!r}  # {tolerance.reason}; atol grows with an array's largest value",
        "differs = False",
        "for name, value in zip(names, observed):",
        "    if name in expected:",
        "        actual, wanted = keras.ops.convert_to_numpy(value).astype('float64'), expected[name].astype('float64')",
        "        difference = np.abs(actual - wanted)",
        "        if not np.all(difference <= atol * max(1.0, np.abs(wanted).max(initial=0.0)) + rtol * np.abs(wanted)):",
        "            where = np.unravel_index(np.nanargmax(np.where(np.isnan(difference), np.inf, difference)), difference.shape)",
        "            print(f'{name}: differs by up to {np.nanmax(difference):.3g}, at {where}: {actual[where]} where the reference has {wanted[where]}')",
        "            differs = True",
        "print(f'Keras {keras.__version__}, {keras.backend.backend()} backend:', 'differs' if differs else 'agrees with the reference')",
        "raise SystemExit(int(differs))",
    ]
    return "\n".join(lines) + "\n"
