"""Chapter 13. The convolutional LSTM: ConvLSTM1D, ConvLSTM2D and ConvLSTM3D.

"Similar to an LSTM layer, but the input transformations and recurrent transformations are both convolutional"
(https://keras.io/api/layers/recurrent_layers/conv_lstm2d/, and the conv_lstm1d/ and conv_lstm3d/ pages). Its
input is (batch, time, *spatial, channels), or (batch, time, channels, *spatial) with
`data_format="channels_first"`; it returns, as the LSTM does, the output followed with `return_state` by the final
h and c, each shaped like one step of the output: the filters over the spatial dimensions that `padding` and
`strides` leave.

Chapter 1 holds it to the seed notebook's claims, chapter 4 to reading backwards, chapter 5 to carrying its states
and resetting them, chapter 6 to `initial_state`, with the other recurrent layers; chapter 12 to its statements on
initializers, regularizers, constraints, configuration and saving, chapter 9 to `seed`. This chapter states what is
its own: the input's rank, the geometry of its output (`padding`, `strides`, `data_format`, `dilation_rate`), its
values against an independent NumPy implementation of the ConvLSTM equations with a convolution of its own
(`rnnspec/oracle/convlstm.py`: the input convolution with the layer's padding and strides, the state convolution
with stride 1 and "same" padding), read forwards and backwards; `get_initial_state` shaped by the geometry; a mask
over its own batch (its oracle has none, so a masked sample is held to its unmasked steps run alone); and dropout
at inference.
"""

import math

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.probes.observe import call, layer_weights
from rnnspec.statements.assertions import assert_close, assert_identical, assert_shape
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import expected_conv_lstm
from rnnspec.statements.shared import (
    skip_unless_visible,
)
from rnnspec.statements.tolerances import CONV_LSTM_VERSUS_REFERENCE, FLOAT32_REARRANGED
from rnnspec.subjects.convlstm import CONV_FILTERS
from spec.cases_convlstm import (
    CONV_BACKWARDS,
    CONV_DROPOUT,
    CONV_GEOMETRIES,
    CONV_MASKED,
    EVERY_CONV_LSTM,
    rank_of,
)
from spec.vocabulary import Tag

CONV = "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}"


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


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.filters", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.kernel_size", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.strides", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.padding", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.data_format", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.dilation_rate", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_sequences")
@parametrize_with_cases("subject", cases=EVERY_CONV_LSTM)
def test_output_shape_follows_return_sequences_padding_strides_and_data_format(subject, observe):
    """The output is (batch, *step) without `return_sequences` and (batch, timesteps, *step) with it, where a step
    is (*spatial, filters), or (filters, *spatial) channels first, its spatial sizes those `padding`, `strides` and
    `dilation_rate` leave: ceil((size - span + 1) / stride) "valid", ceil(size / stride) "same"."""
    run = observe(subject)
    assert_shape(run.output, expected_shapes(subject)[0], "the output", run)


# The identities of the seed notebook


# The values


@documents("{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.activation", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.recurrent_activation", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.use_bias")
@parametrize_with_cases("subject", cases=EVERY_CONV_LSTM)
def test_output_equals_the_reference(subject, observe):
    """The output equals the reference ConvLSTM equations run on the same weights and inputs: the input convolved
    with the layer's padding and strides, the state with stride 1 and "same" padding, gates i, f, c, o."""
    run = observe(subject)
    (weights,) = run.parts
    assert_equals_reference(run, expected_conv_lstm(subject, weights, run.inputs)[:1])


@parametrize_with_cases("subject", cases=EVERY_CONV_LSTM, has_tag=Tag.STATES)
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


def from_zero_states(built):
    for variable in built.layer.states:
        variable.assign(np.zeros(variable.shape, dtype="float32"))
    return built


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
