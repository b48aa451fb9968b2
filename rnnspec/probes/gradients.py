"""The gradient of a seeded scalar loss over everything a layer returns, with respect to its inputs, its initial
states and its trainable weights, by the backend's own automatic differentiation, and the values that call
returned; and steps of SGD on that loss through Keras's own training loop.

The loss is L = Σ sum(cotangent_i · returned_i) over the output and every returned state, with seeded cotangents
(`rnnspec.subjects.seeded`), so that each return path carries gradient and a wrong gradient cannot pass by coincidence. Its
gradient is the vector-Jacobian product that `rnnspec.oracle.backprop` computes in NumPy. Keras has no
backend-independent gradient, so each backend has its own few lines here: TensorFlow's GradientTape (Keras 3 and
Keras 2), JAX's `grad` of a call with the layer's variables mapped to traced values, PyTorch's autograd.

The values come from the very call that was differentiated: a call in training draws its dropout masks afresh, so
no other call could stand for it.
"""

import numpy as np

from rnnspec import installation
from rnnspec.subjects import seeded


def seeded_initial_states(subject) -> list[np.ndarray]:
    """Distinct non-zero initial states, (batch, units) each, so that a layer starting from zeros cannot pass."""
    return [
        0.5 * seeded.inputs(shape, seeded.seed_for("initial", name, *subject.seed_parts))
        for name, shape in zip(subject.probe.initial_state_names(subject), subject.initial_state_shapes)
    ]


def previous_call_inputs(subject) -> np.ndarray:
    """What a stateful subject is called on before the differentiated call (`Gradient.after_a_previous_call`)."""
    return seeded.inputs(subject.shape.input_shape, seeded.seed_for("previous call", *subject.seed_parts))


def seeded_cotangents(subject, shapes) -> list[np.ndarray]:
    """One cotangent per returned tensor, of its shape."""
    return [seeded.inputs(shape, seeded.seed_for("cotangent", index, *subject.seed_parts)) for index, shape in enumerate(shapes)]


def of_seeded_loss(subject, layer, inputs: np.ndarray, **call_arguments) -> tuple:
    """(d inputs, *d initial states, *d weights in `layer.trainable_weights` order, *returned) of the seeded loss
    over what `layer(inputs, initial_state=..., **call_arguments)` returns, the initial states seeded too;
    `returned` is what that call returned (the output, then with return_state the states)."""
    states = seeded_initial_states(subject)
    cotangents = seeded_cotangents(subject, subject.returned_shapes)
    if subject.probe.after_a_previous_call:  # from reset states, that call, as users make it (outside this one)
        layer.reset_states()
        layer(previous_call_inputs(subject))

    def call(x, initial):
        # The backends differentiate with respect to the states flat; the layer takes them as its `initial_state`.
        given = {"initial_state": subject.initial_state_argument(initial)} if initial else {}
        return layer(x, **given, **call_arguments)
    backend = installation.current().backend
    if backend == "jax":
        return jax_gradients(layer, call, inputs, states, cotangents)
    if backend == "torch":
        return torch_gradients(layer, call, inputs, states, cotangents)
    return tensorflow_gradients(layer, call, inputs, states, cotangents)


def flat(returned) -> list:
    """What a call returned, flattened: an RNN over stacked cells returns one list of states per cell."""
    if isinstance(returned, (tuple, list)):
        return [leaf for part in returned for leaf in flat(part)]
    return [returned]


def tensorflow_gradients(layer, call, inputs, states, cotangents) -> tuple:
    import tensorflow as tf

    x = tf.constant(inputs)
    # In the layer's compute dtype, as a user passes them under a mixed policy: Keras 2 casts a call's first argument
    # alone (Keras 3 casts the states too, so that this changes nothing there).
    # The recurrent layer's own compute dtype: a `Bidirectional` wrapper computes in float32 whatever its layer does.
    recurrent = getattr(layer, "forward_layer", layer)
    initial = [tf.cast(state, recurrent.compute_dtype) for state in states]
    # Keras 3 wraps each tf.Variable in a KerasVariable (`.value`); Keras 2's weights are tf.Variables (whose
    # `.value` is a method).
    weights = list(layer.trainable_weights) if installation.is_keras_2() else [w.value for w in layer.trainable_weights]
    with tf.GradientTape() as tape:
        tape.watch([x, *initial])
        returned = flat(call(x, initial))
        terms = [tf.reduce_sum(tf.cast(c, r.dtype) * r) for c, r in zip(cotangents, returned)]
        if len({term.dtype for term in terms}) > 1:  # `Bidirectional` merges a float64 or mixed-precision layer's
            terms = [tf.cast(term, tf.float64) for term in terms]  # outputs in its own float32, not its states
        loss = tf.add_n(terms)
    # A source the loss does not depend on has a zero gradient, which is what the statements compare.
    found = tape.gradient(loss, [x, *initial, *weights], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return (*found, *returned)


def torch_gradients(layer, call, inputs, states, cotangents) -> tuple:
    import torch

    ops = installation.keras().ops
    x, *initial = (ops.convert_to_tensor(a).requires_grad_(True) for a in (inputs, *states))
    returned = flat(call(x, initial))
    loss = sum(torch.sum(ops.convert_to_tensor(c).to(r.dtype) * r) for c, r in zip(cotangents, returned))
    sources = [x, *initial, *(w.value for w in layer.trainable_weights)]
    found = torch.autograd.grad(loss, sources, allow_unused=True)
    # A source the loss does not depend on has a zero gradient, which is what the statements compare.
    return (*(torch.zeros_like(s) if g is None else g for s, g in zip(sources, found)), *(r.detach() for r in returned))


def jax_gradients(layer, call, inputs, states, cotangents) -> tuple:
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
        with keras.StatelessScope(state_mapping=mapping) as scope:
            returned = flat(call(x, initial))
        updated = [scope.get_current_value(v) for v in layer.non_trainable_variables]
        return sum(jnp.sum(jnp.asarray(c, r.dtype) * r) for c, r in zip(cotangents, returned)), (returned, updated)

    (d_inputs, d_initial, d_weights), (returned, updated) = jax.grad(loss, argnums=(0, 1, 2), has_aux=True)(
        jnp.asarray(inputs), [jnp.asarray(s) for s in states], trainable
    )
    # The seed generator moves on, as it does in an eager call: the next call in training draws other masks.
    for variable, value in zip(layer.non_trainable_variables, updated):
        variable.assign(value)
    return (d_inputs, *d_initial, *d_weights, *returned)


LEARNING_RATE = 0.05  # moves the weights by hundredths to tenths: far beyond float32 rounding, short of divergence
STEPS = {"train_on_batch": 1, "fit": 3}


def seeded_loss(y_true, y_pred):
    """The seeded loss's term for one returned tensor, its cotangent given as the target: sum(cotangent · returned)."""
    ops = installation.ops()
    return ops.sum(ops.cast(y_true, y_pred.dtype) * y_pred)


def training_steps(subject, layer, inputs: np.ndarray) -> tuple:
    """The layer's weights after `STEPS[subject.probe.loop]` steps of SGD at LEARNING_RATE on the seeded loss, taken
    by `train_on_batch` or `fit` on a model of the layer (from zero initial states). The layer's weights are put
    back afterwards, for the statements that share its build."""
    keras = installation.keras()
    before = layer.get_weights()
    sequences = keras.Input(batch_shape=(None, *inputs.shape[1:]))
    model = keras.Model(sequences, layer(sequences))
    cotangents = seeded_cotangents(subject, subject.returned_shapes)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE), loss=[seeded_loss] * len(cotangents))
    steps = STEPS[subject.probe.loop]
    if subject.probe.loop == "fit":
        size = subject.probe.batch_size or len(inputs)
        model.fit(inputs, cotangents, batch_size=size, epochs=steps, shuffle=False, verbose=0)
    else:
        model.train_on_batch(inputs, cotangents)
    after = layer.get_weights()
    layer.set_weights(before)
    return tuple(after)
