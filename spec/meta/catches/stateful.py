"""The breakages chapter 5 (spec/test_stateful.py) catches: layers that forget their states between calls, do not
reset them or swap them, or run a batch of another size."""

from spec import test_stateful as chapter
from spec.meta import breakages as broken
from spec.meta import breakages_time as broken_in_time
from spec.meta.breakages_convlstm import on_conv_lstm
from spec.meta.catches.convlstm import conv_lstm
from spec.meta.catches.padded_batch import subject
from spec.meta.catching import Catch

CATCHES = [
    Catch(chapter.test_a_second_call_starts_from_the_first_calls_final_states, broken_in_time.forgets_states_between_calls, subject("LSTM", False, False, stateful=True)),
    Catch(chapter.test_layer_states_hold_the_returned_states, broken.swaps_states, subject("LSTM", True, True, stateful=True)),
    Catch(chapter.test_reset_states_restores_the_first_result, broken_in_time.reset_states_does_nothing, {**subject("GRU", True, False, stateful=True), "method": "reset_states"}),
    Catch(chapter.test_reset_states_restores_the_first_result, broken_in_time.reset_state_does_nothing, {**subject("LSTM", False, True, stateful=True), "method": "reset_state"}),
    Catch(chapter.test_a_batch_of_another_size_is_refused, broken_in_time.accepts_any_batch_size, subject("SimpleRNN", False, False, stateful=True)),
    Catch(chapter.test_a_functional_model_carries_the_states_between_calls, broken_in_time.forgets_states_between_calls, subject("GRU", False, True, stateful=True)),
    Catch(chapter.test_a_compiled_predict_carries_the_states_between_calls, broken_in_time.forgets_states_between_calls, subject("SimpleRNN", True, True, stateful=True)),
    # ConvLSTM layers, which this chapter holds to the same statements
    Catch(chapter.test_a_second_call_starts_from_the_first_calls_final_states, on_conv_lstm(broken_in_time.forgets_states_between_calls), conv_lstm(2, padding="same", stateful=True)),
    Catch(chapter.test_reset_states_restores_the_first_result, on_conv_lstm(broken_in_time.reset_states_does_nothing), {**conv_lstm(3, False, False, padding="same", stateful=True), "method": "reset_states"}),
    Catch(chapter.test_reset_states_restores_the_first_result, on_conv_lstm(broken_in_time.reset_state_does_nothing), {**conv_lstm(1, padding="same", stateful=True), "method": "reset_state"}),
]
