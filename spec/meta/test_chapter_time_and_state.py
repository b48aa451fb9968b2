"""Each statement of the chapters on masking, go_backwards, stateful layers and initial states fails against a
layer broken the way it speaks of, and holds for the real one."""

import pytest

from rnnspec.configs import LayerConfig
from rnnspec.sequences import PADDED
from spec import test_go_backwards, test_initial_state, test_masking, test_stateful
from spec.meta import breakages as broken
from spec.meta import breakages_time as broken_in_time
from spec.meta.catching import Catch, assert_caught, assert_every_statement_caught

pytestmark = pytest.mark.meta


def config(cell, return_sequences, return_state, **arguments):
    layer = LayerConfig(cell, return_sequences, return_state, "cpu", PADDED, options=tuple(sorted(arguments.items())))
    return {"config": layer}


def masked(cell, return_sequences, return_state, mask_name):
    return {**config(cell, return_sequences, return_state), "mask_name": mask_name}


CATCHES = [
    # Masking
    Catch(test_masking.test_a_masked_call_equals_the_reference, broken_in_time.ignores_mask, masked("LSTM", True, True, "mid_sequence")),
    Catch(test_masking.test_a_masked_call_equals_the_reference, broken_in_time.zeros_masked_outputs, masked("GRU", True, False, "mid_sequence")),
    Catch(test_masking.test_the_final_state_of_a_right_padded_sample_is_that_of_its_unpadded_sequence, broken_in_time.ignores_mask, config("GRU", False, True)),
    Catch(test_masking.test_padded_steps_repeat_the_last_valid_output, broken_in_time.zeros_masked_outputs, config("SimpleRNN", True, False)),
    Catch(test_masking.test_under_a_mask_the_output_still_ends_with_the_final_h, broken_in_time.zeros_masked_outputs, config("LSTM", True, True)),
    Catch(test_masking.test_a_fully_masked_sample_keeps_its_initial_state_and_outputs_zeros, broken_in_time.ignores_initial_state, config("GRU", True, True)),
    Catch(test_masking.test_a_masking_layer_and_an_embedding_give_the_same_result_as_mask, broken_in_time.masking_layer_masks_nothing, masked("SimpleRNN", False, True, "right_padded")),
    Catch(test_masking.test_zero_output_for_mask_writes_zeros_at_masked_steps, broken_in_time.ignores_zero_output_for_mask, config("LSTM", True, False, zero_output_for_mask=True, go_backwards=False)),
    # go_backwards
    Catch(test_go_backwards.test_reading_backwards_the_last_output_is_still_the_final_h, broken.reverses_sequence, config("GRU", True, True, go_backwards=True)),
    Catch(test_go_backwards.test_reading_backwards_equals_a_forward_layer_on_the_reversed_input, broken_in_time.ignores_go_backwards, config("LSTM", False, False, go_backwards=True)),
    Catch(test_go_backwards.test_reading_backwards_equals_the_reference, broken_in_time.ignores_go_backwards, config("SimpleRNN", False, True, go_backwards=True)),
    Catch(test_go_backwards.test_reading_backwards_under_a_mask_reads_the_padding_first, broken.reverses_sequence, config("LSTM", True, False, go_backwards=True)),
    # stateful
    Catch(test_stateful.test_a_second_call_starts_from_the_first_calls_final_states, broken_in_time.forgets_states_between_calls, config("LSTM", False, False, stateful=True)),
    Catch(test_stateful.test_layer_states_hold_the_returned_states, broken.swaps_states, config("LSTM", True, True, stateful=True)),
    Catch(test_stateful.test_reset_states_restores_the_first_result, broken_in_time.reset_states_does_nothing, config("GRU", True, False, stateful=True)),
    Catch(test_stateful.test_a_batch_of_another_size_is_refused, broken_in_time.accepts_any_batch_size, config("SimpleRNN", False, False, stateful=True)),
    Catch(test_stateful.test_a_functional_model_carries_the_states_between_calls, broken_in_time.forgets_states_between_calls, config("GRU", False, True, stateful=True)),
    Catch(test_stateful.test_a_compiled_predict_carries_the_states_between_calls, broken_in_time.forgets_states_between_calls, config("SimpleRNN", True, True, stateful=True)),
    # initial_state
    Catch(test_initial_state.test_initial_state_is_where_the_recurrence_starts, broken_in_time.ignores_initial_state, config("LSTM", True, True)),
    Catch(test_initial_state.test_bidirectional_takes_forward_states_then_backward_states, broken_in_time.bidirectional_swaps_initial_states, config("GRU", True, True)),
]

# Statements that fail against today's Keras (strict xfails naming an upstream issue): that failure already shows
# they can fail, and no broken layer is needed to show it.
KNOWN_DIVERGENCES = {test_masking.test_zero_output_for_mask_has_no_effect_without_return_sequences.__name__}


@pytest.mark.parametrize("catch", CATCHES, ids=lambda catch: catch.id)
def test_statement_catches_the_broken_layer(catch, monkeypatch, observation_cache, request):
    assert_caught(catch, monkeypatch, observation_cache, request)


@pytest.mark.parametrize("chapter", [test_masking, test_go_backwards, test_stateful, test_initial_state], ids=lambda m: m.__name__)
def test_every_statement_of_the_chapter_has_a_breakage_it_catches(chapter):
    assert_every_statement_caught(chapter, CATCHES, exempt=KNOWN_DIVERGENCES)
