"""The breakages chapter 14 (spec/test_export.py) catches: exports that drop the last state, reverse the time axis or
swap h and c. Held on ONNX, the format every backend exports (they skip, saying so, without the export extra)."""

from rnnspec.subjects.calls import Call
from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec import test_export as chapter
from spec.meta import breakages_export as broken
from spec.meta.catching import Catch

LSTM = {"subject": LayerSubject("LSTM", True, True, "cpu", SHAPES["batch"], Call("onnx"))}

CATCHES = [
    Catch(chapter.test_an_exported_model_returns_as_many_outputs_of_the_same_shapes, broken.export_drops_the_last_state, LSTM),
    Catch(chapter.test_an_exported_model_returns_keras_values_in_keras_order, broken.export_reverses_the_time_axis, LSTM),
    Catch(chapter.test_an_exported_model_returns_keras_values_in_keras_order, broken.export_swaps_h_and_c, LSTM),
    Catch(chapter.test_an_exported_model_returns_keras_values_in_keras_order, broken.export_drops_the_last_state, LSTM),
]
