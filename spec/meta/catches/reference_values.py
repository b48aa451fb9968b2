"""The breakages chapter 2 (spec/test_reference_values.py) catches: layers that compute something other than the
cell equations."""

from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec import test_reference_values as chapter
from spec.meta import breakages as broken
from spec.meta.catching import Catch


def subject(cell, return_sequences=True, return_state=True, **options):
    layer = LayerSubject(cell, return_sequences, return_state, "cpu", SHAPES["batch"], options=tuple(options.items()))
    return {"subject": layer}


CATCHES = [
    Catch(chapter.test_output_equals_the_reference, broken.swaps_first_two_gate_blocks, subject("LSTM")),
    Catch(chapter.test_output_equals_the_reference, broken.ignores_recurrent_bias, subject("GRU", False, False)),
    Catch(chapter.test_output_equals_the_reference, broken.uses_relu_activation, subject("SimpleRNN", True, False)),
    Catch(chapter.test_output_equals_the_reference, broken.output_drift(1e-3), subject("GRU")),
    Catch(chapter.test_output_equals_the_reference, broken.output_drift(1e-3), subject("LSTM", dtype="float64")),
    Catch(chapter.test_final_states_equal_the_reference, broken.swaps_first_two_gate_blocks, subject("GRU", False)),
    Catch(chapter.test_final_states_equal_the_reference, broken.state_drift(1e-3), subject("LSTM")),
    Catch(chapter.test_final_states_equal_the_reference, broken.ignores_recurrent_bias, subject("GRU")),
    Catch(chapter.test_lstm_forget_gate_bias_starts_at_one_with_unit_forget_bias, broken.forget_bias_left_at_zero, {"unit_forget_bias": True}),
]
