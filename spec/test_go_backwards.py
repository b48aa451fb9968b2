"""Chapter 4. go_backwards: the layer reads the sequence from its last step to its first.

"go_backwards: If True, process the input sequence backwards and return the reversed sequence"
(https://keras.io/api/layers/recurrent_layers/lstm/). The output sequence comes in the order the steps were
processed, and is not flipped back: its last step is the final h, and the whole of it equals a forward layer run on
the time-reversed input. Under a right-padding mask, the padding is what the layer reads first.
"""

import numpy as np
from pytest_cases import parametrize_with_cases

from rnnspec.probes.observe import call, layer_weights
from rnnspec.statements.assertions import assert_close, assert_identical
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import expected
from rnnspec.statements.shared import assert_backwards_is_forwards_on_the_reversed_input
from rnnspec.statements.tolerances import VERSUS_REFERENCE
from rnnspec.subjects.masks import MASKS, lengths
from spec.cases_convlstm import CONV_BACKWARDS
from spec.cases_time import BACKWARDS
from spec.vocabulary import Tag


@parametrize_with_cases("subject", cases=BACKWARDS, has_tag=Tag.STATES)
def test_reading_backwards_the_last_output_is_still_the_final_h(subject, build):
    """Reading backwards, the output (or, with `return_sequences`, its last step: the first input step, read last)
    is exactly the final h: the output sequence is in processing order."""
    built = build(subject)
    returned = call(subject, built.layer, built.inputs)
    last = returned.output[:, -1] if subject.return_sequences else returned.output
    assert_identical(last, returned.state["h"], "the last output and the final h", returned)


@documents("{LSTM,GRU,SimpleRNN}.go_backwards", "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.go_backwards")
@parametrize_with_cases("subject", cases=(*BACKWARDS, *CONV_BACKWARDS))
def test_reading_backwards_equals_a_forward_layer_on_the_reversed_input(subject, build):
    """A layer (a ConvLSTM too) with `go_backwards=True` returns exactly what the same layer reading forwards
    returns for the time-reversed input."""
    assert_backwards_is_forwards_on_the_reversed_input(subject, build(subject))


@documents("{LSTM,GRU,SimpleRNN}.go_backwards")
@parametrize_with_cases("subject", cases=BACKWARDS)
def test_reading_backwards_equals_the_reference(subject, build):
    """Reading backwards, the output and states equal the reference reading the steps from last to first."""
    built = build(subject)
    returned = call(subject, built.layer, built.inputs)
    for name, actual, wanted in zip(returned.names, returned.arrays, expected(subject, layer_weights(built.layer), built.inputs)):
        assert_close(actual, wanted, VERSUS_REFERENCE["float32"], f"{name} and the reference {name}", returned)


@parametrize_with_cases("subject", cases=BACKWARDS, has_tag=Tag.SEQUENCES)
def test_reading_backwards_under_a_mask_reads_the_padding_first(subject, build):
    """Reading a right-padded batch backwards, the padded steps come first in processing order: the output is
    zeros until the sample's first valid step is read, and equals the reference throughout."""
    built = build(subject)
    mask = MASKS["right_padded"]
    returned = call(subject, built.layer, built.inputs, note="mask right_padded", mask=mask)
    for sample, length in enumerate(lengths(mask)):
        padding = returned.output[sample, : subject.shape.timesteps - length]
        assert_identical(padding, np.zeros_like(padding), f"sample {sample}'s outputs before its first valid step", returned)
    reference = expected(subject, layer_weights(built.layer), built.inputs, mask=mask)
    for name, actual, wanted in zip(returned.names, returned.arrays, reference):
        assert_close(actual, wanted, VERSUS_REFERENCE["float32"], f"{name} and the reference {name}", returned)
