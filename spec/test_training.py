"""Chapter 11. Training: the gradients of what a recurrent layer returns, and what a training step does with them.

A layer is trained through the gradient of a loss over what it returns. Here the loss is a seeded weighted sum
of the output and of every returned state (rnnspec.probes.gradients), so that each return path carries gradient, and
its gradient with respect to the inputs, the initial states and every weight is held against backpropagation
through time in NumPy (rnnspec.oracle.backprop, itself proved against finite differences). A regression
that leaves the forward values untouched (a gradient cut through time, a masked step that leaks gradient) fails
here, and nowhere else. "training: Python boolean indicating whether the layer should behave in training mode"
(https://keras.io/api/layers/recurrent_layers/lstm/); https://keras.io/api/models/model_training_apis/.

In training, dropout applies: its masks show in the gradient (a dropped unit passes exactly zero), so the
statements on dropout read them from the gradient of the very call whose values they compare.

The same gradients come out whichever backend, device or kernel computes them: the backends against each other on
the CPU, a GPU against the CPU with TF32 disabled and enabled, and cuDNN against the generic kernel, which kernel
ran proven as in chapter 7. Under a mixed precision policy the gradients arrive in the weights' dtype, and a
`mixed_float16` model trains with loss scaling: https://keras.io/api/mixed_precision/loss_scale_optimizer/.
"""

import importlib.util
from dataclasses import replace

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.installation import BACKENDS
from rnnspec.oracle.recurrent import GATE_COUNT
from rnnspec.probes.gradients import LEARNING_RATE
from rnnspec.probes.observe import call, layer_weights, probed, twin
from rnnspec.statements.assertions import Described, assert_close, assert_cudnn_then_generic, assert_identical, where
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import (
    expected_bidirectional_gradients,
    expected_gradients,
    expected_mean_squared_error_gradients,
    expected_stack_gradients,
    expected_training,
    expected_values,
)
from rnnspec.statements.shared import cudnn_expected, require_kernel_record, require_use_cudnn
from rnnspec.statements.tolerances import (
    FLOAT32_REARRANGED,
    GRADIENT_BACKEND_PARITY,
    GRADIENT_GPU_VERSUS_CPU,
    GRADIENT_REARRANGED,
    GRADIENT_UNDER_MIXED_FLOAT16,
    GRADIENT_VERSUS_REFERENCE,
    TRAINED_VERSUS_REFERENCE,
    VERSUS_REFERENCE,
)
from rnnspec.subjects import seeded
from rnnspec.subjects.layers import CELLS
from rnnspec.subjects.masks import ALIKE_LENGTH
from rnnspec.subjects.readings import READINGS, every_backend_agrees, gradient_subject
from spec.cases_convlstm import seeded_conv_lstm
from spec.cases_training import (
    BIDIRECTIONAL_GRADIENTS,
    CUDNN_GRADIENTS,
    GRADIENTS,
    GRADIENTS_ON_GPU,
    INPUT_DROPOUT,
    MASKED_GRADIENTS,
    MIXED_GRADIENTS,
    RECURRENT_DROPOUT,
    RECURRENT_DROPOUT_OF_THE_STATE_ALONE,
    STATEFUL_GRADIENTS,
    TRAINING_STEPS,
    right_padded_alike,
    seeded_dropout,
    stack_gradient,
    trained_under_mixed_float16,
    unpadded,
)


def assert_gradients_equal_the_reference(run, which=lambda name: True, expected=expected_gradients):
    for name, actual, wanted in zip(run.names, run.arrays, expected(run)):
        if which(name):
            assert_close(actual, wanted, GRADIENT_VERSUS_REFERENCE, f"the gradient for {name} and the reference's", run)


@parametrize_with_cases("subject", cases=GRADIENTS)
def test_the_gradient_with_respect_to_the_inputs_equals_the_reference(subject, observe):
    """The gradient of the loss with respect to the input sequence equals backpropagation through time of the
    reference cell equations, at every step (read backwards too, and under a mask)."""
    assert_gradients_equal_the_reference(observe(subject), lambda name: name == "inputs")


@parametrize_with_cases("subject", cases=GRADIENTS)
def test_the_gradient_with_respect_to_the_initial_states_equals_the_reference(subject, observe):
    """The gradient with respect to each initial state given as `initial_state` (h, and c for LSTM) equals the
    reference's: what reaches the start of the sequence through every step."""
    assert_gradients_equal_the_reference(observe(subject), lambda name: name.startswith("initial"))


@parametrize_with_cases("subject", cases=GRADIENTS)
def test_the_gradients_with_respect_to_the_weights_equal_the_reference(subject, observe):
    """The gradient with respect to `kernel`, `recurrent_kernel` and `bias` equals the reference's: the sum over
    every step of what each step contributes."""
    assert_gradients_equal_the_reference(observe(subject), lambda name: name in subject.weight_names)


@parametrize_with_cases("subject", cases=STATEFUL_GRADIENTS)
def test_a_stateful_layer_s_gradient_stops_at_the_states_the_previous_call_left(subject, observe):
    """A stateful layer carries its last states into the next call as values ("the last state for each sample at
    index i in a batch will be used as initial state for the sample of index i in the following batch",
    https://keras.io/api/layers/recurrent_layers/lstm/): the gradient of a call's loss with respect to its inputs
    and the weights is that of its own steps alone, started from the states the call before left, and nothing of
    it flows back into the steps of the call before."""
    assert_gradients_equal_the_reference(observe(subject))


@parametrize_with_cases("subject", cases=BIDIRECTIONAL_GRADIENTS)
def test_bidirectional_gradients_equal_the_reference(subject, observe):
    """`Bidirectional` passes the gradient back through both directions and its merge: the gradient with respect
    to the inputs (what both directions send back), each direction's initial states and each direction's weights
    equal the reference's, the backward direction reading the sequence reversed. "initial_state: [...] the first
    half in the list will be passed to the forward RNN call and the last half in the list will be passed to the
    backward RNN call" (https://keras.io/api/layers/recurrent_layers/bidirectional/)."""
    assert_gradients_equal_the_reference(observe(subject), expected=expected_bidirectional_gradients)


@parametrize_with_cases("subject", cases=stack_gradient)
def test_the_gradients_of_stacked_cells_equal_the_reference(subject, observe):
    """An RNN over stacked cells passes the gradient down through its cells as stacked layers would: the gradient
    with respect to the inputs, each cell's initial states and each cell's weights equal the reference's, which
    runs the cells as layers one on the other (https://keras.io/api/layers/recurrent_layers/rnn/)."""
    assert_gradients_equal_the_reference(observe(subject), expected=expected_stack_gradients)


@parametrize_with_cases("subject", cases=MASKED_GRADIENTS)
def test_the_inputs_at_masked_steps_receive_no_gradient(subject, observe):
    """A masked step does not count: its input receives exactly zero gradient, whatever the loss."""
    run = observe(subject)
    d_inputs = run.arrays[run.names.index("inputs")]
    masked = d_inputs[~subject.probe.mask_array]
    assert_identical(masked, np.zeros_like(masked), "the gradient for the inputs at masked steps and zeros", run)


def padded_and_unpadded(subject, observe) -> tuple[dict, dict]:
    """The gradients of the right-padded batch, masked, and of its valid steps alone, unmasked, by name."""
    return gradients_and_values(observe(subject)), gradients_and_values(observe(unpadded(subject)))


@parametrize_with_cases("subject", cases=right_padded_alike)
def test_a_right_padded_sample_gives_the_weight_gradients_of_its_unpadded_sequence(subject, observe):
    """Padding a sequence on the right and masking the padding changes nothing of training: the gradients with
    respect to the weights and the initial states are those of the sequence without its padding ("mask: [...]
    whether a given timestep should be masked", https://keras.io/api/layers/recurrent_layers/lstm/; "each
    downstream layer [...] will ignore the masked timesteps", https://keras.io/guides/understanding_masking_and_padding/)."""
    padded, alone = padded_and_unpadded(subject, observe)
    run = observe(subject)  # what a failure describes
    for name in subject.probe.gradient_names(subject)[1:]:
        what = f"the gradient for {name} of the right-padded batch and of its first {ALIKE_LENGTH} steps alone"
        assert_close(padded[name], alone[name], GRADIENT_REARRANGED, what, run)


@parametrize_with_cases("subject", cases=right_padded_alike)
def test_a_layer_below_a_masked_layer_receives_the_gradient_of_the_unpadded_sequence(subject, observe):
    """What a masked recurrent layer passes back to the layer below it, the gradient with respect to its inputs,
    is at the valid steps what the sequence without its padding passes back: a layer below (an embedding, a dense
    projection) is trained as if there were no padding."""
    padded, alone = padded_and_unpadded(subject, observe)
    what = f"the gradient for the inputs at the first {ALIKE_LENGTH} steps, of the right-padded batch and of those steps alone"
    assert_close(padded["inputs"][:, :ALIKE_LENGTH], alone["inputs"], GRADIENT_REARRANGED, what, observe(subject))


@parametrize_with_cases("subject", cases=TRAINING_STEPS)
def test_sgd_moves_every_weight_by_the_learning_rate_times_the_gradient(subject, observe):
    """Through Keras's own training loop, a step of plain SGD (`train_on_batch`, or each epoch of `fit` on one
    batch) moves every weight by exactly -learning_rate times the gradient of the loss: after the steps, the
    weights are the reference's, stepped the same way from the same start."""
    run = observe(subject)
    for name, actual, wanted in zip(run.names, run.arrays, expected_training(run)):
        what = f"{name} after {subject.probe.loop} (SGD, learning rate {LEARNING_RATE}) and the reference's"
        assert_close(actual, wanted, TRAINED_VERSUS_REFERENCE, what, run)


# Dropout in training
#
# "dropout: Float between 0 and 1. Fraction of the units to drop for the linear transformation of the inputs";
# "recurrent_dropout: [...] Fraction of the units to drop for the linear transformation of the recurrent state";
# "seed: Random seed for dropout" (https://keras.io/api/layers/recurrent_layers/lstm/, and the GRU and SimpleRNN
# pages). Recurrent layers drop with one mask per sequence, the same at every step (Gal & Ghahramani, "A
# Theoretically Grounded Application of Dropout in Recurrent Neural Networks", https://arxiv.org/abs/1512.05287,
# which Keras's recurrent dropout follows), and scale what they keep as the Dropout layer does: "Inputs not set to 0
# are scaled up by 1 / (1 - rate)" (https://keras.io/api/layers/regularization_layers/dropout/). The masks are read
# black-box, from the gradient of the very call whose values are compared (a call in training draws its own): a
# dropped unit passes exactly zero gradient, a kept one does not.


def gradients_and_values(run) -> dict[str, np.ndarray]:
    """The observed gradients and values by name: "inputs", "initial h", "recurrent_kernel", ..., "output", "h"."""
    return dict(zip(run.names, run.arrays))


def input_features_dropped(d_inputs: np.ndarray) -> np.ndarray:
    """(batch, features): the input features of each sample whose gradient is exactly zero at every step."""
    return np.all(d_inputs == 0, axis=1)


def state_units_dropped(cell: str, d_recurrent_kernel: np.ndarray) -> np.ndarray:
    """(gates, units): for each gate's block of the recurrent kernel (LSTM i, f, c, o; GRU z, r, h; SimpleRNN one),
    the units of the state whose row of that block's gradient is exactly zero. The row of unit j sums, over every
    step, unit j of the state as it enters that gate's recurrent product: it is zero when the unit is dropped from
    that product at every step (and a sample of one, else it sums the samples)."""
    blocks = np.split(d_recurrent_kernel, GATE_COUNT[cell], axis=1)
    return np.stack([np.all(block == 0, axis=1) for block in blocks])


def assert_values_equal_the_reference(run, wanted_values, what: str):
    for name, wanted in zip(run.subject.probe.value_names(run.subject), wanted_values):
        actual = gradients_and_values(run)[name]
        assert_close(actual, wanted, VERSUS_REFERENCE["float32"], f"the {name} in training and the reference's {what}", run)


@parametrize_with_cases("subject", cases=INPUT_DROPOUT)
def test_dropout_drops_the_same_input_features_at_every_step(subject, observe):
    """With `dropout=0.5`, a call with `training=True` draws one input mask per sample for the whole sequence:
    each input feature of a sample receives exactly zero gradient at every step (dropped) or at none (kept), and
    some are dropped."""
    run = observe(subject)
    d_inputs = gradients_and_values(run)["inputs"]
    zero = d_inputs == 0
    dropped, kept = zero.all(axis=1), (~zero).all(axis=1)
    varying = np.argwhere(~(dropped | kept))
    assert varying.size == 0, (
        f"{len(varying)} (sample, feature) pairs receive zero gradient at some steps and not at others, e.g. sample "
        f"{varying[0][0]}, feature {varying[0][1]}: zero at steps {np.flatnonzero(zero[varying[0][0], :, varying[0][1]]).tolist()}"
        f" of {subject.shape.timesteps}; the input mask is not one for the whole sequence{where(run)}"
    )
    assert dropped.any(), f"no input feature receives zero gradient: dropout dropped nothing in training{where(run)}"


@parametrize_with_cases("subject", cases=INPUT_DROPOUT)
def test_dropout_scales_the_kept_inputs_by_one_over_one_minus_the_rate(subject, observe):
    """With `dropout=0.5`, a call with `training=True` returns (output and states) what the same layer without
    dropout returns for its inputs with the dropped features set to zero and the kept ones scaled by
    1 / (1 - rate), the dropped features read from that call's gradient (exactly zero at every step)."""
    run = observe(subject)
    rate = dict(subject.options)["dropout"]
    kept = ~input_features_dropped(gradients_and_values(run)["inputs"])
    dropped_out = run.inputs * kept[:, None, :] / (1 - rate)
    assert_values_equal_the_reference(run, expected_values(run, inputs=dropped_out), "on the inputs dropped out")


@parametrize_with_cases("subject", cases=RECURRENT_DROPOUT)
def test_recurrent_dropout_drops_the_same_units_of_the_state_at_every_step(subject, observe):
    """With `recurrent_dropout=0.75`, a call with `training=True` drops units of the state from the recurrent
    product with one mask for the whole sequence. On a sample of one, each gate's block of the recurrent kernel's
    gradient is then exactly zero on the rows of the units it drops (a mask drawn anew at each step would leave
    almost no row zero), and the output and states equal the reference's without dropout whose recurrent kernel
    has those rows zeroed and the others scaled by 1 / (1 - rate): dropping units of the state from a linear
    transformation, at every step, is zeroing their rows of its weights. Read per gate, since an LSTM or GRU may
    draw a mask for each of its gates' products (Keras 3 does); GRU's update gate, which carries the state past
    any product, is not dropped out."""
    run = observe(subject)
    found = gradients_and_values(run)
    dropped = state_units_dropped(subject.cell, found["recurrent_kernel"])
    assert dropped.any(), (
        f"no row of the recurrent kernel's gradient is zero: no unit of the state is dropped from a gate's "
        f"recurrent product at every step (a mask per step, or no recurrent dropout in training){where(run)}"
    )
    (weights,) = run.parts
    rate = dict(subject.options)["recurrent_dropout"]
    # Unit j's row of gate k's block, (units, gates * units) like the kernel: kept or dropped as gate k drops unit j.
    rows_kept = np.repeat(~dropped.T, subject.shape.units, axis=1)
    dropped_out = {**weights, "recurrent_kernel": weights["recurrent_kernel"] * rows_kept / (1 - rate)}
    assert_values_equal_the_reference(run, expected_values(run, weights=dropped_out), "with those rows dropped out")


@parametrize_with_cases("subject", cases=RECURRENT_DROPOUT_OF_THE_STATE_ALONE)
def test_the_initial_h_receives_no_gradient_on_the_units_recurrent_dropout_drops(subject, observe):
    """The state of an LSTM or SimpleRNN enters a step only through the recurrent product, so with
    `recurrent_dropout=0.75` in training the initial h receives exactly zero gradient on the units dropped from every
    gate's product, and only there; on a sample of one, those are the units whose rows of the recurrent kernel's
    gradient are zero in every gate's block: dropped at the first step, they are dropped at every step. (A mask per
    gate, as Keras 3 draws for an LSTM, leaves fewer such units than a mask per layer.) Not GRU: its update gate
    carries the previous state past any product (h = z * h_prev + (1 - z) * candidate), so its initial h receives
    gradient on every unit; the statement above shows its one mask per sequence."""
    run = observe(subject)
    found = gradients_and_values(run)
    dropped_everywhere = state_units_dropped(subject.cell, found["recurrent_kernel"]).all(axis=0)
    without_gradient = (found["initial h"] == 0)[0]
    assert np.array_equal(without_gradient, dropped_everywhere), (
        f"the initial h receives zero gradient on units {np.flatnonzero(without_gradient).tolist()}, while the units "
        f"dropped from every gate's recurrent product at every step are {np.flatnonzero(dropped_everywhere).tolist()}"
        f"{where(run)}"
    )


@documents("{LSTM,GRU,SimpleRNN}.seed", "{LSTMCell,GRUCell,SimpleRNNCell}.seed", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.seed")
@parametrize_with_cases("subject", cases=[seeded_dropout, seeded_conv_lstm])
def test_two_layers_with_the_same_seed_drop_the_same_units(subject, build):
    """`seed` is the "Random seed for dropout": two layers with the same weights and the same seed, each called once
    with `training=True` on the same inputs, return identical outputs and states."""
    if "seed" not in dict(subject.options):
        pytest.skip("this Keras's recurrent layers take no seed argument")
    built = build(subject)
    first, second = (
        call(subject, twin(built), built.inputs, note=f"layer {n} of 2, training=True", training=True) for n in (1, 2)
    )
    for name, one, other in zip(subject.returned_names, first.arrays, second.arrays):
        assert_identical(other, one, f"the {name} of one layer and of another with the same seed", second)


@parametrize_with_cases("subject", cases=seeded_dropout)
def test_each_call_in_training_draws_new_dropout_masks(subject, build):
    """Dropout masks are drawn anew for every call in training, not kept from the first: a mask belongs to one
    sequence (Gal & Ghahramani sample one per sequence), and a layer whose masks stayed would drop the same units
    for the whole of training. The same layer, seeded, called twice with `training=True` on the same inputs
    returns different outputs."""
    built = build(subject)
    layer = twin(built)  # a layer of its own: the built one is shared with other statements
    first, second = (call(subject, layer, built.inputs, note=f"call {n} of 2, training=True", training=True) for n in (1, 2))
    tolerance = FLOAT32_REARRANGED
    assert not np.allclose(second.output, first.output, rtol=tolerance.rtol, atol=tolerance.atol), (
        f"two calls in training return the same output within {tolerance}: the dropout masks of the first call were "
        f"used again{where(second)}"
    )


# Gradients across backends, devices and kernels.

# Every cell and reading, in the output modes that return states (the loss then reaches the last output, or every
# step's output, and every final state: each return path carries gradient); not where JAX's known divergence shows.
GRADIENT_PARITY_CONFIGS = tuple(
    subject
    for cell in CELLS
    for reading in READINGS
    for subject in [gradient_subject(cell, "cpu", reading, return_sequences=True, return_state=True)]
    if every_backend_agrees(subject)
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_backends_agree_on_the_gradients_on_the_cpu(backend, observe, observation_cache, tmp_path):
    """On the CPU, TensorFlow, JAX and PyTorch give the same gradients with respect to the inputs, the initial
    states and the weights, for the same weights and inputs: every cell, read forwards, backwards and under masks
    (except with return_sequences under the mid-sequence mask, where the table of known divergences says JAX
    gives the initial h another gradient)."""
    here = installation.current().backend
    if backend == here:
        pytest.skip(f"{backend} is the backend under test; it is compared with the others")
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed (pip install -e '.[backends]')")
    elsewhere = observation_cache.under_backend(backend, GRADIENT_PARITY_CONFIGS, tmp_path)
    for subject, theirs in zip(GRADIENT_PARITY_CONFIGS, elsewhere):
        ours = observe(subject)
        for mine, other in zip(ours.weights, theirs["weights"]):
            assert_identical(other, mine, f"the weights {backend} ran with", ours)
        for name, mine, other in zip(ours.names, ours.arrays, theirs["arrays"]):
            assert_close(other, mine, GRADIENT_BACKEND_PARITY, f"the gradient for {name} under {backend} and under {here}", ours)


@parametrize_with_cases("subject", cases=GRADIENTS_ON_GPU)
def test_on_a_gpu_the_gradients_equal_the_cpus(subject, observe):
    """On a GPU the gradients with respect to the inputs, the initial states and the weights equal the CPU's,
    within the tolerance for TF32 disabled or enabled (read forwards, backwards, and under masks where cuDNN and
    the generic kernel return the same: without return_sequences)."""
    gpu = observe(subject)
    cpu = observe(replace(subject, device="cpu").with_probe(tf32=None))
    for name, on_gpu, on_cpu in zip(gpu.names, gpu.arrays, cpu.arrays):
        assert_close(
            on_gpu, on_cpu, GRADIENT_GPU_VERSUS_CPU[subject.tf32],
            f"the gradient for {name} on the GPU ({gpu.kernel}) and on the CPU", gpu,
        )


@parametrize_with_cases("subject", cases=CUDNN_GRADIENTS)
def test_on_a_gpu_cudnn_gradients_equal_the_generic_kernels(subject, build):
    """On one GPU with TF32 disabled, the gradients through the cuDNN kernel equal those through the generic kernel
    (`use_cudnn=False`, same weights); the check first proves that the two runs used different kernels."""
    require_use_cudnn()
    built = build(subject)
    disabled = subject.with_probe(tf32=False)  # the runs say so, in failure messages and in recorded comparisons
    with installation.tf32(False):
        fast = probed(disabled, built)
        generic = probed(disabled, replace(built, layer=twin(built, use_cudnn=False)), note="use_cudnn=False")
    require_kernel_record(fast)
    if not cudnn_expected(subject.cell, subject.probe.mask_array):
        under = "" if subject.probe.mask is None else f" under the {subject.probe.mask} mask"
        pytest.skip(f"{installation.current().backend} runs no cuDNN {subject.cell}{under}: there is no second kernel")
    assert_cudnn_then_generic(fast, generic)
    for name, a, b in zip(fast.names, fast.arrays, generic.arrays):
        assert_close(a, b, GRADIENT_GPU_VERSUS_CPU[False], f"the gradient for {name} through cuDNN and through the generic kernel", fast)


# Gradients under mixed precision, and loss scaling.


@parametrize_with_cases("subject", cases=MIXED_GRADIENTS)
def test_under_a_mixed_policy_the_gradients_for_the_weights_arrive_in_float32(subject, observe):
    """Under "mixed_float16" and "mixed_bfloat16" the layer computes in float16 or bfloat16, while the gradients
    with respect to its weights arrive in float32, the policy's variable dtype: the dtype of the weights they
    update."""
    run = observe(subject)
    weights = subject.weight_names
    wrong = {name: dtype for name, dtype in zip(run.names, run.dtypes) if name in weights and dtype != "float32"}
    assert not wrong, f"gradients not in float32: {wrong}\n  configuration: {run.describe()}"


UNIT_LEARNING_RATE = 1.0  # a step of plain SGD then moves each weight by the gradient itself
OVERFLOWING = 1e4  # targets this far from outputs below 1: the loss's gradient (about 1e3) times 2**15 overflows float16


def mixed_float16_model(subject, built, optimizer):
    """A model of the subject's layer made, as the mixed precision guide makes one, under the global policy
    "mixed_float16" (so that the model's own policy is mixed_float16) and compiled with `optimizer` and the mean
    squared error; the layer is a twin holding the subject's weights, so that training leaves the session's as it
    was. Returns the model and its layer."""
    keras = installation.keras()
    layer = twin(built)
    with installation.global_dtype_policy("mixed_float16"), installation.on_device(subject.device):
        inputs = keras.Input(shape=(subject.shape.timesteps, subject.shape.features))
        model = keras.Model(inputs, layer(inputs))
        model.compile(optimizer=optimizer, loss="mean_squared_error")
    return model, layer


def trained(subject) -> Described:
    return Described(f"a model of {subject.describe()}, under the global policy mixed_float16, trained with SGD")


def seeded_targets(subject) -> np.ndarray:
    return seeded.inputs((subject.shape.batch, subject.shape.units), seeded.seed_for("targets", *subject.seed_parts))


def train_on_batch(subject, model, inputs, targets) -> None:
    with installation.on_device(subject.device):
        model.train_on_batch(inputs, targets)


def loss_scale(optimizer) -> float:
    """A LossScaleOptimizer's current loss scale: `dynamic_scale` in Keras 3, `loss_scale` in Keras 2."""
    value = optimizer.dynamic_scale if hasattr(optimizer, "dynamic_scale") else optimizer.loss_scale
    return float(installation.to_numpy(value))


@parametrize_with_cases("subject", cases=trained_under_mixed_float16)
def test_compiling_a_mixed_float16_model_wraps_its_optimizer_in_a_loss_scale_optimizer(subject, build):
    """`compile` wraps the optimizer of a model whose dtype policy is "mixed_float16" in a `LossScaleOptimizer`
    around the optimizer given ("auto_scale_loss: If True and the model dtype policy is "mixed_float16", the passed
    optimizer will be automatically wrapped in a LossScaleOptimizer, which will dynamically scale the loss")."""
    keras = installation.keras()
    given = keras.optimizers.SGD(learning_rate=UNIT_LEARNING_RATE)
    model, _ = mixed_float16_model(subject, build(subject), given)
    found = model.optimizer
    assert isinstance(found, keras.mixed_precision.LossScaleOptimizer), (
        f"compile kept a {type(found).__name__}, not wrapped in a LossScaleOptimizer\n  configuration: "
        f"{trained(subject).describe()}"
    )
    assert found.inner_optimizer is given, (
        f"the LossScaleOptimizer wraps a {type(found.inner_optimizer).__name__}, not the optimizer given"
        f"\n  configuration: {trained(subject).describe()}"
    )


@parametrize_with_cases("subject", cases=trained_under_mixed_float16)
def test_a_mixed_float16_training_step_applies_the_gradient_of_the_loss_itself(subject, build):
    """A training step of a mixed_float16 model moves each weight by the learning rate times the gradient of the
    loss itself, as backpropagation through time of the reference computes it: the loss scale (2**15) multiplies
    the loss for the backward pass, and "the final gradients are divided (or "unscaled") by the loss scale to bring
    them back to their original value"."""
    built = build(subject)
    model, layer = mixed_float16_model(subject, built, installation.keras().optimizers.SGD(learning_rate=UNIT_LEARNING_RATE))
    targets = seeded_targets(subject)
    before = layer_weights(layer)
    train_on_batch(subject, model, built.inputs, targets)
    after = layer_weights(layer)
    wanted = expected_mean_squared_error_gradients(subject, before, built.inputs, targets)
    for name in before:
        applied = (before[name] - after[name]) / UNIT_LEARNING_RATE
        assert_close(
            applied, wanted[name], GRADIENT_UNDER_MIXED_FLOAT16,
            f"the step applied to {name}, over the learning rate, and the reference's gradient of the loss", trained(subject),
        )


@parametrize_with_cases("subject", cases=trained_under_mixed_float16)
def test_a_mixed_float16_training_step_whose_gradients_overflow_is_skipped_and_halves_the_loss_scale(subject, build):
    """A training step of a mixed_float16 model whose scaled gradients overflow float16 is skipped, every weight
    staying as it was, and the loss scale is halved, from its documented initial 2**15 to 2**14 ("if a nonfinite
    gradient is encountered, the loss scale is halved, and the train step is skipped")."""
    built = build(subject)
    model, layer = mixed_float16_model(subject, built, installation.keras().optimizers.SGD(learning_rate=UNIT_LEARNING_RATE))
    before = layer_weights(layer)
    train_on_batch(subject, model, built.inputs, OVERFLOWING * seeded_targets(subject))
    after = layer_weights(layer)
    for name in before:
        assert_identical(after[name], before[name], f"{name} after the step and before it", trained(subject))
    scale = loss_scale(model.optimizer)
    assert scale == 2.0**14, (
        f"the loss scale is {scale:g} after a skipped step from 2**15, not 2**14\n  configuration: {trained(subject).describe()}"
    )
