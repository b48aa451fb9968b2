"""Chapter 1. What `return_sequences` and `return_state` return.

The claims of the seed notebook, for every recurrent cell: the input is 3-D; `return_state` appends the final
states (LSTM: h and c; GRU and SimpleRNN: h); without `return_sequences` the output is the final h, with it the
output is the whole sequence whose last step is the final h; the LSTM cell state is not h; and stacking recurrent
layers needs `return_sequences=True`.

Keras documents these at https://keras.io/api/layers/recurrent_layers/ (the LSTM, GRU and SimpleRNN pages:
"inputs: A 3D tensor, with shape (batch, timesteps, feature)", "return_sequences: Whether to return the last
output in the output sequence, or the full sequence", "return_state: Whether to return the last state in addition
to the output").
"""

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.statements.assertions import assert_identical, assert_shape
from rnnspec.statements.coverage import documents
from rnnspec.statements.shared import (
    assert_c_is_not_h,
    assert_h_is_bounded_by_tanh_of_c,
    returned_container,
    skip_unless_visible,
)
from rnnspec.subjects.layers import recurrent_layer
from rnnspec.subjects.shapes import SHAPES
from spec.cases import CATALOGUE, layer_of, stack_of
from spec.cases_convlstm import EVERY_CONV_LSTM
from spec.vocabulary import Tag

# What chapter 1 holds to the seed notebook's claims: every recurrent layer of the catalogue, and ConvLSTM.
EVERY_LAYER = (*CATALOGUE, *EVERY_CONV_LSTM)


@documents("{LSTM,GRU,SimpleRNN}.call(sequences)")
@pytest.mark.parametrize("rank", [2, 4])
@parametrize_with_cases("cell, device", cases=layer_of)
def test_input_must_be_3d(cell, device, rank):
    """A recurrent layer refuses an input that is not 3-D (batch, timesteps, features), saying it expected ndim=3."""
    skip_unless_visible(device)
    layer = recurrent_layer(cell, 4)
    wrong = np.ones((2, 5, 3, 2)[:rank], dtype="float32")
    with installation.on_device(device), pytest.raises(ValueError, match="ndim=3") as refused:
        layer(wrong)
    assert f"ndim={rank}" in str(refused.value), f"the error does not name the rank received: {refused.value}"


@documents("{LSTM,GRU,SimpleRNN}.return_state", "{LSTM,GRU,SimpleRNN}.call()", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_state", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.call()")
@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=Tag.NO_STATES)
def test_without_return_state_one_tensor_is_returned(subject, observe):
    """Without `return_state`, the layer returns its output alone: one tensor, not a tuple or list."""
    run = observe(subject)
    assert run.container not in (tuple, list), (
        f"returned a {run.container.__name__} of {len(run.arrays)} where one tensor was expected"
        f"\n  configuration: {run.describe()}"
    )


@documents("{LSTM,GRU,SimpleRNN}.return_state", "{LSTM,GRU,SimpleRNN}.call()", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_state", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.call()")
@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=Tag.STATES)
def test_with_return_state_the_output_is_followed_by_the_states(subject, observe):
    """With `return_state`, the layer returns the output followed by its final states: (output, h, c) for LSTM and
    ConvLSTM, (output, h) for GRU and SimpleRNN, as a tuple in Keras 3 and a list in Keras 2."""
    run = observe(subject)
    expected = returned_container()
    count = 1 + len(subject.state_names)
    assert run.container is expected and len(run.arrays) == count, (
        f"returned a {run.container.__name__} of {len(run.arrays)} tensors; expected a {expected.__name__} of "
        f"{count}: output, {', '.join(subject.state_names)}\n  configuration: {run.describe()}"
    )


@documents("{LSTM,GRU,SimpleRNN}.return_sequences", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_sequences")
@parametrize_with_cases("subject", cases=EVERY_LAYER)
def test_output_shape_follows_return_sequences(subject, observe):
    """The output is one step, (batch, units), without `return_sequences` and the sequence of them, (batch,
    timesteps, units), with it. A ConvLSTM's step is its filters over the spatial sizes its convolution leaves
    (chapter 13)."""
    run = observe(subject)
    assert_shape(run.output, subject.returned_shapes[0], "the output", run)


@documents("{LSTM,GRU,SimpleRNN}.units", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.filters")
@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=Tag.STATES)
def test_every_state_has_the_shape_of_one_output_step(subject, observe):
    """Every returned state, h and (LSTM, ConvLSTM) c, has the shape of one step of the output, whatever
    `return_sequences` says: (batch, units), or a ConvLSTM's (batch, *step)."""
    run = observe(subject)
    for (name, state), shape in zip(run.state.items(), subject.returned_shapes[1:]):
        assert_shape(state, shape, f"state {name}", run)


@parametrize_with_cases("subject", cases=EVERY_LAYER)
def test_everything_returned_is_float32(subject, observe):
    """Under the default float32 policy, the output and every state are float32."""
    run = observe(subject)
    wrong = {name: dtype for name, dtype in zip(run.names, run.dtypes) if dtype != "float32"}
    assert not wrong, f"not float32: {wrong}\n  configuration: {run.describe()}"


@documents("{LSTM,GRU,SimpleRNN}.return_sequences", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_sequences")
@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=[Tag.LAST_OUTPUT, Tag.STATES])
def test_without_return_sequences_the_output_is_the_final_h(subject, observe):
    """Without `return_sequences`, the output is exactly the final hidden state h."""
    run = observe(subject)
    assert_identical(run.output, run.state["h"], "the output and the final h", run)


@documents("{LSTM,GRU,SimpleRNN}.return_sequences", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.return_sequences")
@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=[Tag.SEQUENCES, Tag.STATES])
def test_with_return_sequences_the_last_step_is_the_final_h(subject, observe):
    """With `return_sequences`, the last step of the output sequence, output[:, -1], is exactly the final h."""
    run = observe(subject)
    assert_identical(run.output[:, -1], run.state["h"], "output[:, -1] and the final h", run)


@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=[Tag.CELL_STATE, Tag.STATES])
def test_lstm_cell_state_is_not_h(subject, observe):
    """The second state of an LSTM (and a ConvLSTM) is its cell state c, which differs from h in every element."""
    assert_c_is_not_h(observe(subject))


@parametrize_with_cases("subject", cases=EVERY_LAYER, has_tag=[Tag.CELL_STATE, Tag.STATES])
def test_lstm_h_is_bounded_by_tanh_of_c(subject, observe):
    """The h of an LSTM (and a ConvLSTM) is o * tanh(c) with the output gate o in (0, 1), so |h| <= |tanh(c)|
    elementwise (and h has the sign of tanh(c))."""
    assert_h_is_bounded_by_tanh_of_c(observe(subject))


STACK_SHAPE = SHAPES["batch"]


def stacked_model(lower: str, upper: str, lower_returns_sequences: bool):
    keras = installation.keras()
    inputs = keras.Input(shape=(STACK_SHAPE.timesteps, STACK_SHAPE.features))
    hidden = recurrent_layer(lower, STACK_SHAPE.units, return_sequences=lower_returns_sequences)(inputs)
    return keras.Model(inputs, recurrent_layer(upper, STACK_SHAPE.units + 2)(hidden))


@parametrize_with_cases("lower, upper, device", cases=stack_of)
def test_stacking_on_a_last_output_is_refused(lower, upper, device):
    """A recurrent layer fed by one with `return_sequences=False` gets a 2-D input and refuses it, saying it
    expected ndim=3: stacking needs `return_sequences=True` below."""
    skip_unless_visible(device)
    with installation.on_device(device), pytest.raises(ValueError, match="ndim=3"):
        stacked_model(lower, upper, lower_returns_sequences=False)


@parametrize_with_cases("lower, upper, device", cases=stack_of)
def test_stacking_on_sequences_works_and_its_shapes_follow(lower, upper, device):
    """A recurrent layer fed by one with `return_sequences=True` accepts the (batch, timesteps, units) sequence
    and returns (batch, its own units), symbolically and when called."""
    skip_unless_visible(device)
    s = STACK_SHAPE
    x = np.random.default_rng(0).normal(size=s.input_shape).astype("float32")
    with installation.on_device(device):
        model = stacked_model(lower, upper, lower_returns_sequences=True)
        y = installation.to_numpy(model(x))
    assert tuple(model.outputs[0].shape) == (None, s.units + 2), f"symbolic output shape {model.outputs[0].shape}"
    assert y.shape == (s.batch, s.units + 2), f"{lower} -> {upper}: output shape {y.shape}, expected {(s.batch, s.units + 2)}"
    assert np.all(np.isfinite(y)), f"{lower} -> {upper}: the stacked output is not finite"


@documents("{LSTM,GRU,SimpleRNN,RNN}.compute_output_shape()", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.compute_output_shape()")
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
    """A functional model's symbolic outputs have the returned tensors' shapes, with None for the batch and for a
    time dimension the Input leaves open."""
    run = observe(subject)
    expected = tuple((None, *shape[1:]) for shape in subject.returned_shapes)
    if subject.shape.dynamic_time and subject.return_sequences:
        expected = ((None, None, *expected[0][2:]), *expected[1:])
    assert run.symbolic_shapes == expected, (
        f"symbolic output shapes {run.symbolic_shapes}, expected {expected}\n  configuration: {run.describe()}"
    )


