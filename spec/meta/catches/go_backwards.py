"""The breakages chapter 4 (spec/test_go_backwards.py) catches: layers that read forwards or reverse their sequence."""

from spec import test_go_backwards as chapter
from spec.meta import breakages as broken
from spec.meta import breakages_time as broken_in_time
from spec.meta.breakages_convlstm import on_conv_lstm
from spec.meta.catches.convlstm import conv_lstm
from spec.meta.catches.padded_batch import subject
from spec.meta.catching import Catch

CATCHES = [
    Catch(chapter.test_reading_backwards_the_last_output_is_still_the_final_h, broken.reverses_sequence, subject("GRU", True, True, go_backwards=True)),
    Catch(chapter.test_reading_backwards_equals_a_forward_layer_on_the_reversed_input, broken_in_time.ignores_go_backwards, subject("LSTM", False, False, go_backwards=True)),
    Catch(chapter.test_reading_backwards_equals_the_reference, broken_in_time.ignores_go_backwards, subject("SimpleRNN", False, True, go_backwards=True)),
    Catch(chapter.test_reading_backwards_under_a_mask_reads_the_padding_first, broken.reverses_sequence, subject("LSTM", True, False, go_backwards=True)),
    # ConvLSTM layers, which this chapter holds to the same statements
    Catch(chapter.test_reading_backwards_equals_a_forward_layer_on_the_reversed_input, on_conv_lstm(broken_in_time.ignores_go_backwards), conv_lstm(1, False, False, padding="same", go_backwards=True)),
]
