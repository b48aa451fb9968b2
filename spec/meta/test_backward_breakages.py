"""The breakages of the training chapter leave every forward value as it was: the forward chapters hold against
them, so only the training chapter can catch such a regression (and does: spec/meta/catches/training.py)."""

import pytest

from rnnspec.configs import CELLS
from spec import test_masking, test_outputs_and_states, test_reference_values
from spec.meta import breakages_training as broken
from spec.meta.catches.padded_batch import config
from spec.meta.catching import Catch, run_statement
from spec.meta.statement_fixtures import PROVIDERS, Scene

pytestmark = pytest.mark.meta

BACKWARD_BREAKAGES = (
    broken.gradient_cut_through_time, broken.lstm_cell_state_gradient_cut, broken.cell_output_gradient_doubled,
    broken.masked_steps_leak_gradient,
)
# Forward statements on the values, the identities and masks, each on every cell.
FORWARD_STATEMENTS = [
    (statement, config(cell, True, True, **options), extra)
    for cell in CELLS
    for statement, options, extra in (
        (test_reference_values.test_output_equals_the_reference, {}, {}),
        (test_reference_values.test_final_states_equal_the_reference, {"go_backwards": True}, {}),
        (test_outputs_and_states.test_with_return_sequences_the_last_step_is_the_final_h, {}, {}),
        (test_masking.test_a_masked_call_equals_the_reference, {}, {"mask_name": "mid_sequence"}),
    )
]


@pytest.mark.parametrize("breakage", BACKWARD_BREAKAGES, ids=lambda breakage: breakage.__name__)
def test_the_forward_chapters_hold_against_a_broken_backward_pass(breakage, monkeypatch, observation_cache, request):
    """Every forward statement below passes against the layers broken in their backward pass alone."""
    breakage(monkeypatch)
    scene = Scene(observation_cache, request)
    for statement, arguments, extra in FORWARD_STATEMENTS:
        run_statement(Catch(statement, breakage, {**arguments, **extra}), lambda name: PROVIDERS[name].broken(scene))
