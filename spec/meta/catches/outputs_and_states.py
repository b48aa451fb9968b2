"""The breakages chapter 1 (spec/test_outputs_and_states.py) catches: layers that return another structure, shape or
dtype, or the wrong step or state."""

from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec import test_outputs_and_states as chapter
from spec.meta import breakages as broken
from spec.meta.breaking import only
from spec.meta.catching import Catch


def config(cell, return_sequences, return_state):
    return {"config": LayerSubject(cell, return_sequences, return_state, "cpu", SHAPES["notebook"])}


CATCHES = [
    Catch(chapter.test_input_must_be_3d, broken.accepts_2d_input, {"cell": "GRU", "device": "cpu", "rank": 2}),
    Catch(chapter.test_without_return_state_one_tensor_is_returned, broken.wraps_lone_output, config("GRU", False, False)),
    Catch(chapter.test_with_return_state_the_output_is_followed_by_the_states, broken.drops_last_state, config("LSTM", True, True)),
    Catch(chapter.test_with_return_state_the_output_is_followed_by_the_states, broken.returns_other_container, config("SimpleRNN", False, True)),
    Catch(chapter.test_output_shape_follows_return_sequences, broken.drops_a_unit, config("GRU", True, False)),
    Catch(chapter.test_every_state_has_shape_batch_by_units, broken.states_gain_a_time_axis, config("LSTM", False, True)),
    Catch(chapter.test_everything_returned_is_float32, broken.output_in_float16, config("SimpleRNN", True, False)),
    Catch(chapter.test_without_return_sequences_the_output_is_the_final_h, broken.state_from_step(-2), config("GRU", False, True)),
    Catch(chapter.test_with_return_sequences_the_last_step_is_the_final_h, broken.reverses_sequence, config("LSTM", True, True)),
    Catch(chapter.test_with_return_sequences_the_last_step_is_the_final_h, broken.state_from_step(-2), config("SimpleRNN", True, True)),
    Catch(chapter.test_lstm_cell_state_is_not_h, broken.cell_state_is_h, config("LSTM", False, True)),
    Catch(chapter.test_lstm_h_is_bounded_by_tanh_of_c, broken.swaps_states, config("LSTM", True, True)),
    Catch(chapter.test_stacking_on_a_last_output_is_refused, broken.accepts_2d_input, {"lower": "LSTM", "upper": "GRU", "device": "cpu"}),
    Catch(chapter.test_stacking_on_sequences_works_and_its_shapes_follow, only("LSTM", broken.drops_a_unit), {"lower": "SimpleRNN", "upper": "LSTM", "device": "cpu"}),
    Catch(chapter.test_compute_output_shape_agrees_with_the_tensors, broken.misreports_output_shape, config("GRU", True, True)),
    Catch(chapter.test_symbolic_output_shapes_agree_with_the_tensors, broken.misreports_output_shape, config("LSTM", False, True)),
]
