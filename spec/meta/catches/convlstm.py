"""The breakages chapter 13 (spec/test_convlstm.py) catches: ConvLSTM layers that return another structure, shape
or step, ignore their padding or strides, read their weights in another layout, pad on the wrong side, drift,
or mishandle time, state and masks."""

from rnnspec.subjects.convlstm import ConvLSTMSubject
from spec import test_convlstm as chapter
from spec.meta import breakages as broken
from spec.meta import breakages_arguments as broken_argument
from spec.meta import breakages_convlstm as broken_conv
from spec.meta import breakages_time as broken_in_time
from spec.meta import breakages_wrappers as broken_wrapper
from spec.meta.breakages_convlstm import on_conv_lstm
from spec.meta.catching import Catch


def subject(rank, return_sequences=True, return_state=True, padding="valid", strides=1, data_format="channels_last", **options):
    layer = ConvLSTMSubject(
        rank, return_sequences, return_state, "cpu", padding=padding, strides=strides, data_format=data_format,
        options=tuple(sorted(options.items())),
    )
    return {"subject": layer}


CATCHES = [
    # The structure and the shapes
    Catch(chapter.test_input_must_have_rank_plus_3_dimensions, broken_conv.accepts_an_input_without_time, {"rank": 2, "device": "cpu"}),
    Catch(chapter.test_without_return_state_one_tensor_is_returned, on_conv_lstm(broken.wraps_lone_output), subject(1, False, False)),
    Catch(chapter.test_with_return_state_the_output_is_followed_by_h_and_c, on_conv_lstm(broken.drops_last_state), subject(2)),
    Catch(chapter.test_with_return_state_the_output_is_followed_by_h_and_c, on_conv_lstm(broken.returns_other_container), subject(3, False)),
    Catch(chapter.test_output_shape_follows_return_sequences_padding_strides_and_data_format, broken_conv.padding_always_valid, subject(1, padding="same")),
    Catch(chapter.test_output_shape_follows_return_sequences_padding_strides_and_data_format, broken_conv.strides_always_1, subject(2, data_format="channels_first", strides=2)),
    Catch(chapter.test_output_shape_follows_return_sequences_padding_strides_and_data_format, broken_conv.dilation_rate_always_1, subject(3, dilation_rate=2)),
    Catch(chapter.test_h_and_c_have_the_shape_of_one_output_step, broken_conv.strides_always_1, subject(3, padding="same", strides=2)),
    Catch(chapter.test_h_and_c_have_the_shape_of_one_output_step, on_conv_lstm(broken.states_gain_a_time_axis), subject(2, False)),
    Catch(chapter.test_everything_returned_is_float32, on_conv_lstm(broken.output_in_float16), subject(1)),
    Catch(chapter.test_compute_output_shape_agrees_with_the_tensors, on_conv_lstm(broken.misreports_output_shape), subject(2)),
    Catch(chapter.test_symbolic_output_shapes_agree_with_the_tensors, on_conv_lstm(broken.misreports_output_shape), subject(3, False)),
    # The identities of the seed notebook
    Catch(chapter.test_without_return_sequences_the_output_is_the_final_h, on_conv_lstm(broken.state_from_step(-2)), subject(2, False)),
    Catch(chapter.test_with_return_sequences_the_last_step_is_the_final_h, on_conv_lstm(broken.reverses_sequence), subject(1)),
    Catch(chapter.test_the_cell_state_is_not_h, on_conv_lstm(broken.cell_state_is_h), subject(3)),
    Catch(chapter.test_h_is_bounded_by_tanh_of_c, on_conv_lstm(broken.swaps_states), subject(2)),
    # The values
    Catch(chapter.test_output_equals_the_reference, broken_conv.swaps_the_i_and_f_gate_blocks, subject(1, False, False)),
    Catch(chapter.test_output_equals_the_reference, broken_conv.convolves_with_flipped_kernels, subject(2)),
    Catch(chapter.test_output_equals_the_reference, broken_conv.pads_same_on_the_other_side, subject(2, padding="same")),
    Catch(chapter.test_output_equals_the_reference, on_conv_lstm(broken.output_drift(1e-3)), subject(3, data_format="channels_last", padding="same", strides=2)),
    Catch(chapter.test_final_states_equal_the_reference, broken_conv.pads_same_on_the_other_side, subject(3, False, padding="same")),
    Catch(chapter.test_final_states_equal_the_reference, on_conv_lstm(broken.state_drift(1e-3)), subject(1, data_format="channels_first")),
    Catch(chapter.test_output_equals_the_reference, on_conv_lstm(broken.uses_relu_activation), subject(2, recurrent_activation="hard_sigmoid")),
    Catch(chapter.test_the_forget_gate_bias_starts_at_one_with_unit_forget_bias, broken_conv.forget_bias_left_at_zero, {"unit_forget_bias": True}),
    # Time and state
    Catch(chapter.test_reading_backwards_equals_the_reference, on_conv_lstm(broken_in_time.ignores_go_backwards), subject(2, padding="same", go_backwards=True)),
    Catch(chapter.test_reading_backwards_equals_a_forward_layer_on_the_reversed_input, on_conv_lstm(broken_in_time.ignores_go_backwards), subject(1, False, False, padding="same", go_backwards=True)),
    Catch(chapter.test_a_second_stateful_call_starts_from_the_first_calls_final_states, on_conv_lstm(broken_in_time.forgets_states_between_calls), subject(2, padding="same", stateful=True)),
    Catch(chapter.test_reset_states_restores_the_first_result, on_conv_lstm(broken_in_time.reset_states_does_nothing), subject(3, False, False, padding="same", stateful=True)),
    Catch(chapter.test_reset_states_restores_the_first_result, on_conv_lstm(broken_in_time.reset_state_does_nothing), subject(1, padding="same", stateful=True)),
    Catch(chapter.test_the_initial_state_is_zeros_of_one_output_step, on_conv_lstm(broken_argument.initial_states_of_ones), subject(2, padding="same", strides=2)),
    Catch(chapter.test_a_masked_sample_ends_on_the_states_of_its_unmasked_steps, on_conv_lstm(broken_in_time.ignores_mask), subject(3, padding="same")),
    Catch(chapter.test_initial_state_is_where_the_recurrence_starts, on_conv_lstm(broken_in_time.ignores_initial_state), subject(2, padding="same", strides=2, data_format="channels_first")),
    Catch(chapter.test_dropout_changes_nothing_at_inference, on_conv_lstm(broken_wrapper.training_forced(True)), subject(1, dropout=0.5, recurrent_dropout=0.5)),
]
