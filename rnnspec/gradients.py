"""The gradient of a seeded scalar loss over everything a layer returns, with respect to its inputs, its initial
states and its trainable weights, by the backend's own automatic differentiation.

The loss is L = Σ sum(cotangent_i · returned_i) over the output and every returned state, with seeded cotangents
(`rnnspec.data`), so that each return path carries gradient and a wrong gradient cannot pass by coincidence. Its
gradient is the vector-Jacobian product that `rnnspec.reference_gradients` computes in NumPy. Keras has no
backend-independent gradient, so each backend has its own few lines here: TensorFlow's GradientTape (Keras 3 and
Keras 2), JAX's `grad` of a call with the layer's variables mapped to traced values, PyTorch's autograd.
"""

import numpy as np

from rnnspec import data, installation
from rnnspec.configs import GradientConfig
from rnnspec.sequences import PADDED

# What a layer reads in the training chapter's gradient subjects, by name: (its arguments, the mask of
# rnnspec.sequences.MASKS it is called with). Right padding is the common case; gaps mid-sequence, read backwards,
# are where a leak would hide.
READINGS = {
    "forwards": ((), None),
    "backwards": ((("go_backwards", True),), None),
    "right_padded": ((), "right_padded"),
    "mid_sequence_backwards": ((("go_backwards", True),), "mid_sequence"),
}


def gradient_subject(cell, device, reading, *, return_sequences, return_state, tf32=None) -> GradientConfig:
    """The gradient of the seeded loss over a layer on the padded batch, reading as `READINGS` names."""
    options, mask = READINGS[reading]
    return GradientConfig(cell, return_sequences, return_state, device, PADDED, options=options, mask=mask, tf32=tf32)


def every_backend_agrees(subject: GradientConfig) -> bool:
    """Whether TensorFlow, JAX and PyTorch are documented to give the subject the same gradients: everywhere but
    under the mid-sequence mask with return_sequences, where JAX's known divergence shows (rnnspec.divergences:
    there a masked step before a sample's first valid step outputs the initial h, which so receives its gradient).
    The backend parity of gradients and the behaviour snapshot hold these subjects alone; a meta-test checks this
    against the table."""
    return not (subject.return_sequences and subject.mask == "mid_sequence")


def seeded_initial_states(subject) -> list[np.ndarray]:
    """Distinct non-zero initial states, (batch, units) each, so that a layer starting from zeros cannot pass."""
    shape = (subject.shape.batch, subject.shape.units)
    return [0.5 * data.inputs(shape, data.seed_for("initial", name, *subject.seed_parts)) for name in subject.state_names]


def seeded_cotangents(subject, shapes) -> list[np.ndarray]:
    """One cotangent per returned tensor, of its shape."""
    return [data.inputs(shape, data.seed_for("cotangent", index, *subject.seed_parts)) for index, shape in enumerate(shapes)]


def returned_shapes(subject) -> list[tuple[int, ...]]:
    """The shapes a recurrent layer returns (chapter 1): the output, then with return_state each state."""
    s = subject.shape
    output = (s.batch, s.timesteps, s.units) if subject.return_sequences else (s.batch, s.units)
    return [output, *([(s.batch, s.units)] * len(subject.state_names) if subject.return_state else [])]


def of_seeded_loss(subject, layer, inputs: np.ndarray, **call_arguments) -> tuple:
    """(d inputs, *d initial states, *d weights in `layer.trainable_weights` order) of the seeded loss over what
    `layer(inputs, initial_state=..., **call_arguments)` returns, the initial states seeded too."""
    states = seeded_initial_states(subject)
    cotangents = seeded_cotangents(subject, returned_shapes(subject))
    backend = installation.current().backend
    if backend == "jax":
        return jax_gradients(layer, inputs, states, cotangents, call_arguments)
    if backend == "torch":
        return torch_gradients(layer, inputs, states, cotangents, call_arguments)
    return tensorflow_gradients(layer, inputs, states, cotangents, call_arguments)


def flat(returned) -> list:
    return list(returned) if isinstance(returned, (tuple, list)) else [returned]


def tensorflow_gradients(layer, inputs, states, cotangents, call_arguments) -> tuple:
    import tensorflow as tf

    x, initial = tf.constant(inputs), [tf.constant(state) for state in states]
    # Keras 3 wraps each tf.Variable in a KerasVariable (`.value`); Keras 2's weights are tf.Variables.
    weights = [getattr(w, "value", w) for w in layer.trainable_weights]
    with tf.GradientTape() as tape:
        tape.watch([x, *initial])
        returned = flat(layer(x, initial_state=initial, **call_arguments))
        loss = tf.add_n([tf.reduce_sum(tf.cast(c, r.dtype) * r) for c, r in zip(cotangents, returned)])
    # A source the loss does not depend on has a zero gradient, which is what the statements compare.
    return tuple(tape.gradient(loss, [x, *initial, *weights], unconnected_gradients=tf.UnconnectedGradients.ZERO))


def torch_gradients(layer, inputs, states, cotangents, call_arguments) -> tuple:
    import torch

    ops = installation.keras().ops
    x, *initial = (ops.convert_to_tensor(a).requires_grad_(True) for a in (inputs, *states))
    returned = flat(layer(x, initial_state=initial, **call_arguments))
    loss = sum(torch.sum(ops.convert_to_tensor(c).to(r.dtype) * r) for c, r in zip(cotangents, returned))
    sources = [x, *initial, *(w.value for w in layer.trainable_weights)]
    found = torch.autograd.grad(loss, sources, allow_unused=True)
    # A source the loss does not depend on has a zero gradient, which is what the statements compare.
    return tuple(torch.zeros_like(s) if g is None else g for s, g in zip(sources, found))


def jax_gradients(layer, inputs, states, cotangents, call_arguments) -> tuple:
    import jax
    import jax.numpy as jnp

    keras = installation.keras()
    # The layer is called as users call it (`__call__`, which casts the inputs and enters the autocast scope of a
    # mixed dtype policy), with its variables mapped to the traced values, as `Model.stateless_call` calls its
    # layers: `Layer.stateless_call` calls `call` directly, which a GRU under a mixed policy cannot trace (its scan
    # would carry a float16 state out of float32 weights). Every variable is mapped, the dropout seed generator's
    # state among the non-trainable ones.
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [(v, v.value) for v in layer.non_trainable_variables]

    def loss(x, initial, trainable):
        mapping = [*zip(layer.trainable_variables, trainable), *non_trainable]
        with keras.StatelessScope(state_mapping=mapping):
            returned = layer(x, initial_state=initial, **call_arguments)
        return sum(jnp.sum(jnp.asarray(c, r.dtype) * r) for c, r in zip(cotangents, flat(returned)))

    d_inputs, d_initial, d_weights = jax.grad(loss, argnums=(0, 1, 2))(
        jnp.asarray(inputs), [jnp.asarray(s) for s in states], trainable
    )
    return (d_inputs, *d_initial, *d_weights)
