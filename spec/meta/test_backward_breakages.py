"""The breakages of the training chapter leave every forward value as it was, or every value at inference: the
forward chapters, and chapter 9's statements on dropout, hold against them, so only the training chapter can catch
such a regression (and does: spec/meta/catches/training.py)."""

import pytest

from rnnspec.subjects.layers import CELLS
from spec import test_configuration, test_masking, test_outputs_and_states, test_reference_values, test_stateful
from spec.cases_wrappers import with_dropout
from spec.meta import breakages_training as broken
from spec.meta.catches.padded_batch import subject
from spec.meta.catching import Catch, run_statement
from spec.meta.statement_fixtures import PROVIDERS, Scene

pytestmark = pytest.mark.meta

BACKWARD_BREAKAGES = (
    broken.gradient_cut_through_time, broken.lstm_cell_state_gradient_cut, broken.cell_output_gradient_doubled,
    broken.masked_steps_leak_gradient,
)
# Forward statements on the values, the identities and masks, each on every cell.
FORWARD_STATEMENTS = [
    (statement, subject(cell, True, True, **options), extra)
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


# Chapter 5's statements on the states a stateful layer carries, eagerly and through a functional model.
STATEFUL_STATEMENTS = [
    (statement, subject(cell, True, True, stateful=True), {})
    for cell in CELLS
    for statement in (
        test_stateful.test_a_second_call_starts_from_the_first_calls_final_states,
        test_stateful.test_a_functional_model_carries_the_states_between_calls,
    )
]


def test_the_stateful_chapter_holds_against_a_gradient_reaching_into_the_previous_call(monkeypatch, observation_cache, request):
    """Chapter 5's statements pass against stateful layers that recompute the states they carry from the call
    before, inside the next call: the values are the same, only the gradient reaches further back."""
    breakage = broken.stateful_gradient_reaches_the_previous_call
    breakage(monkeypatch)
    scene = Scene(observation_cache, request)
    for statement, arguments, extra in STATEFUL_STATEMENTS:
        run_statement(Catch(statement, breakage, {**arguments, **extra}), lambda name: PROVIDERS[name].broken(scene))


DROPOUT_BREAKAGES = (
    broken.input_mask_redrawn_at_every_step, broken.recurrent_mask_redrawn_at_every_step, broken.kept_units_not_rescaled,
    broken.dropped_units_pass_gradient, broken.dropout_seed_ignored, broken.dropout_masks_kept_between_calls,
)
# Chapter 9's statements on dropout, on every cell: at inference, and in training where they ask only that dropout
# change the values, or leave a first step from zero states alone. (The forward chapters' layers have no dropout.)
DROPOUT_STATEMENTS = [
    (statement, {"subject": with_dropout(cell, "cpu", dropout, recurrent_dropout)}, {})
    for cell in CELLS
    for statement, dropout, recurrent_dropout in (
        (test_configuration.test_dropout_changes_nothing_at_inference, 0.5, 0.5),
        (test_configuration.test_dropout_changes_the_output_in_training, 0.5, 0.0),
        (test_configuration.test_recurrent_dropout_alone_changes_the_output_in_training, 0.0, 0.5),
        (test_configuration.test_recurrent_dropout_drops_nothing_of_the_inputs, 0.0, 0.5),
    )
]


@pytest.mark.parametrize("breakage", DROPOUT_BREAKAGES, ids=lambda breakage: breakage.__name__)
def test_chapter_9_holds_against_dropout_broken_in_training(breakage, monkeypatch, observation_cache, request):
    """Chapter 9's statements on dropout pass against layers whose dropout masks are broken in training (redrawn
    at every step, unscaled, leaking gradient, unseeded, kept between calls): at inference no mask applies, and
    in training those statements ask only that dropout change the values."""
    breakage(monkeypatch)
    scene = Scene(observation_cache, request)
    for statement, arguments, extra in DROPOUT_STATEMENTS:
        run_statement(Catch(statement, breakage, {**arguments, **extra}), lambda name: PROVIDERS[name].broken(scene))
