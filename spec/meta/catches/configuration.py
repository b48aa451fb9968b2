"""The breakages chapter 9 (spec/test_configuration.py) catches: dropout at the wrong time or rate, a drifting
unroll, a default changed, weights in the wrong dtype, saving that loses weights, bad input let through."""

from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec import test_configuration as chapter
from spec.cases_wrappers import returning_everything, with_dropout
from spec.meta import breakages_time as broken_in_time
from spec.meta import breakages_wrappers as broken
from spec.meta.catching import Catch


def layer(subject):
    return {"subject": subject}


def with_policy(cell, policy):
    return layer(LayerSubject(cell, True, True, "cpu", SHAPES["batch"], options=(("dtype", policy),)))


def default(cell, argument, value):
    return {"cell": cell, "argument": argument, "value": value}


CATCHES = [
    # Dropout and unroll
    Catch(chapter.test_dropout_changes_nothing_at_inference, broken.training_forced(True), layer(with_dropout("LSTM", "cpu", 0.5, 0.5))),
    Catch(chapter.test_dropout_changes_the_output_in_training, broken.training_forced(False), layer(with_dropout("GRU", "cpu", 0.5, 0.0))),
    Catch(chapter.test_recurrent_dropout_alone_changes_the_output_in_training, broken.recurrent_dropout_at_the_input_rate, layer(with_dropout("LSTM", "cpu", 0.0, 0.5))),
    Catch(chapter.test_recurrent_dropout_drops_nothing_of_the_inputs, broken.dropout_rates_swapped, layer(with_dropout("SimpleRNN", "cpu", 0.0, 0.5))),
    Catch(chapter.test_unroll_returns_what_the_loop_returns, broken.unrolled_output_drifts_by_0_001, layer(returning_everything("SimpleRNN", "cpu", unroll=True))),
    # Defaults and weights
    Catch(chapter.test_an_argument_left_out_takes_its_documented_default, broken.default_changed("LSTM", "recurrent_activation", "hard_sigmoid"), default("LSTM", "recurrent_activation", "sigmoid")),
    Catch(chapter.test_an_argument_left_out_takes_its_documented_default, broken.default_changed("LSTM", "unit_forget_bias", False), default("LSTM", "unit_forget_bias", True)),
    Catch(chapter.test_an_argument_left_out_takes_its_documented_default, broken.default_changed("GRU", "reset_after", False), default("GRU", "reset_after", True)),
    Catch(chapter.test_weights_are_kernel_recurrent_kernel_and_bias_in_that_order, broken.default_changed("GRU", "reset_after", False), {"cell": "GRU", "arguments": {}}),
    # dtype policies
    Catch(chapter.test_under_a_dtype_policy_output_and_states_have_its_compute_dtype, broken.output_in_float32, with_policy("LSTM", "mixed_bfloat16")),
    Catch(chapter.test_weights_are_kept_in_the_policys_variable_dtype, broken.weights_in_the_compute_dtype, with_policy("GRU", "mixed_float16")),
    Catch(chapter.test_a_stateful_layer_carries_its_states_under_a_mixed_policy, broken_in_time.forgets_states_between_calls, {"cell": "LSTM", "policy": "mixed_float16", "device": "cpu"}),
    # Bad input
    Catch(chapter.test_a_stateful_layer_needs_a_fixed_batch_size, broken.stateful_layers_accept_an_open_batch_size, {"cell": "GRU", "device": "cpu"}),
    Catch(chapter.test_units_must_be_positive, broken.accepts_units_of_zero_or_less, {"cell": "SimpleRNN", "device": "cpu", "units": 0}),
    Catch(chapter.test_an_unknown_activation_is_refused, broken.unknown_activations_become_linear, {"cell": "LSTM", "argument": "recurrent_activation"}),
    Catch(chapter.test_an_unknown_merge_mode_is_refused, broken.bidirectional_accepts_any_merge_mode, {}),
    Catch(chapter.test_a_backward_layer_reading_forwards_is_refused, broken.bidirectional_accepts_a_backward_layer_reading_forwards, {"cell": "LSTM", "device": "cpu"}),
    Catch(chapter.test_a_dropout_rate_outside_0_and_1_is_clamped_without_an_error, broken.dropout_rates_kept_as_given, {"cell": "GRU", "device": "cpu", "given": 1.5, "kept": 1.0}),
    # Saving
    Catch(chapter.test_a_saved_model_reloads_to_identical_outputs, broken.cells_ignore_saved_weights, {"saving_format": "weights.h5"}),
]
