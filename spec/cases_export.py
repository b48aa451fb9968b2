"""Cases of chapter 14 (exported models): every cell and output mode, then reading backwards, `Bidirectional` and
stacked cells, each exported to every format Keras writes, on the `batch` shape (its batch dimension left open),
on the CPU where serving runtimes run."""

from pytest_cases import case, parametrize

from rnnspec.probes.exported import FORMATS
from rnnspec.subjects.calls import Call
from rnnspec.subjects.cells import StackSubject
from rnnspec.subjects.layers import CELLS, BidirectionalSubject, LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec.vocabulary import Axis, Tag, per_output_mode

SHAPE = SHAPES["batch"]


def exported_layer(cell, format, *, return_sequences, return_state):
    return LayerSubject(cell, return_sequences, return_state, "cpu", SHAPE, Call(format))


EXPORTED = per_output_mode("exported", exported_layer, Axis("cell", CELLS), Axis("format", FORMATS))


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(cell=CELLS, format=FORMATS)
def exported_backwards(cell, format):
    return LayerSubject(cell, True, True, "cpu", SHAPE, Call(format), options=(("go_backwards", True),))


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(cell=CELLS, format=FORMATS)
def exported_bidirectional(cell, format):
    return BidirectionalSubject(cell, True, True, "cpu", SHAPE, Call(format))


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(cells=(("LSTM", "GRU"), ("SimpleRNN", "LSTM")), format=FORMATS, ids=None)
def exported_stack(cells, format):
    return StackSubject(cells, "cpu", Call(format))


EVERY_EXPORT = (*EXPORTED, exported_backwards, exported_bidirectional, exported_stack)
