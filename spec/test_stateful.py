"""Chapter 5. stateful: the states of one call are the initial states of the next.

"stateful: If True, the last state for each sample at index i in a batch will be used as initial state for the
sample of index i in the following batch" (https://keras.io/api/layers/recurrent_layers/lstm/). `layer.states`
holds them, `reset_states()` sets them back to zeros, and the batch size is fixed by the first call.

Every statement starts from zero states, set directly on the state variables, so that no statement depends on
what ran before it (or on `reset_states`, which is itself a statement here).
"""

import re
from dataclasses import replace

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.probes.observe import call, layer_weights, recorded_call
from rnnspec.statements.assertions import assert_close, assert_identical
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import expected_of, reference_tolerance
from rnnspec.subjects import seeded
from spec.cases_convlstm import CONV_STATEFUL
from spec.cases_time import STATEFUL
from spec.vocabulary import Tag


def from_zero_states(built):
    for variable in built.layer.states:
        variable.assign(np.zeros(variable.shape, dtype="float32"))
    return built


def second_batch(built) -> np.ndarray:
    return seeded.inputs(built.inputs.shape, seed=99)


def continuation(subject, built) -> tuple[np.ndarray, ...]:
    """The reference for the second batch, started from the reference's final states of the first."""
    weights = layer_weights(built.layer)
    first = expected_of(replace(subject, return_state=True, options=()), weights, built.inputs)
    return expected_of(subject, weights, second_batch(built), initial_state=list(first[1:]))


def assert_continues(returned, subject, built):
    for name, actual, wanted in zip(returned.names, returned.arrays, continuation(subject, built)):
        assert_close(actual, wanted, reference_tolerance(subject), f"second call's {name} and the continued reference's", returned)


@documents("{LSTM,GRU,SimpleRNN}.stateful", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.stateful")
@parametrize_with_cases("subject", cases=(*STATEFUL, *CONV_STATEFUL))
def test_a_second_call_starts_from_the_first_calls_final_states(subject, build):
    """A stateful layer's second call returns what the reference returns for the second batch started from the
    first batch's final states."""
    built = from_zero_states(build(subject))
    call(subject, built.layer, built.inputs)
    assert_continues(call(subject, built.layer, second_batch(built), note="second call"), subject, built)


@parametrize_with_cases("subject", cases=STATEFUL, has_tag=Tag.STATES)
def test_layer_states_hold_the_returned_states(subject, build):
    """After a call, `layer.states` holds exactly the final states the call returned, in the same order."""
    built = from_zero_states(build(subject))
    returned = call(subject, built.layer, built.inputs)
    for name, state, variable in zip(subject.state_names, returned.states, built.layer.states):
        assert_identical(installation.to_numpy(variable), state, f"layer.states' {name} and the returned {name}", returned)


@documents("{LSTM,GRU,SimpleRNN,RNN,ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.{reset_states,reset_state}()")
@pytest.mark.parametrize("method", ["reset_states", "reset_state"])
@parametrize_with_cases("subject", cases=(*STATEFUL, *CONV_STATEFUL))
def test_reset_states_restores_the_first_result(subject, build, method):
    """After `reset_states()` (or `reset_state()`, the name the RNN page gives it), the layer returns for the first
    batch exactly what it returned the first time."""
    built = from_zero_states(build(subject))
    if installation.is_keras_2() and not hasattr(built.layer, method):
        pytest.skip(f"{installation.current().describe()} has no {method}() (Keras 2 names it reset_states() alone)")
    first = call(subject, built.layer, built.inputs)
    call(subject, built.layer, second_batch(built))
    getattr(built.layer, method)()
    again = call(subject, built.layer, built.inputs, note=f"after {method}()")
    for name, before, after in zip(first.names, first.arrays, again.arrays):
        assert_identical(after, before, f"{name} after {method}() and the first {name}", again)


@parametrize_with_cases("subject", cases=STATEFUL, has_tag=[Tag.LAST_OUTPUT, Tag.NO_STATES])
def test_a_batch_of_another_size_is_refused(subject, build):
    """A stateful layer refuses a batch of another size than the one it was built for, with a ValueError that
    names both batch sizes (Keras 3 as "batch size", Keras 2 as the input shape it expected)."""
    built = from_zero_states(build(subject))
    with installation.on_device(subject.device), pytest.raises(ValueError) as refused:
        built.layer(built.inputs[:2])
    message = str(refused.value)
    assert re.search(rf"\b{subject.shape.batch}\b", message) and re.search(r"\b2\b", message), (
        f"the error does not name the batch size built for ({subject.shape.batch}) and the one given (2): {message}"
    )


@parametrize_with_cases("subject", cases=STATEFUL)
def test_a_functional_model_carries_the_states_between_calls(subject, build):
    """Inside a functional model with a fixed batch size, a stateful layer carries its states from one call of
    the model to the next."""
    built = from_zero_states(build(subject))
    call(subject, built.model, built.inputs, note="functional model")
    assert_continues(call(subject, built.model, second_batch(built), note="functional model, second call"), subject, built)


@parametrize_with_cases("subject", cases=STATEFUL)
def test_a_compiled_predict_carries_the_states_between_calls(subject, build):
    """Under `model.predict` (a compiled function) with the fixed batch size, a stateful layer carries its states
    from one batch to the next."""
    built = from_zero_states(build(subject))

    def predict(inputs):
        return lambda: built.model.predict(inputs, batch_size=len(inputs), verbose=0)

    recorded_call(subject, predict(built.inputs), "model.predict")
    assert_continues(recorded_call(subject, predict(second_batch(built)), "model.predict, second batch"), subject, built)
