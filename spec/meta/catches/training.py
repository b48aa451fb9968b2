"""The breakages chapter 11 (spec/test_training.py) catches: backward passes broken while every forward value
stays the same (spec/meta/breakages_training.py)."""

from rnnspec.configs import GradientConfig, TrainingConfig
from rnnspec.sequences import PADDED
from spec import test_training as chapter
from spec.meta import breakages_training as broken
from spec.meta.catching import Catch


def gradient(cell, return_sequences=True, return_state=True, mask=None, **options):
    config = GradientConfig(cell, return_sequences, return_state, "cpu", PADDED, options=tuple(options.items()), mask=mask)
    return {"config": config}


def trained(cell, call_path, return_sequences=True, return_state=True):
    return {"config": TrainingConfig(cell, return_sequences, return_state, "cpu", PADDED, call_path=call_path)}


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
]
