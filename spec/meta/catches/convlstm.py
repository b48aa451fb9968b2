"""The breakages chapter 13 (spec/test_convlstm.py) catches: ConvLSTM layers that ignore their padding or strides,
read their weights in another layout, pad on the wrong side, drift, or mishandle time, state and masks. (Chapter 1's
catches hold its statements to ConvLSTM layers that return another structure, shape or step.)"""

from rnnspec.subjects.convlstm import ConvLSTMSubject
from spec import test_convlstm as chapter
from spec.meta import breakages as broken
from spec.meta import breakages_arguments as broken_argument
from spec.meta import breakages_convlstm as broken_conv
from spec.meta import breakages_time as broken_in_time
from spec.meta import breakages_wrappers as broken_wrapper
from spec.meta.breakages_convlstm import on_conv_lstm
from spec.meta.catching import Catch


def conv_lstm(rank, return_sequences=True, return_state=True, padding="valid", strides=1, data_format="channels_last", **options):
    layer = ConvLSTMSubject(
        rank, return_sequences, return_state, "cpu", padding=padding, strides=strides, data_format=data_format,
        options=tuple(sorted(options.items())),
    )
    return {"subject": layer}


CATCHES = [
    # The structure and the shapes
    Catch(chapter.test_input_must_have_rank_plus_3_dimensions, broken_conv.accepts_an_input_without_time, {"rank": 2, "device": "cpu"}),
    Catch(chapter.test_output_shape_follows_return_sequences_padding_strides_and_data_format, broken_conv.padding_always_valid, conv_lstm(1, padding="same")),
    Catch(chapter.test_output_shape_follows_return_sequences_padding_strides_and_data_format, broken_conv.strides_always_1, conv_lstm(2, data_format="channels_first", strides=2)),
    Catch(chapter.test_output_shape_follows_return_sequences_padding_strides_and_data_format, broken_conv.dilation_rate_always_1, conv_lstm(3, dilation_rate=2)),
    # The identities of the seed notebook
    # The values
    Catch(chapter.test_output_equals_the_reference, broken_conv.swaps_the_i_and_f_gate_blocks, conv_lstm(1, False, False)),
    Catch(chapter.test_output_equals_the_reference, broken_conv.convolves_with_flipped_kernels, conv_lstm(2)),
    Catch(chapter.test_output_equals_the_reference, broken_conv.pads_same_on_the_other_side, conv_lstm(2, padding="same")),
    Catch(chapter.test_output_equals_the_reference, on_conv_lstm(broken.output_drift(1e-3)), conv_lstm(3, data_format="channels_last", padding="same", strides=2)),
    Catch(chapter.test_final_states_equal_the_reference, broken_conv.pads_same_on_the_other_side, conv_lstm(3, False, padding="same")),
    Catch(chapter.test_final_states_equal_the_reference, on_conv_lstm(broken.state_drift(1e-3)), conv_lstm(1, data_format="channels_first")),
    Catch(chapter.test_output_equals_the_reference, on_conv_lstm(broken.uses_relu_activation), conv_lstm(2, recurrent_activation="hard_sigmoid")),
    Catch(chapter.test_the_forget_gate_bias_starts_at_one_with_unit_forget_bias, broken_conv.forget_bias_left_at_zero, {"unit_forget_bias": True}),
    # Time and state
    Catch(chapter.test_reading_backwards_equals_the_reference, on_conv_lstm(broken_in_time.ignores_go_backwards), conv_lstm(2, padding="same", go_backwards=True)),
    Catch(chapter.test_the_initial_state_is_zeros_of_one_output_step, on_conv_lstm(broken_argument.initial_states_of_ones), conv_lstm(2, padding="same", strides=2)),
    Catch(chapter.test_a_masked_sample_ends_on_the_states_of_its_unmasked_steps, on_conv_lstm(broken_in_time.ignores_mask), conv_lstm(3, padding="same")),
    Catch(chapter.test_dropout_changes_nothing_at_inference, on_conv_lstm(broken_wrapper.training_forced(True)), conv_lstm(1, dropout=0.5, recurrent_dropout=0.5)),
]
