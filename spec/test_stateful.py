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

from rnnspec import data, installation
from rnnspec.assertions import assert_close, assert_identical
from rnnspec.observe import Returned, call, flatten
from rnnspec.oracle import expected, layer_weights
from rnnspec.tolerances import VERSUS_REFERENCE
from spec.cases import Tag

CASES = "spec.cases_time"
RETURNED = ("output", "h", "c")


def from_zero_states(built):
    for variable in built.layer.states:
        variable.assign(np.zeros(variable.shape, dtype="float32"))
    return built


def second_batch(built) -> np.ndarray:
    return data.inputs(built.inputs.shape, seed=99)


def continuation(config, built) -> tuple[np.ndarray, ...]:
    """The reference for the second batch, started from the reference's final states of the first."""
    weights = layer_weights(built.layer)
    first = expected(replace(config, return_state=True, options=()), weights, built.inputs)
    return expected(config, weights, second_batch(built), initial_state=list(first[1:]))


def assert_continues(returned, config, built):
    for name, actual, wanted in zip(RETURNED, returned.arrays, continuation(config, built)):
        assert_close(actual, wanted, VERSUS_REFERENCE["float32"], f"second call's {name} and the continued reference's", returned)


@parametrize_with_cases("config", cases=CASES, prefix="stateful_")
def test_a_second_call_starts_from_the_first_calls_final_states(config, built):
    """A stateful layer's second call returns what the reference returns for the second batch started from the
    first batch's final states."""
    layer = from_zero_states(built(config))
    call(config, layer.layer, layer.inputs)
    assert_continues(call(config, layer.layer, second_batch(layer), note="second call"), config, layer)


@parametrize_with_cases("config", cases=CASES, prefix="stateful_", has_tag=Tag.STATES)
def test_layer_states_hold_the_returned_states(config, built):
    """After a call, `layer.states` holds exactly the final states the call returned, in the same order."""
    layer = from_zero_states(built(config))
    returned = call(config, layer.layer, layer.inputs)
    for name, state, variable in zip(config.state_names, returned.states, layer.layer.states):
        assert_identical(installation.to_numpy(variable), state, f"layer.states' {name} and the returned {name}", returned)


@parametrize_with_cases("config", cases=CASES, prefix="stateful_")
def test_reset_states_restores_the_first_result(config, built):
    """After `reset_states()`, the layer returns for the first batch exactly what it returned the first time."""
    layer = from_zero_states(built(config))
    first = call(config, layer.layer, layer.inputs)
    call(config, layer.layer, second_batch(layer))
    layer.layer.reset_states()
    again = call(config, layer.layer, layer.inputs, note="after reset_states()")
    for name, before, after in zip(RETURNED, first.arrays, again.arrays):
        assert_identical(after, before, f"{name} after reset_states() and the first {name}", again)


@parametrize_with_cases("config", cases=CASES, prefix="stateful_", has_tag=[Tag.LAST_OUTPUT, Tag.NO_STATES])
def test_a_batch_of_another_size_is_refused(config, built):
    """A stateful layer refuses a batch of another size than the one it was built for, with a ValueError that
    names both batch sizes (Keras 3 as "batch size", Keras 2 as the input shape it expected)."""
    layer = from_zero_states(built(config))
    with installation.on_device(config.device), pytest.raises(ValueError) as refused:
        layer.layer(layer.inputs[:2])
    message = str(refused.value)
    assert re.search(rf"\b{config.shape.batch}\b", message) and re.search(r"\b2\b", message), (
        f"the error does not name the batch size built for ({config.shape.batch}) and the one given (2): {message}"
    )


@parametrize_with_cases("config", cases=CASES, prefix="stateful_")
def test_a_functional_model_carries_the_states_between_calls(config, built):
    """Inside a functional model with a fixed batch size, a stateful layer carries its states from one call of
    the model to the next."""
    layer = from_zero_states(built(config))
    call(config, layer.model, layer.inputs, note="functional model")
    assert_continues(call(config, layer.model, second_batch(layer), note="functional model, second call"), config, layer)


@parametrize_with_cases("config", cases=CASES, prefix="stateful_")
def test_a_compiled_predict_carries_the_states_between_calls(config, built):
    """Under `model.predict` (a compiled function) with the fixed batch size, a stateful layer carries its states
    from one batch to the next."""
    layer = from_zero_states(built(config))
    with installation.on_device(config.device):
        layer.model.predict(layer.inputs, batch_size=len(layer.inputs), verbose=0)
        second = layer.model.predict(second_batch(layer), batch_size=len(layer.inputs), verbose=0)
    returned = Returned(config, tuple(np.asarray(a) for a in flatten(second)), "model.predict, second batch")
    assert_continues(returned, config, layer)
