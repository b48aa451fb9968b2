"""Tests of the hand-written gradients of the NumPy oracle (rnnspec.oracle.backprop): each vector-Jacobian
product against central finite differences of the forward reference (rnnspec.oracle.recurrent), and the properties the
module documents."""

from dataclasses import dataclass

import numpy as np
import pytest

from rnnspec.oracle.backprop import ACTIVATION_DERIVATIVES, bidirectional_vjp, sequence_vjp, stacked_vjp
from rnnspec.oracle.recurrent import ACTIVATIONS, MERGE_MODES, CellSpec, bidirectional, run_sequence
from spec.meta.reference_inputs import random_weights

pytestmark = pytest.mark.meta

STEP = 1e-6
# Central differences with STEP = 1e-6 err by about STEP² |L'''| ≈ 1e-12 (truncation) plus eps |L| / STEP ≈ 1e-9
# (float64 rounding of L, |L| ≈ 10). A bound of 1e-6 of the gradient's scale (its largest entry, at least 1) leaves
# a thousandfold margin over that, while a wrong or missing term of the chain rule moves entries by far more.
RELATIVE_ERROR = 1e-6

# Small, so that the finite differences (two forward passes per entry) take seconds.
BATCH, STEPS, FEATURES = 3, 4, 2
# One row per sample; each pattern also holds a sample with every step valid.
MASKS = {
    "right_padded": [[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]],
    "left_padded": [[1, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1]],
    "gap": [[1, 0, 0, 1], [1, 1, 0, 1], [1, 1, 1, 1]],
    "fully_masked_sample": [[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]],
}

WEIGHT_SCALE = 0.8  # weights of this spread keep the gates between saturation and linearity


def mask_named(name):
    return None if name is None else np.array(MASKS[name], dtype=bool)


def finite_differences(loss, point: np.ndarray) -> np.ndarray:
    """Central differences of loss() with respect to every entry of point, which loss reads and which is
    perturbed in place (and restored)."""
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + STEP
        above = loss()
        point[index] = original - STEP
        below = loss()
        point[index] = original
        gradient[index] = (above - below) / (2 * STEP)
    return gradient


def assert_matches_finite_differences(loss, analytic_by_point):
    """analytic_by_point: (name, point, analytic gradient) triples, point being an array loss() reads."""
    for name, point, analytic in analytic_by_point:
        numeric = finite_differences(loss, point)
        scale = max(np.abs(numeric).max(initial=0.0), 1.0)
        np.testing.assert_allclose(analytic, numeric, rtol=0, atol=RELATIVE_ERROR * scale, err_msg=name)


def weighted_sum(cotangents, values) -> float:
    """L = sum over the pairs of sum(cotangent * value)."""
    return float(sum(np.sum(d * v) for d, v in zip(cotangents, values)))




def random_states(spec: CellSpec, batch: int, rng) -> list:
    return [rng.normal(0.0, 0.8, (batch, spec.units)) for _ in range(spec.state_count)]


def weight_points(prefix: str, weights: dict, gradients: dict) -> list:
    assert gradients.keys() == weights.keys()
    return [(f"{prefix}{key}", weights[key], gradients[key]) for key in weights]


def state_points(prefix: str, states: list, gradients: list) -> list:
    assert len(gradients) == len(states)
    return [(f"{prefix}initial_state[{k}]", s, g) for k, (s, g) in enumerate(zip(states, gradients))]


# --------------------------------------------------------------------------------------
# One recurrent layer
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """How the layer is called: which mask of MASKS, go_backwards, zero_output_for_mask, random initial states."""

    mask: str | None = None
    go_backwards: bool = False
    zero_output_for_mask: bool = False
    initial_state: bool = True

    def __str__(self) -> str:
        flags = [
            self.mask or "unmasked",
            *(["go_backwards"] if self.go_backwards else []),
            *(["zero_output"] if self.zero_output_for_mask else []),
            "initial_state" if self.initial_state else "zero_state",
        ]
        return "-".join(flags)


SCENARIOS = [
    Scenario(),
    Scenario(go_backwards=True),
    Scenario(mask="right_padded"),
    Scenario(mask="left_padded", zero_output_for_mask=True),
    Scenario(mask="gap", go_backwards=True),
    Scenario(mask="gap", go_backwards=True, zero_output_for_mask=True),
    Scenario(mask="fully_masked_sample"),
    Scenario(mask="fully_masked_sample", zero_output_for_mask=True),
]

# Every scenario runs on the default of each cell; the variants (no bias, other activations) on two scenarios
# that between them hold every mask feature: the time loop is one code path whatever the cell.
DEFAULT_CELLS = [
    CellSpec("LSTM", 2),
    CellSpec("GRU", 2, reset_after=True),
    CellSpec("GRU", 2, reset_after=False),
    CellSpec("SimpleRNN", 3),
]
VARIANTS = [
    CellSpec("LSTM", 2, use_bias=False),
    CellSpec("LSTM", 3, activation="relu", recurrent_activation="hard_sigmoid"),
    CellSpec("GRU", 2, reset_after=True, use_bias=False),
    CellSpec("GRU", 3, reset_after=True, activation="linear", recurrent_activation="hard_sigmoid_keras2"),
    CellSpec("GRU", 2, reset_after=False, use_bias=False),
    CellSpec("GRU", 3, reset_after=False, activation="sigmoid", recurrent_activation="tanh"),
    CellSpec("SimpleRNN", 4, activation="relu", use_bias=False),
]
VARIANT_SCENARIOS = [
    Scenario(mask="gap", go_backwards=True),
    Scenario(mask="fully_masked_sample", zero_output_for_mask=True, initial_state=False),
]
SPECS = DEFAULT_CELLS + VARIANTS


def spec_id(spec: CellSpec) -> str:
    variant = f"-reset_after={spec.reset_after}" if spec.cell == "GRU" else ""
    bias = "" if spec.use_bias else "-no_bias"
    return f"{spec.cell}{variant}-{spec.units}-{spec.activation}-{spec.recurrent_activation}{bias}"


@dataclass
class SequenceProblem:
    """A layer, its inputs and the cotangents of what it returns; the arrays are perturbed in place."""

    spec: CellSpec
    weights: dict
    x: np.ndarray
    initial_state: list | None
    d_outputs: np.ndarray
    d_states: list
    options: dict

    def loss(self) -> float:
        arguments = dict(initial_state=self.initial_state, **self.options)
        outputs, states = run_sequence(self.spec, self.weights, self.x, **arguments)
        return weighted_sum([self.d_outputs, *self.d_states], [outputs, *states])

    def gradients(self, **overrides):
        arguments = dict(d_outputs=self.d_outputs, d_states=self.d_states, initial_state=self.initial_state)
        return sequence_vjp(self.spec, self.weights, self.x, **{**arguments, **self.options, **overrides})


def sequence_problem(spec: CellSpec, scenario: Scenario, seed=0, weight_scale=WEIGHT_SCALE) -> SequenceProblem:
    rng = np.random.default_rng(seed)
    options = dict(
        mask=mask_named(scenario.mask),
        go_backwards=scenario.go_backwards,
        zero_output_for_mask=scenario.zero_output_for_mask,
    )
    return SequenceProblem(
        spec=spec,
        weights=random_weights(spec, FEATURES, rng, weight_scale),
        x=rng.normal(size=(BATCH, STEPS, FEATURES)),
        initial_state=random_states(spec, BATCH, rng) if scenario.initial_state else None,
        d_outputs=rng.normal(size=(BATCH, STEPS, spec.units)),
        d_states=random_states(spec, BATCH, rng),
        options=options,
    )


def assert_sequence_gradients_match(problem: SequenceProblem):
    gradients = problem.gradients()
    points = [("inputs", problem.x, gradients.inputs), *weight_points("", problem.weights, gradients.weights)]
    if problem.initial_state is not None:
        points += state_points("", problem.initial_state, gradients.initial_state)
    assert_matches_finite_differences(problem.loss, points)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
@pytest.mark.parametrize("spec", DEFAULT_CELLS, ids=spec_id)
def test_sequence_gradients_match_finite_differences(spec, scenario):
    """Inputs, initial states and every weight entry, for each cell, mask pattern, go_backwards and
    zero_output_for_mask."""
    assert_sequence_gradients_match(sequence_problem(spec, scenario))


@pytest.mark.parametrize("scenario", VARIANT_SCENARIOS, ids=str)
@pytest.mark.parametrize("spec", VARIANTS, ids=spec_id)
def test_variant_gradients_match_finite_differences(spec, scenario):
    """Without bias, and with other activations."""
    assert_sequence_gradients_match(sequence_problem(spec, scenario))


CELL_VARIANTS = [("LSTM", True), ("GRU", True), ("GRU", False), ("SimpleRNN", True)]


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("cell, reset_after", CELL_VARIANTS, ids=["LSTM", "GRU-reset_after", "GRU", "SimpleRNN"])
def test_every_activation_as_both_activations(cell, reset_after, activation):
    """Larger weights push the gates into the hard sigmoids' flat regions as well as their slopes."""
    spec = CellSpec(cell, 2, activation=activation, recurrent_activation=activation, reset_after=reset_after)
    assert_sequence_gradients_match(sequence_problem(spec, Scenario(mask="gap"), seed=1, weight_scale=1.5))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivatives(name):
    # Points away from every kink (0, ±2.5, ±3), where the derivative is one-sided.
    points = np.array([-7.1, -2.9, -2.6, -1.3, -0.4, 0.2, 1.1, 2.4, 2.7, 3.4, 8.3])
    numeric = (ACTIVATIONS[name](points + STEP) - ACTIVATIONS[name](points - STEP)) / (2 * STEP)
    np.testing.assert_allclose(ACTIVATION_DERIVATIVES[name](points), numeric, rtol=0, atol=RELATIVE_ERROR)


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_gradients_have_the_layout_of_what_they_differentiate(spec):
    problem = sequence_problem(spec, Scenario(go_backwards=True))
    gradients = problem.gradients()
    assert gradients.inputs.shape == problem.x.shape
    assert {key: g.shape for key, g in gradients.weights.items()} == {
        key: w.shape for key, w in problem.weights.items()
    }
    assert [g.shape for g in gradients.initial_state] == [s.shape for s in problem.initial_state]


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_no_state_cotangents_means_zeros(spec):
    problem = sequence_problem(spec, Scenario(mask="gap"))
    implicit = problem.gradients(d_states=None)
    explicit = problem.gradients(d_states=[np.zeros_like(d) for d in problem.d_states])
    np.testing.assert_array_equal(implicit.inputs, explicit.inputs)
    for key in implicit.weights:
        np.testing.assert_array_equal(implicit.weights[key], explicit.weights[key])


# --------------------------------------------------------------------------------------
# Documented properties
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("zero_output_for_mask", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask_name", sorted(MASKS))
@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_input_gradient_at_masked_steps_is_exactly_zero(spec, mask_name, go_backwards, zero_output_for_mask):
    scenario = Scenario(mask=mask_name, go_backwards=go_backwards, zero_output_for_mask=zero_output_for_mask)
    problem = sequence_problem(spec, scenario)
    inputs = problem.gradients().inputs
    masked = ~mask_named(mask_name)  # in input order, like the gradient
    assert np.all(inputs[masked] == 0.0)


@pytest.mark.parametrize("zero_output_for_mask", [False, True])
@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_a_fully_masked_sample_passes_its_state_cotangents_to_its_initial_state_and_reaches_no_weight(
    spec, zero_output_for_mask
):
    """Its states are the initial states throughout, and its outputs are zeros (repeated zeros, or zeros)."""
    problem = sequence_problem(spec, Scenario(mask="fully_masked_sample", zero_output_for_mask=zero_output_for_mask))
    sample = MASKS["fully_masked_sample"].index([0] * STEPS)
    alone = slice(sample, sample + 1)
    gradients = sequence_vjp(
        spec, problem.weights, problem.x[alone], initial_state=[s[alone] for s in problem.initial_state],
        mask=mask_named("fully_masked_sample")[alone], zero_output_for_mask=zero_output_for_mask,
        d_outputs=problem.d_outputs[alone], d_states=[d[alone] for d in problem.d_states],
    )
    assert np.all(gradients.inputs == 0.0)
    for key, gradient in gradients.weights.items():
        assert np.all(gradient == 0.0), key
    for gradient, d_state in zip(gradients.initial_state, problem.d_states):
        np.testing.assert_array_equal(gradient, d_state[alone])


@pytest.mark.parametrize("mask_name", [None, "right_padded", "gap"])
@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_a_cotangent_on_the_final_h_equals_the_same_cotangent_on_the_last_output(spec, mask_name):
    """Without zero_output_for_mask the last output is the final h for every sample with a valid step: a
    layer's cotangent on its last output (no return_sequences) or on its returned h gives the same gradients."""
    problem = sequence_problem(spec, Scenario(mask=mask_name))
    d_h = problem.d_states[0]
    on_last_output = np.zeros_like(problem.d_outputs)
    on_last_output[:, -1] = d_h
    no_state_cotangents = [np.zeros_like(d) for d in problem.d_states]
    through_output = problem.gradients(d_outputs=on_last_output, d_states=no_state_cotangents)
    through_state = problem.gradients(
        d_outputs=np.zeros_like(problem.d_outputs), d_states=[d_h, *no_state_cotangents[1:]]
    )
    np.testing.assert_allclose(through_output.inputs, through_state.inputs, rtol=1e-12, atol=1e-15)
    for key in through_output.weights:
        np.testing.assert_allclose(through_output.weights[key], through_state.weights[key], rtol=1e-12, atol=1e-15)
    for a, b in zip(through_output.initial_state, through_state.initial_state):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------------------
# Bidirectional
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "sequences"])
@pytest.mark.parametrize("merge_mode", MERGE_MODES, ids=str)
def test_bidirectional_gradients_match_finite_differences(merge_mode, return_sequences):
    """An LSTM forward and a GRU backward (fewer units where the merge allows), with initial states, on a sample
    with a masked step and a fully masked one; a masked step outputs zeros with return_sequences, as the wrapper
    sets zero_output_for_mask."""
    rng = np.random.default_rng(2)
    forward_spec = CellSpec("LSTM", 2)
    backward_spec = CellSpec("GRU", 1 if merge_mode in ("concat", None) else 2)
    forward_weights = random_weights(forward_spec, FEATURES, rng, WEIGHT_SCALE)
    backward_weights = random_weights(backward_spec, FEATURES, rng, WEIGHT_SCALE)
    batch = 2
    x = rng.normal(size=(batch, STEPS, FEATURES))
    initial_state = random_states(forward_spec, batch, rng) + random_states(backward_spec, batch, rng)
    options = dict(
        merge_mode=merge_mode, return_sequences=return_sequences, initial_state=initial_state,
        mask=mask_named("fully_masked_sample")[:batch], zero_output_for_mask=return_sequences,
    )
    merged, forward_states, backward_states = bidirectional(
        forward_spec, forward_weights, backward_spec, backward_weights, x, **options
    )
    d_output = [rng.normal(size=y.shape) for y in merged] if merge_mode is None else rng.normal(size=merged.shape)
    d_forward_states = [rng.normal(size=s.shape) for s in forward_states]
    d_backward_states = [rng.normal(size=s.shape) for s in backward_states]

    def loss():
        merged, forward_states, backward_states = bidirectional(
            forward_spec, forward_weights, backward_spec, backward_weights, x, **options
        )
        outputs = merged if merge_mode is None else [merged]
        d_outputs = d_output if merge_mode is None else [d_output]
        return weighted_sum(
            [*d_outputs, *d_forward_states, *d_backward_states], [*outputs, *forward_states, *backward_states]
        )

    gradients = bidirectional_vjp(
        forward_spec, forward_weights, backward_spec, backward_weights, x, d_output=d_output,
        d_forward_states=d_forward_states, d_backward_states=d_backward_states, **options,
    )
    assert_matches_finite_differences(loss, [
        ("inputs", x, gradients.inputs),
        *state_points("", initial_state, gradients.initial_state),
        *weight_points("forward ", forward_weights, gradients.forward_weights),
        *weight_points("backward ", backward_weights, gradients.backward_weights),
    ])


# --------------------------------------------------------------------------------------
# RNN over stacked cells
# --------------------------------------------------------------------------------------


def stacked_forward(specs, weights_list, x, mask, initial_state=None):
    """(top output sequence, final states of each cell): each cell's layer reads the sequence below it."""
    sequence, states = x, []
    for spec, weights, initial in zip(specs, weights_list, initial_state or [None] * len(specs)):
        sequence, final = run_sequence(spec, weights, sequence, mask=mask, initial_state=initial)
        states.append(final)
    return sequence, states


def every_state(per_cell: list) -> list:
    return [state for cell_states in per_cell for state in cell_states]


STACKS = {
    "LSTM-GRU": [CellSpec("LSTM", 3), CellSpec("GRU", 2)],
    "GRU-SimpleRNN-LSTM": [
        CellSpec("GRU", 2, reset_after=False),
        CellSpec("SimpleRNN", 3, activation="relu", use_bias=False),
        CellSpec("LSTM", 2),
    ],
}


@pytest.mark.parametrize("mask_name", [None, "fully_masked_sample"], ids=str)
@pytest.mark.parametrize("stack", sorted(STACKS))
def test_stacked_gradients_match_finite_differences(stack, mask_name):
    rng = np.random.default_rng(3)
    specs, mask = STACKS[stack], mask_named(mask_name)
    features = [FEATURES] + [spec.units for spec in specs[:-1]]
    weights_list = [random_weights(spec, f, rng, WEIGHT_SCALE) for spec, f in zip(specs, features)]
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    d_outputs = rng.normal(size=(BATCH, STEPS, specs[-1].units))
    d_states = [random_states(spec, BATCH, rng) for spec in specs]
    initial_state = [random_states(spec, BATCH, rng) for spec in specs]

    def loss():
        outputs, states = stacked_forward(specs, weights_list, x, mask, initial_state)
        return weighted_sum([d_outputs, *every_state(d_states)], [outputs, *every_state(states)])

    gradients = stacked_vjp(
        specs, weights_list, x, d_outputs=d_outputs, d_states=d_states, mask=mask, initial_state=initial_state
    )
    points = [("inputs", x, gradients.inputs)]
    points += [
        (f"cell {level} initial state {index}", state, gradient)
        for level, (states, state_gradients) in enumerate(zip(initial_state, gradients.initial_state))
        for index, (state, gradient) in enumerate(zip(states, state_gradients))
    ]
    for level, (weights, weight_gradients) in enumerate(zip(weights_list, gradients.weights)):
        points += weight_points(f"cell {level} ", weights, weight_gradients)
    assert_matches_finite_differences(loss, points)
