"""The breakages chapter 11 (spec/test_training.py) catches: backward passes broken while every forward value
stays the same, and dropout broken in training (spec/meta/breakages_training.py)."""

from rnnspec.configs import GradientConfig, TrainingConfig
from rnnspec.sequences import PADDED
from spec import test_training as chapter
from spec.cases_training import input_dropout_gradient_of, recurrent_dropout_gradient_of, seeded_dropout_of
from spec.meta import breakages_training as broken
from spec.meta.catching import Catch


def gradient(cell, return_sequences=True, return_state=True, mask=None, **options):
    config = GradientConfig(cell, return_sequences, return_state, "cpu", PADDED, options=tuple(options.items()), mask=mask)
    return {"config": config}


def trained(cell, call_path, return_sequences=True, return_state=True):
    return {"config": TrainingConfig(cell, return_sequences, return_state, "cpu", PADDED, call_path=call_path)}


def input_dropout(cell, return_sequences=True, return_state=True):
    return {"config": input_dropout_gradient_of(cell, "cpu", return_sequences=return_sequences, return_state=return_state)}


def recurrent_dropout(cell, return_sequences=True, return_state=True):
    return {"config": recurrent_dropout_gradient_of(cell, "cpu", return_sequences=return_sequences, return_state=return_state)}


def seeded(cell, which):
    return {"config": seeded_dropout_of(cell, "cpu", which)}


CATCHES = [
    Catch(chapter.test_the_gradient_with_respect_to_the_inputs_equals_the_reference, broken.gradient_cut_through_time, gradient("GRU", False, False)),
    Catch(chapter.test_the_gradient_with_respect_to_the_inputs_equals_the_reference, broken.cell_output_gradient_doubled, gradient("SimpleRNN", True, False)),
    Catch(chapter.test_the_gradient_with_respect_to_the_inputs_equals_the_reference, broken.masked_steps_leak_gradient, gradient("LSTM", mask="right_padded")),
    Catch(chapter.test_the_gradient_with_respect_to_the_initial_states_equals_the_reference, broken.gradient_cut_through_time, gradient("SimpleRNN", go_backwards=True)),
    Catch(chapter.test_the_gradient_with_respect_to_the_initial_states_equals_the_reference, broken.lstm_cell_state_gradient_cut, gradient("LSTM", False, True)),
    Catch(chapter.test_the_gradients_with_respect_to_the_weights_equal_the_reference, broken.gradient_cut_through_time, gradient("LSTM", True, False)),
    Catch(chapter.test_the_gradients_with_respect_to_the_weights_equal_the_reference, broken.lstm_cell_state_gradient_cut, gradient("LSTM", False, False)),
    Catch(chapter.test_the_gradients_with_respect_to_the_weights_equal_the_reference, broken.cell_output_gradient_doubled, gradient("GRU", True, True, mask="mid_sequence", go_backwards=True)),
    Catch(chapter.test_the_inputs_at_masked_steps_receive_no_gradient, broken.masked_steps_leak_gradient, gradient("GRU", False, True, mask="mid_sequence")),
    Catch(chapter.test_sgd_moves_every_weight_by_the_learning_rate_times_the_gradient, broken.cell_output_gradient_doubled, trained("GRU", "train_on_batch", False, True)),
    Catch(chapter.test_sgd_moves_every_weight_by_the_learning_rate_times_the_gradient, broken.lstm_cell_state_gradient_cut, trained("LSTM", "fit", True, False)),
    # Dropout in training. Where the backend has a fast path for LSTM and GRU (PyTorch on the CPU, cuDNN), input
    # dropout reaches it as the first step's mask on the whole sequence, which a mask redrawn per step does not
    # change: the input mask's breakages are shown on SimpleRNN, which has none.
    Catch(chapter.test_dropout_drops_the_same_input_features_at_every_step, broken.input_mask_redrawn_at_every_step, input_dropout("SimpleRNN")),
    Catch(chapter.test_dropout_drops_the_same_input_features_at_every_step, broken.dropped_units_pass_gradient, input_dropout("LSTM", False, False)),
    Catch(chapter.test_dropout_scales_the_kept_inputs_by_one_over_one_minus_the_rate, broken.kept_units_not_rescaled, input_dropout("GRU", False, True)),
    Catch(chapter.test_dropout_scales_the_kept_inputs_by_one_over_one_minus_the_rate, broken.input_mask_redrawn_at_every_step, input_dropout("SimpleRNN", True, False)),
    Catch(chapter.test_recurrent_dropout_drops_the_same_units_of_the_state_at_every_step, broken.recurrent_mask_redrawn_at_every_step, recurrent_dropout("GRU")),
    Catch(chapter.test_recurrent_dropout_drops_the_same_units_of_the_state_at_every_step, broken.kept_units_not_rescaled, recurrent_dropout("LSTM", True, False)),
    Catch(chapter.test_the_initial_h_receives_no_gradient_on_the_units_recurrent_dropout_drops, broken.recurrent_mask_redrawn_at_every_step, recurrent_dropout("SimpleRNN")),
    Catch(chapter.test_the_initial_h_receives_no_gradient_on_the_units_recurrent_dropout_drops, broken.dropped_units_pass_gradient, recurrent_dropout("LSTM", False, True)),
    Catch(chapter.test_two_layers_with_the_same_seed_drop_the_same_units, broken.dropout_seed_ignored, seeded("GRU", "dropout")),
    Catch(chapter.test_two_layers_with_the_same_seed_drop_the_same_units, broken.dropout_seed_ignored, seeded("LSTM", "recurrent_dropout")),
    Catch(chapter.test_each_call_in_training_draws_new_dropout_masks, broken.dropout_masks_kept_between_calls, seeded("SimpleRNN", "recurrent_dropout")),
    Catch(chapter.test_each_call_in_training_draws_new_dropout_masks, broken.dropout_masks_kept_between_calls, seeded("LSTM", "dropout")),
]
