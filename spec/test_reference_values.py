"""Chapter 2. The values: every configuration computes the documented cell equations.

Shapes and identities cannot tell a correct LSTM from a wrong one of the right shape. Here each configuration's
output and states are held against an independent NumPy implementation of the cell equations in float64
(`rnnspec.oracle.recurrent`), written from the published equations and Keras's documented weight layout:

- LSTM: kernel (features, 4 units), gate blocks i, f, c, o; c' = f c + i g; h' = o tanh(c').
- GRU: gate blocks z, r, h; with `reset_after=True` (the default) the bias is (2, 3 units), input and recurrent
  rows, and the reset gate multiplies the recurrent projection; h' = z h + (1 - z) candidate.
- SimpleRNN: h' = activation(x W + h U + b).

See https://keras.io/api/layers/recurrent_layers/ and the papers cited there. The comparison is made at the
layer's dtype, within the tolerances of `rnnspec.statements.tolerances.VERSUS_REFERENCE`, each with its reason.
"""

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.statements.assertions import assert_close
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import expected_returns
from rnnspec.statements.tolerances import VERSUS_REFERENCE
from spec.cases import CATALOGUE, Tag, variant_arguments, variant_dtype

VARIANTS = (variant_arguments, variant_dtype)


def compared_at_layer_dtype(observation, index):
    """The returned tensor and the reference's value rounded to that tensor's dtype, both as float64."""
    actual = observation.arrays[index]
    expected = expected_returns(observation)[index].astype(actual.dtype)
    return actual.astype(np.float64), expected.astype(np.float64), VERSUS_REFERENCE[observation.dtypes[index]]


@documents("{LSTM,GRU,SimpleRNN}.call(sequences)", "{LSTM,GRU,SimpleRNN}.activation", "{LSTM,GRU}.recurrent_activation", "{LSTM,GRU,SimpleRNN}.use_bias", "GRU.reset_after",
           "{LSTMCell,GRUCell,SimpleRNNCell}.activation", "{LSTMCell,GRUCell}.recurrent_activation", "{LSTMCell,GRUCell,SimpleRNNCell}.use_bias", "GRUCell.reset_after")
@parametrize_with_cases("subject", cases=(*CATALOGUE, *VARIANTS))
def test_output_equals_the_reference(subject, observe):
    """The output (the last one, or the whole sequence) equals the reference cell equations run on the same
    weights and inputs, within the tolerance of the layer's dtype."""
    run = observe(subject)
    actual, expected, tolerance = compared_at_layer_dtype(run, 0)
    assert_close(actual, expected, tolerance, "the output and the reference output", run)


@documents("{LSTM,GRU,SimpleRNN}.call(sequences)", "{LSTM,GRU,SimpleRNN}.activation", "{LSTM,GRU}.recurrent_activation", "{LSTM,GRU,SimpleRNN}.use_bias", "GRU.reset_after")
@parametrize_with_cases("subject", cases=(*CATALOGUE, *VARIANTS), has_tag=Tag.STATES)
def test_final_states_equal_the_reference(subject, observe):
    """Each final state (h, and c for LSTM) equals the reference's final state, within the tolerance of the
    layer's dtype."""
    run = observe(subject)
    for index, name in enumerate(subject.state_names, start=1):
        actual, expected, tolerance = compared_at_layer_dtype(run, index)
        assert_close(actual, expected, tolerance, f"state {name} and the reference {name}", run)


@documents("LSTM.unit_forget_bias")
@pytest.mark.parametrize("unit_forget_bias", [True, False])
def test_lstm_forget_gate_bias_starts_at_one_with_unit_forget_bias(unit_forget_bias):
    """A new LSTM's bias is zero except on the forget gate, the second of the blocks i, f, c, o, where
    `unit_forget_bias=True` (the default) sets it to one; with `unit_forget_bias=False` it is zero throughout."""
    units = 3
    layer = installation.keras().layers.LSTM(units, unit_forget_bias=unit_forget_bias)
    layer.build((None, 2, 4))
    bias = next(w for w, v in zip(layer.get_weights(), layer.weights) if "bias" in v.name)
    expected = np.zeros(4 * units, dtype="float32")
    expected[units : 2 * units] = 1.0 if unit_forget_bias else 0.0
    assert np.array_equal(bias, expected), f"bias of a new LSTM(units={units}, unit_forget_bias={unit_forget_bias}) is {bias}, expected {expected}"
