"""Chapter 11. Training: the gradients of what a recurrent layer returns, and what a training step does with them.

A layer is trained through the gradient of a loss over what it returns. Here the loss is a seeded weighted sum
of the output and of every returned state (rnnspec.gradients), so that each return path carries gradient, and
its gradient with respect to the inputs, the initial states and every weight is held against backpropagation
through time in NumPy (rnnspec.reference_gradients, itself proved against finite differences). A regression
that leaves the forward values untouched (a gradient cut through time, a masked step that leaks gradient) fails
here, and nowhere else. "training: Python boolean indicating whether the layer should behave in training mode"
(https://keras.io/api/layers/recurrent_layers/lstm/); https://keras.io/api/models/model_training_apis/.
"""

import numpy as np
from pytest_cases import parametrize_with_cases

from rnnspec.assertions import assert_close, assert_identical
from rnnspec.expected import expected_gradients, expected_training
from rnnspec.sequences import MASKS
from rnnspec.gradients import LEARNING_RATE
from rnnspec.tolerances import GRADIENT_VERSUS_REFERENCE, TRAINED_VERSUS_REFERENCE
from spec.cases_training import GRADIENTS, MASKED_GRADIENTS, TRAINING_STEPS


def assert_gradients_equal_the_reference(run, which):
    for name, actual, wanted in zip(run.names, run.arrays, expected_gradients(run)):
        if which(name):
            assert_close(actual, wanted, GRADIENT_VERSUS_REFERENCE, f"the gradient for {name} and the reference's", run)


@parametrize_with_cases("config", cases=GRADIENTS)
def test_the_gradient_with_respect_to_the_inputs_equals_the_reference(config, observe):
    """The gradient of the loss with respect to the input sequence equals backpropagation through time of the
    reference cell equations, at every step (read backwards too, and under a mask)."""
    assert_gradients_equal_the_reference(observe(config), lambda name: name == "inputs")


@parametrize_with_cases("config", cases=GRADIENTS)
def test_the_gradient_with_respect_to_the_initial_states_equals_the_reference(config, observe):
    """The gradient with respect to each initial state given as `initial_state` (h, and c for LSTM) equals the
    reference's: what reaches the start of the sequence through every step."""
    assert_gradients_equal_the_reference(observe(config), lambda name: name.startswith("initial"))


@parametrize_with_cases("config", cases=GRADIENTS)
def test_the_gradients_with_respect_to_the_weights_equal_the_reference(config, observe):
    """The gradient with respect to `kernel`, `recurrent_kernel` and `bias` equals the reference's: the sum over
    every step of what each step contributes."""
    assert_gradients_equal_the_reference(observe(config), lambda name: name not in ("inputs",) and not name.startswith("initial"))


@parametrize_with_cases("config", cases=MASKED_GRADIENTS)
def test_the_inputs_at_masked_steps_receive_no_gradient(config, observe):
    """A masked step does not count: its input receives exactly zero gradient, whatever the loss."""
    run = observe(config)
    d_inputs = run.arrays[run.names.index("inputs")]
    masked = d_inputs[~MASKS[config.mask]]
    assert_identical(masked, np.zeros_like(masked), "the gradient for the inputs at masked steps and zeros", run)


@parametrize_with_cases("config", cases=TRAINING_STEPS)
def test_sgd_moves_every_weight_by_the_learning_rate_times_the_gradient(config, observe):
    """Through Keras's own training loop, a step of plain SGD (`train_on_batch`, or each epoch of `fit` on one
    batch) moves every weight by exactly -learning_rate times the gradient of the loss: after the steps, the
    weights are the reference's, stepped the same way from the same start."""
    run = observe(config)
    for name, actual, wanted in zip(run.names, run.arrays, expected_training(run)):
        what = f"{name} after {config.call_path} (SGD, learning rate {LEARNING_RATE}) and the reference's"
        assert_close(actual, wanted, TRAINED_VERSUS_REFERENCE, what, run)
