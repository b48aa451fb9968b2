"""The breakages chapter 6 (spec/test_initial_state.py) catches: layers that ignore the initial state, and a
Bidirectional wrapper that swaps the directions' initial states."""

from rnnspec.subjects.layers import BidirectionalSubject
from rnnspec.subjects.shapes import PADDED
from spec import test_initial_state as chapter
from spec.meta import breakages_time as broken_in_time
from spec.meta.breakages_convlstm import on_conv_lstm
from spec.meta.catches.convlstm import conv_lstm
from spec.meta.catches.padded_batch import subject
from spec.meta.catching import Catch

CATCHES = [
    Catch(chapter.test_initial_state_is_where_the_recurrence_starts, broken_in_time.ignores_initial_state, subject("LSTM", True, True)),
    Catch(chapter.test_bidirectional_takes_forward_states_then_backward_states, broken_in_time.bidirectional_swaps_initial_states, {"subject": BidirectionalSubject("GRU", True, True, "cpu", PADDED)}),
    # ConvLSTM layers, which this chapter holds to the same statements
    Catch(chapter.test_initial_state_is_where_the_recurrence_starts, on_conv_lstm(broken_in_time.ignores_initial_state), conv_lstm(2, padding="same", strides=2, data_format="channels_first")),
]
