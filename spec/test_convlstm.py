"""Chapter 13. The convolutional LSTM: ConvLSTM1D, ConvLSTM2D and ConvLSTM3D.

"Similar to an LSTM layer, but the input transformations and recurrent transformations are both convolutional"
(https://keras.io/api/layers/recurrent_layers/conv_lstm2d/, and the conv_lstm1d/ and conv_lstm3d/ pages). Its
input is (batch, time, *spatial, channels), or (batch, time, channels, *spatial) with
`data_format="channels_first"`; it returns, as the LSTM does, the output followed with `return_state` by the final
h and c, each shaped like one step of the output: the filters over the spatial dimensions that `padding` and
`strides` leave. The seed notebook's claims are stated for it as chapter 1 states them for the LSTM, and its values
against an independent NumPy implementation of the ConvLSTM equations with a convolution of its own
(`rnnspec/oracle/convlstm.py`): the input convolution with the layer's padding and strides, the state
convolution with stride 1 and "same" padding. `go_backwards`, `stateful`, `initial_state`, `get_initial_state`,
a mask and dropout at inference are stated as chapters 3 to 6, 9 and 12 state them for the LSTM; chapter 12 holds
the ConvLSTM layers to its statements on initializers, regularizers, constraints, configuration and saving, and
chapter 9 to its statement on `seed`.
"""

import math
from dataclasses import replace

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.probes.observe import call, layer_weights
from rnnspec.statements.assertions import assert_close, assert_identical, assert_shape
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import expected_conv_lstm
from rnnspec.statements.shared import (
    assert_backwards_is_forwards_on_the_reversed_input,
    assert_c_is_not_h,
    assert_h_is_bounded_by_tanh_of_c,
    returned_container,
    skip_unless_visible,
)
from rnnspec.statements.tolerances import CONV_LSTM_VERSUS_REFERENCE, FLOAT32_REARRANGED
from rnnspec.subjects import seeded
from rnnspec.subjects.convlstm import CONV_FILTERS
from spec.cases_convlstm import (
    CONV_BACKWARDS,
    CONV_DROPOUT,
    CONV_GEOMETRIES,
    CONV_LSTM,
    CONV_MASKED,
    CONV_STATEFUL,
    CONV_VARIANTS,
    rank_of,
)
from spec.vocabulary import Tag

CONV = "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}"
WITH_TANH = (*CONV_LSTM, *CONV_GEOMETRIES)  # the default activations, which the identities of c and h rest on
EVERY_LAYER = (*WITH_TANH, *CONV_VARIANTS)


def output_step_shape(subject) -> tuple[int, ...]:
    """One step of the output, and each state, without the batch: the filters over the spatial dimensions the
    convolution leaves, ceil((size - span + 1) / stride) with "valid" padding and ceil(size / stride) with "same"
    (https://www.tensorflow.org/api_docs/python/tf/nn#notes_on_padding_2), where a kernel of k dilated by d spans
    (k - 1) d + 1 inputs."""
    dilation = dict(subject.options).get("dilation_rate", 1)

    def size(n, k):
        span = (k - 1) * dilation + 1
        return math.ceil((n - span + 1) / subject.strides) if subject.padding == "valid" else math.ceil(n / subject.strides)

    sizes = tuple(size(n, k) for n, k in zip(subject.shape.spatial, subject.kernel_size))
    return (CONV_FILTERS, *sizes) if subject.data_format == "channels_first" else (*sizes, CONV_FILTERS)


def expected_shapes(subject, batch=None) -> tuple[tuple, ...]:
    batch = subject.shape.batch if batch is None else batch
    step = output_step_shape(subject)
    output = (batch, subject.shape.timesteps, *step) if subject.return_sequences else (batch, *step)
    return (output, (batch, *step), (batch, *step)) if subject.return_state else (output,)


def assert_equals_reference(returned, reference) -> None:
    for name, actual, wanted in zip(returned.names, returned.arrays, reference):
        assert_close(actual, wanted, CONV_LSTM_VERSUS_REFERENCE, f"{name} and the reference {name}", returned)


# The structure and the shapes


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.call(sequences)")
@parametrize_with_cases("rank, device", cases=rank_of)
def test_input_must_have_rank_plus_3_dimensions(rank, device):
    """A ConvLSTM of rank N refuses an input without its time dimension (N + 2 dimensions), saying it expected
    ndim=N + 3: "inputs: A 5D tensor" for ConvLSTM2D."""
    skip_unless_visible(device)
    layer = getattr(installation.keras().layers, f"ConvLSTM{rank}D")(CONV_FILTERS, 2)
    wrong = np.ones((2, *(6,) * rank, 3), dtype="float32")
    with installation.on_device(device), pytest.raises(ValueError, match=f"ndim={rank + 3}"):
        layer(wrong)


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_state", f"{CONV}.call()")
@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=Tag.NO_STATES)
def test_without_return_state_one_tensor_is_returned(subject, observe):
    """Without `return_state`, a ConvLSTM returns its output alone: one tensor, not a tuple or list."""
    run = observe(subject)
    assert run.container not in (tuple, list), (
        f"returned a {run.container.__name__} of {len(run.arrays)} where one tensor was expected"
        f"\n  configuration: {run.describe()}"
    )


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_state", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_sequences", f"{CONV}.call()")
@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=Tag.STATES)
def test_with_return_state_the_output_is_followed_by_h_and_c(subject, observe):
    """With `return_state`, a ConvLSTM returns (output, h, c): a tuple in Keras 3 and a list in Keras 2."""
    run = observe(subject)
    expected = returned_container()
    assert run.container is expected and len(run.arrays) == 3, (
        f"returned a {run.container.__name__} of {len(run.arrays)} tensors; expected a {expected.__name__} of 3: "
        f"output, h, c\n  configuration: {run.describe()}"
    )


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.filters", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.kernel_size", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.strides", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.padding", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.data_format", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.dilation_rate", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_sequences")
@parametrize_with_cases("subject", cases=EVERY_LAYER)
def test_output_shape_follows_return_sequences_padding_strides_and_data_format(subject, observe):
    """The output is (batch, *step) without `return_sequences` and (batch, timesteps, *step) with it, where a step
    is (*spatial, filters), or (filters, *spatial) channels first, its spatial sizes those `padding`, `strides` and
    `dilation_rate` leave: ceil((size - span + 1) / stride) "valid", ceil(size / stride) "same"."""
    run = observe(subject)
    assert_shape(run.output, expected_shapes(subject)[0], "the output", run)


@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=Tag.STATES)
def test_h_and_c_have_the_shape_of_one_output_step(subject, observe):
    """h and c have the shape of one step of the output, (batch, *step), whatever `return_sequences` says."""
    run = observe(subject)
    for name, state in run.state.items():
        assert_shape(state, (subject.shape.batch, *output_step_shape(subject)), f"state {name}", run)


@parametrize_with_cases("subject", cases=EVERY_LAYER)
def test_everything_returned_is_float32(subject, observe):
    """Under the default float32 policy, the output, h and c are float32."""
    run = observe(subject)
    wrong = {name: dtype for name, dtype in zip(run.names, run.dtypes) if dtype != "float32"}
    assert not wrong, f"not float32: {wrong}\n  configuration: {run.describe()}"


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.compute_output_shape()")
@parametrize_with_cases("subject", cases=EVERY_LAYER)
def test_compute_output_shape_agrees_with_the_tensors(subject, observe):
    """`layer.compute_output_shape(input_shape)` gives the shapes of the tensors the layer returns, in order."""
    run = observe(subject)
    returned = tuple(a.shape for a in run.arrays)
    assert run.computed_shapes == returned, (
        f"compute_output_shape says {run.computed_shapes}, the layer returned {returned}\n  configuration: {run.describe()}"
    )


@parametrize_with_cases("subject", cases=EVERY_LAYER)
def test_symbolic_output_shapes_agree_with_the_tensors(subject, observe):
    """A functional model's symbolic outputs have the shapes the layer returns, with None for the batch."""
    run = observe(subject)
    expected = tuple((None, *shape[1:]) for shape in expected_shapes(subject))
    assert run.symbolic_shapes == expected, (
        f"symbolic output shapes {run.symbolic_shapes}, expected {expected}\n  configuration: {run.describe()}"
    )


# The identities of the seed notebook


@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=[Tag.LAST_OUTPUT, Tag.STATES])
def test_without_return_sequences_the_output_is_the_final_h(subject, observe):
    """Without `return_sequences`, the output is exactly the final h."""
    run = observe(subject)
    assert_identical(run.output, run.state["h"], "the output and the final h", run)


@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=[Tag.SEQUENCES, Tag.STATES])
def test_with_return_sequences_the_last_step_is_the_final_h(subject, observe):
    """With `return_sequences`, the last step of the output sequence, output[:, -1], is exactly the final h."""
    run = observe(subject)
    assert_identical(run.output[:, -1], run.state["h"], "output[:, -1] and the final h", run)


@parametrize_with_cases("subject", cases=WITH_TANH, has_tag=Tag.STATES)
def test_the_cell_state_is_not_h(subject, observe):
    """The second state is the cell state c, which differs from h in every element."""
    assert_c_is_not_h(observe(subject))


@parametrize_with_cases("subject", cases=WITH_TANH, has_tag=Tag.STATES)
def test_h_is_bounded_by_tanh_of_c(subject, observe):
    """h is o * tanh(c) with the output gate o in (0, 1), so |h| <= |tanh(c)| elementwise, with the sign of tanh(c)."""
    assert_h_is_bounded_by_tanh_of_c(observe(subject))


# The values


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.activation", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.recurrent_activation", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.use_bias")
@parametrize_with_cases("subject", cases=EVERY_LAYER)
def test_output_equals_the_reference(subject, observe):
    """The output equals the reference ConvLSTM equations run on the same weights and inputs: the input convolved
    with the layer's padding and strides, the state with stride 1 and "same" padding, gates i, f, c, o."""
    run = observe(subject)
    (weights,) = run.parts
    assert_equals_reference(run, expected_conv_lstm(subject, weights, run.inputs)[:1])


@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=Tag.STATES)
def test_final_states_equal_the_reference(subject, observe):
    """The final h and c equal the reference's."""
    run = observe(subject)
    (weights,) = run.parts
    for name, actual, wanted in zip(run.names[1:], run.states, expected_conv_lstm(subject, weights, run.inputs)[1:]):
        assert_close(actual, wanted, CONV_LSTM_VERSUS_REFERENCE, f"state {name} and the reference {name}", run)


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.unit_forget_bias")
@pytest.mark.parametrize("unit_forget_bias", [True, False])
def test_the_forget_gate_bias_starts_at_one_with_unit_forget_bias(unit_forget_bias):
    """A new ConvLSTM's bias is zero except on the forget gate, the second of the blocks i, f, c, o, where
    `unit_forget_bias=True` (the default) sets it to one; with `unit_forget_bias=False` it is zero throughout."""
    layer = installation.keras().layers.ConvLSTM2D(CONV_FILTERS, 2, unit_forget_bias=unit_forget_bias)
    layer.build((None, 2, 5, 5, 2))
    bias = next(w for w, v in zip(layer.get_weights(), layer.weights) if "bias" in v.name)
    expected = np.zeros(4 * CONV_FILTERS, dtype="float32")
    expected[CONV_FILTERS : 2 * CONV_FILTERS] = 1.0 if unit_forget_bias else 0.0
    assert np.array_equal(bias, expected), (
        f"bias of a new ConvLSTM2D(filters={CONV_FILTERS}, unit_forget_bias={unit_forget_bias}) is {bias}, "
        f"expected {expected}"
    )


# Time and state


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.go_backwards")
@parametrize_with_cases("subject", cases=CONV_BACKWARDS)
def test_reading_backwards_equals_the_reference(subject, build):
    """With `go_backwards=True` the output (in processing order) and the states equal the reference reading the
    steps from last to first."""
    built = build(subject)
    returned = call(subject, built.layer, built.inputs)
    assert_equals_reference(returned, expected_conv_lstm(subject, layer_weights(built.layer), built.inputs))


@parametrize_with_cases("subject", cases=CONV_BACKWARDS)
def test_reading_backwards_equals_a_forward_layer_on_the_reversed_input(subject, build):
    """A ConvLSTM with `go_backwards=True` returns exactly what the same layer reading forwards returns for the
    time-reversed input."""
    assert_backwards_is_forwards_on_the_reversed_input(subject, build(subject))


def from_zero_states(built):
    for variable in built.layer.states:
        variable.assign(np.zeros(variable.shape, dtype="float32"))
    return built


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.stateful")
@parametrize_with_cases("subject", cases=CONV_STATEFUL)
def test_a_second_stateful_call_starts_from_the_first_calls_final_states(subject, build):
    """A stateful ConvLSTM's second call returns what the reference returns for the second batch started from the
    first batch's final h and c."""
    built = from_zero_states(build(subject))
    second = seeded.inputs(built.inputs.shape, seed=99)
    call(subject, built.layer, built.inputs)
    returned = call(subject, built.layer, second, note="second call")
    weights = layer_weights(built.layer)
    _, *first_states = expected_conv_lstm(replace(subject, return_state=True), weights, built.inputs)
    assert_equals_reference(returned, expected_conv_lstm(subject, weights, second, initial_state=first_states))


@documents(f"{CONV}.reset_states()", f"{CONV}.reset_state()")
@parametrize_with_cases("subject", cases=CONV_STATEFUL)
def test_reset_states_restores_the_first_result(subject, build):
    """After `reset_state()`, and after its alias `reset_states()`, a stateful ConvLSTM returns for the first batch
    exactly what it returned the first time."""
    built = from_zero_states(build(subject))
    first = call(subject, built.layer, built.inputs)
    other = seeded.inputs(built.inputs.shape, seed=99)
    # Keras 2 has reset_states() alone
    for method in [name for name in ("reset_state", "reset_states") if hasattr(built.layer, name)]:
        call(subject, built.layer, other)
        getattr(built.layer, method)()
        again = call(subject, built.layer, built.inputs, note=f"after {method}()")
        for name, before, after in zip(first.names, first.arrays, again.arrays):
            assert_identical(after, before, f"{name} after {method}() and the first {name}", again)


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.call(initial_state)")
@parametrize_with_cases("subject", cases=CONV_GEOMETRIES)
def test_initial_state_is_where_the_recurrence_starts(subject, build):
    """Given `initial_state=[h, c]`, each shaped like one output step, the output and states equal the reference
    started from them (and not the reference started from zeros)."""
    built = build(subject)
    rng = np.random.default_rng(seeded.seed_for("initial", subject.cell))
    shape = (subject.shape.batch, *output_step_shape(subject))
    initial = [rng.uniform(-0.9, 0.9, size=shape).astype("float32") for _ in range(2)]
    returned = call(
        subject, built.layer, built.inputs, note="initial_state given",
        initial_state=[installation.as_tensor(state) for state in initial],
    )
    weights = layer_weights(built.layer)
    from_initial = expected_conv_lstm(subject, weights, built.inputs, initial_state=initial)
    assert not np.allclose(from_initial[0], expected_conv_lstm(subject, weights, built.inputs)[0], atol=1e-3), (
        "the test's initial states make no difference to the reference; choose others"
    )
    assert_equals_reference(returned, from_initial)


@documents(f"{CONV}.get_initial_state()")
@parametrize_with_cases("subject", cases=CONV_GEOMETRIES)
def test_the_initial_state_is_zeros_of_one_output_step(subject, build):
    """`get_initial_state(batch_size)` of a built ConvLSTM, where the recurrence starts without `initial_state`, is
    [h, c]: zeros, each shaped like one step of the output, (batch, *step), whatever the geometry."""
    if installation.is_keras_2():
        pytest.skip("Keras 2's get_initial_state takes the inputs, not a batch size")
    layer = build(subject).layer
    with installation.on_device(subject.device):
        found = [np.asarray(installation.to_numpy(state)) for state in layer.get_initial_state(subject.shape.batch)]
    shape = (subject.shape.batch, *output_step_shape(subject))
    assert [state.shape for state in found] == [shape, shape], (
        f"get_initial_state({subject.shape.batch}) gives states of shapes {[s.shape for s in found]}, expected "
        f"[h, c] of {shape}\n  configuration: {subject.describe()}"
    )
    for name, state in zip(subject.state_names, found):
        assert not state.any(), f"the initial {name} is not zeros: {np.count_nonzero(state)} nonzero values"


RIGHT_PADDED = np.array([[True] * 4, [True, True, False, False]])  # CONV_BATCH samples of CONV_TIMESTEPS steps


@documents(f"{CONV}.call(mask)")
@parametrize_with_cases("subject", cases=CONV_MASKED)
def test_a_masked_sample_ends_on_the_states_of_its_unmasked_steps(subject, build):
    """"mask: Binary tensor of shape (samples, timesteps) indicating whether a given timestep should be masked": a
    sample whose last two steps are masked returns the final h and c of its first two steps run alone, and its
    masked steps repeat its last valid output, as chapter 3 states for the LSTM."""
    built = build(subject)
    masked = call(subject, built.layer, built.inputs, note="last two steps of sample 1 masked", mask=RIGHT_PADDED)
    alone = call(subject, built.layer, built.inputs[1:, :2], note="sample 1's first two steps alone")
    for name, batched, single in zip(subject.state_names, masked.states, alone.states):
        assert_close(batched[1:], single, FLOAT32_REARRANGED, f"sample 1's {name} and that of its steps alone", masked)
    repeated = np.repeat(masked.output[1:2, 1:2], 2, axis=1)
    assert_identical(masked.output[1:, 2:], repeated, "sample 1's masked steps and its last valid output", masked)


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.dropout", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.recurrent_dropout", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.call(training)")
@parametrize_with_cases("subject", cases=CONV_DROPOUT)
def test_dropout_changes_nothing_at_inference(subject, observe):
    """With `dropout` and `recurrent_dropout`, a call at inference (no `training=True`) drops nothing: the output
    and states equal the reference without dropout."""
    run = observe(subject)
    (weights,) = run.parts
    assert_equals_reference(run, expected_conv_lstm(subject, weights, run.inputs))
