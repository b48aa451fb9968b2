"""Cases of chapter 14 (exported models): every cell and output mode, then reading backwards, `Bidirectional` and
stacked cells, each exported to every format Keras writes, on the `batch` shape (its batch dimension left open),
on the CPU where serving runtimes run."""

from pytest_cases import case, parametrize

from rnnspec.configs import CELLS, SHAPES, BidirectionalConfig, LayerConfig, StackConfig
from rnnspec.exported import FORMATS
from spec.catalogue import Axis, Tag, per_output_mode

SHAPE = SHAPES["batch"]


def exported_layer(cell, format, *, return_sequences, return_state):
    return LayerConfig(cell, return_sequences, return_state, "cpu", SHAPE, format)


EXPORTED = per_output_mode("exported", exported_layer, Axis("cell", CELLS), Axis("format", FORMATS))


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(cell=CELLS, format=FORMATS)
def exported_backwards(cell, format):
    return LayerConfig(cell, True, True, "cpu", SHAPE, format, options=(("go_backwards", True),))


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(cell=CELLS, format=FORMATS)
def exported_bidirectional(cell, format):
    return BidirectionalConfig(cell, True, True, "cpu", SHAPE, format)


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(cells=(("LSTM", "GRU"), ("SimpleRNN", "LSTM")), format=FORMATS, ids=None)
def exported_stack(cells, format):
    return StackConfig(cells, "cpu", format)


EVERY_EXPORT = (*EXPORTED, exported_backwards, exported_bidirectional, exported_stack)
