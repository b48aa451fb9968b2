"""The breakages chapter 1 (spec/test_outputs_and_states.py) catches: layers, and ConvLSTM layers, that return another
structure, shape or dtype, or the wrong step or state."""

from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec import test_outputs_and_states as chapter
from spec.meta import breakages as broken
from spec.meta import breakages_convlstm as broken_conv
from spec.meta.breakages_convlstm import on_conv_lstm
from spec.meta.breaking import only
from spec.meta.catches.convlstm import conv_lstm
from spec.meta.catching import Catch


def subject(cell, return_sequences, return_state):
    return {"subject": LayerSubject(cell, return_sequences, return_state, "cpu", SHAPES["notebook"])}


CATCHES = [
    Catch(chapter.test_input_must_be_3d, broken.accepts_2d_input, {"cell": "GRU", "device": "cpu", "rank": 2}),
    Catch(chapter.test_without_return_state_one_tensor_is_returned, broken.wraps_lone_output, subject("GRU", False, False)),
    Catch(chapter.test_with_return_state_the_output_is_followed_by_the_states, broken.drops_last_state, subject("LSTM", True, True)),
    Catch(chapter.test_with_return_state_the_output_is_followed_by_the_states, broken.returns_other_container, subject("SimpleRNN", False, True)),
    Catch(chapter.test_output_shape_follows_return_sequences, broken.drops_a_unit, subject("GRU", True, False)),
    Catch(chapter.test_every_state_has_the_shape_of_one_output_step, broken.states_gain_a_time_axis, subject("LSTM", False, True)),
    Catch(chapter.test_everything_returned_is_float32, broken.output_in_float16, subject("SimpleRNN", True, False)),
    Catch(chapter.test_without_return_sequences_the_output_is_the_final_h, broken.state_from_step(-2), subject("GRU", False, True)),
    Catch(chapter.test_with_return_sequences_the_last_step_is_the_final_h, broken.reverses_sequence, subject("LSTM", True, True)),
    Catch(chapter.test_with_return_sequences_the_last_step_is_the_final_h, broken.state_from_step(-2), subject("SimpleRNN", True, True)),
    Catch(chapter.test_lstm_cell_state_is_not_h, broken.cell_state_is_h, subject("LSTM", False, True)),
    Catch(chapter.test_lstm_h_is_bounded_by_tanh_of_c, broken.swaps_states, subject("LSTM", True, True)),
    Catch(chapter.test_stacking_on_a_last_output_is_refused, broken.accepts_2d_input, {"lower": "LSTM", "upper": "GRU", "device": "cpu"}),
    Catch(chapter.test_stacking_on_sequences_works_and_its_shapes_follow, only("LSTM", broken.drops_a_unit), {"lower": "SimpleRNN", "upper": "LSTM", "device": "cpu"}),
    Catch(chapter.test_compute_output_shape_agrees_with_the_tensors, broken.misreports_output_shape, subject("GRU", True, True)),
    Catch(chapter.test_symbolic_output_shapes_agree_with_the_tensors, broken.misreports_output_shape, subject("LSTM", False, True)),
    # ConvLSTM layers, which chapter 1 holds to the same claims
    Catch(chapter.test_without_return_state_one_tensor_is_returned, on_conv_lstm(broken.wraps_lone_output), conv_lstm(1, False, False)),
    Catch(chapter.test_with_return_state_the_output_is_followed_by_the_states, on_conv_lstm(broken.drops_last_state), conv_lstm(2)),
    Catch(chapter.test_with_return_state_the_output_is_followed_by_the_states, on_conv_lstm(broken.returns_other_container), conv_lstm(3, False)),
    Catch(chapter.test_every_state_has_the_shape_of_one_output_step, broken_conv.strides_always_1, conv_lstm(3, padding="same", strides=2)),
    Catch(chapter.test_every_state_has_the_shape_of_one_output_step, on_conv_lstm(broken.states_gain_a_time_axis), conv_lstm(2, False)),
    Catch(chapter.test_everything_returned_is_float32, on_conv_lstm(broken.output_in_float16), conv_lstm(1)),
    Catch(chapter.test_compute_output_shape_agrees_with_the_tensors, on_conv_lstm(broken.misreports_output_shape), conv_lstm(2)),
    Catch(chapter.test_symbolic_output_shapes_agree_with_the_tensors, on_conv_lstm(broken.misreports_output_shape), conv_lstm(3, False)),
    Catch(chapter.test_without_return_sequences_the_output_is_the_final_h, on_conv_lstm(broken.state_from_step(-2)), conv_lstm(2, False)),
    Catch(chapter.test_with_return_sequences_the_last_step_is_the_final_h, on_conv_lstm(broken.reverses_sequence), conv_lstm(1)),
    Catch(chapter.test_lstm_cell_state_is_not_h, on_conv_lstm(broken.cell_state_is_h), conv_lstm(3)),
    Catch(chapter.test_lstm_h_is_bounded_by_tanh_of_c, on_conv_lstm(broken.swaps_states), conv_lstm(2)),
]
