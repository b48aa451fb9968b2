"""The breakages chapter 3 (spec/test_masking.py) catches: layers that ignore the mask or the Masking layer, or write
zeros where the last output is repeated."""

from spec import test_masking as chapter
from spec.meta import breakages_time as broken_in_time
from spec.meta.catches.padded_batch import subject
from spec.meta.catching import Catch


def masked(cell, return_sequences, return_state, mask_name):
    return {**subject(cell, return_sequences, return_state), "mask_name": mask_name}


CATCHES = [
    Catch(chapter.test_a_masked_call_equals_the_reference, broken_in_time.ignores_mask, masked("LSTM", True, True, "mid_sequence")),
    Catch(chapter.test_a_masked_call_equals_the_reference, broken_in_time.zeros_masked_outputs, masked("GRU", True, False, "mid_sequence")),
    Catch(chapter.test_the_final_state_of_a_right_padded_sample_is_that_of_its_unpadded_sequence, broken_in_time.ignores_mask, subject("GRU", False, True)),
    Catch(chapter.test_padded_steps_repeat_the_last_valid_output, broken_in_time.zeros_masked_outputs, subject("SimpleRNN", True, False)),
    Catch(chapter.test_under_a_mask_the_output_still_ends_with_the_final_h, broken_in_time.zeros_masked_outputs, subject("LSTM", True, True)),
    Catch(chapter.test_a_fully_masked_sample_keeps_its_initial_state_and_outputs_zeros, broken_in_time.ignores_initial_state, subject("GRU", True, True)),
    Catch(chapter.test_a_masking_layer_and_an_embedding_give_the_same_result_as_mask, broken_in_time.masking_layer_masks_nothing, masked("SimpleRNN", False, True, "right_padded")),
    Catch(chapter.test_zero_output_for_mask_writes_zeros_at_masked_steps, broken_in_time.ignores_zero_output_for_mask, subject("LSTM", True, False, zero_output_for_mask=True, go_backwards=False)),
]
