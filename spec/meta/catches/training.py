"""The breakages chapter 11 (spec/test_training.py) catches: backward passes broken while every forward value
stays the same, and dropout broken in training (spec/meta/breakages_training.py); another backend whose gradients
drift, its process stood in for by this one, or this backend's own backward pass broken against it; on a GPU
simulated on the CPU (spec/meta/simulated_gpu.py), a cuDNN backward pass that drifts or ignores the mask, and a
cuDNN path that falls back; weights kept in the compute dtype; loss scaling that is not set up, does not scale, or
lets an overflowed step through."""

from rnnspec.installation import BACKENDS, current
from rnnspec.subjects.calls import Gradient, TrainingSteps
from rnnspec.subjects.cells import StackSubject
from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import PADDED
from spec import test_training as chapter
from spec.cases_convlstm import seeded_conv_lstm_of
from spec.cases_training import (
    bidirectional_gradient_of,
    input_dropout_gradient_of,
    recurrent_dropout_gradient_of,
    right_padded_alike_of,
    seeded_dropout_of,
    stateful_gradient_of,
)
from spec.meta import breakages_convlstm as conv_broken
from spec.meta import breakages_kernels as kernels_broken
from spec.meta import breakages_training as broken
from spec.meta import breakages_wrappers as wrappers_broken
from spec.meta import simulated_gpu as gpu
from spec.meta.catching import Catch


def gradient(cell, return_sequences=True, return_state=True, mask=None, device="cpu", tf32=None, **options):
    subject = LayerSubject(
        cell, return_sequences, return_state, device, PADDED, Gradient(mask=mask, tf32=tf32), options=tuple(options.items())
    )
    return {"subject": subject}


def bidirectional(cell, merge_mode, reading, return_sequences=True, return_state=True):
    subject = bidirectional_gradient_of(
        cell, "cpu", merge_mode, reading, return_sequences=return_sequences, return_state=return_state
    )
    return {"subject": subject}


def stacked(lower, upper, masked=False):
    return {"subject": StackSubject((lower, upper), "cpu", Gradient(mask="batch" if masked else None))}


def stateful(cell, return_sequences=True, return_state=True):
    return {"subject": stateful_gradient_of(cell, "cpu", return_sequences=return_sequences, return_state=return_state)}


def padded_alike(cell, reading="forwards"):
    return {"subject": right_padded_alike_of(cell, "cpu", reading)}


def trained(cell, loop, return_sequences=True, return_state=True):
    return {"subject": LayerSubject(cell, return_sequences, return_state, "cpu", PADDED, TrainingSteps(loop))}


def input_dropout(cell, return_sequences=True, return_state=True):
    return {"subject": input_dropout_gradient_of(cell, "cpu", return_sequences=return_sequences, return_state=return_state)}


def recurrent_dropout(cell, return_sequences=True, return_state=True):
    return {"subject": recurrent_dropout_gradient_of(cell, "cpu", return_sequences=return_sequences, return_state=return_state)}


def seeded(cell, which):
    return {"subject": seeded_dropout_of(cell, "cpu", which)}


def under_mixed_float16(cell):
    return {"subject": LayerSubject(cell, False, False, "cpu", PADDED, options=(("dtype", "mixed_float16"),))}


def simulated(statement, breakage, arguments):
    return Catch(statement, breakage, arguments, environment=gpu.simulated_gpu)


def against_another_backend(breakage):
    """The backend parity catch: the other backend's process stood in for by this one (the statement skips where
    that backend is not installed)."""
    other = next(backend for backend in BACKENDS if backend != current().backend)
    return Catch(
        chapter.test_the_backends_agree_on_the_gradients_on_the_cpu, breakage, {"backend": other},
        environment=kernels_broken.another_backend_in_this_process,
    )


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
    Catch(chapter.test_a_stateful_layer_s_gradient_stops_at_the_states_the_previous_call_left, broken.stateful_gradient_reaches_the_previous_call, stateful("LSTM", False, False)),
    Catch(chapter.test_a_stateful_layer_s_gradient_stops_at_the_states_the_previous_call_left, broken.stateful_gradient_reaches_the_previous_call, stateful("SimpleRNN", True, True)),
    Catch(chapter.test_bidirectional_gradients_equal_the_reference, broken.gradient_cut_through_time, bidirectional("LSTM", "concat", "forwards", False, True)),
    Catch(chapter.test_bidirectional_gradients_equal_the_reference, broken.masked_steps_leak_gradient, bidirectional("GRU", "mul", "right_padded")),
    Catch(chapter.test_the_gradients_of_stacked_cells_equal_the_reference, broken.gradient_cut_through_time, stacked("GRU", "SimpleRNN")),
    Catch(chapter.test_the_gradients_of_stacked_cells_equal_the_reference, broken.lstm_cell_state_gradient_cut, stacked("SimpleRNN", "LSTM", masked=True)),
    Catch(chapter.test_a_right_padded_sample_gives_the_weight_gradients_of_its_unpadded_sequence, broken.gradient_ignores_the_mask, padded_alike("LSTM")),
    Catch(chapter.test_a_right_padded_sample_gives_the_weight_gradients_of_its_unpadded_sequence, broken.gradient_ignores_the_mask, padded_alike("SimpleRNN", "backwards")),
    Catch(chapter.test_a_layer_below_a_masked_layer_receives_the_gradient_of_the_unpadded_sequence, broken.gradient_ignores_the_mask, padded_alike("GRU")),
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
    Catch(chapter.test_two_layers_with_the_same_seed_drop_the_same_units, conv_broken.dropout_seed_ignored, {"subject": seeded_conv_lstm_of(3, "cpu")}),
    Catch(chapter.test_each_call_in_training_draws_new_dropout_masks, broken.dropout_masks_kept_between_calls, seeded("SimpleRNN", "recurrent_dropout")),
    Catch(chapter.test_each_call_in_training_draws_new_dropout_masks, broken.dropout_masks_kept_between_calls, seeded("LSTM", "dropout")),
    # Across backends, devices and kernels
    against_another_backend(kernels_broken.other_backend_drifts_by_1e_3),
    against_another_backend(broken.gradient_cut_through_time),
    simulated(chapter.test_on_a_gpu_the_gradients_equal_the_cpus, gpu.cudnn_gradient_drifts_by_1e_3, gradient("LSTM", device="gpu", tf32=False)),
    simulated(chapter.test_on_a_gpu_the_gradients_equal_the_cpus, gpu.cudnn_backward_ignores_the_mask, gradient("GRU", False, True, mask="right_padded", device="gpu", tf32=True)),
    simulated(chapter.test_on_a_gpu_cudnn_gradients_equal_the_generic_kernels, gpu.cudnn_silently_falls_back, gradient("GRU", device="gpu")),
    simulated(chapter.test_on_a_gpu_cudnn_gradients_equal_the_generic_kernels, gpu.cudnn_gradient_drifts_by_1e_3, gradient("LSTM", False, True, device="gpu", go_backwards=True)),
    # Precisions and loss scaling
    Catch(chapter.test_under_a_mixed_policy_the_gradients_for_the_weights_arrive_in_float32, wrappers_broken.weights_in_the_compute_dtype, gradient("GRU", dtype="mixed_float16")),
    Catch(chapter.test_compiling_a_mixed_float16_model_wraps_its_optimizer_in_a_loss_scale_optimizer, broken.compile_leaves_the_optimizer_unwrapped, under_mixed_float16("LSTM")),
    Catch(chapter.test_a_mixed_float16_training_step_applies_the_gradient_of_the_loss_itself, broken.loss_left_unscaled, under_mixed_float16("GRU")),
    Catch(chapter.test_a_mixed_float16_training_step_whose_gradients_overflow_is_skipped_and_halves_the_loss_scale, broken.nonfinite_gradients_pass_as_finite, under_mixed_float16("SimpleRNN")),
]
