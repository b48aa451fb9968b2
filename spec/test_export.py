"""Chapter 14. Exported models return what Keras returns.

Keras 3.15's `model.export(path, format=...)` writes an artifact for serving: `tf_saved_model` (loaded with
`tf.saved_model.load`), `onnx` (ONNX Runtime), `litert` (the LiteRT interpreter) and `openvino` (the OpenVINO
runtime) (https://keras.io/api/models/model_saving_apis/export/). Users ask, release after release, whether a
recurrent model exported for serving still returns what it returned in Keras. Each case exports the subject's
functional model, whose batch dimension is open, runs the artifact with its own runtime on the subject's inputs in
two batches of different sizes, and holds what it returns against the same model called in Keras: as many outputs,
in the same order (the output, then h (and c) in Keras's order), of the same shapes, with the same values within the
runtime's tolerance. Where a format cannot carry a recurrent layer on a backend, the table of known divergences
says so. The time dimension is fixed at export (the `batch` shape): the chapter states an open batch dimension, not
an open time dimension, which Keras's ONNX export documents as unsupported on PyTorch. The chapter runs with the
optional extra `.[export]` (the runtimes); without it, its cases skip and say so, the SavedModel's too: exporting
costs about a second a model, too long for the default run.
"""


import pytest
from pytest_cases import parametrize_with_cases

from rnnspec.probes import exported
from rnnspec.statements.assertions import assert_close
from rnnspec.statements.tolerances import EXPORTED
from spec.cases_export import EVERY_EXPORT


def exported_and_keras(subject, observe):
    """What the artifact returned, and what the same model returned called in Keras."""
    missing = exported.runtime_missing(subject.probe.call_path)
    if missing:
        pytest.skip(missing)
    return observe(subject), observe(subject.with_probe(call_path="model"))


@parametrize_with_cases("subject", cases=EVERY_EXPORT)
def test_an_exported_model_returns_as_many_outputs_of_the_same_shapes(subject, observe):
    """The artifact returns as many tensors as the model does in Keras, of the same shapes, on a batch of another
    size than the one it was exported with."""
    run, keras_run = exported_and_keras(subject, observe)
    shapes, wanted = [a.shape for a in run.arrays], [a.shape for a in keras_run.arrays]
    assert shapes == wanted, (
        f"the {subject.probe.call_path} artifact returned {len(shapes)} tensors of shapes {shapes}; Keras returns "
        f"{len(wanted)}: {', '.join(f'{n} {s}' for n, s in zip(keras_run.names, wanted))}\n  configuration: {run.describe()}"
    )


@parametrize_with_cases("subject", cases=EVERY_EXPORT)
def test_an_exported_model_returns_keras_values_in_keras_order(subject, observe):
    """Each tensor the artifact returns equals the one Keras returns in the same place (the output, then each
    final state in order), within the runtime's tolerance: nothing reversed, reordered or dropped."""
    run, keras_run = exported_and_keras(subject, observe)
    assert len(run.arrays) == len(keras_run.arrays), f"{len(run.arrays)} tensors, Keras returns {len(keras_run.arrays)}"
    for name, actual, wanted in zip(keras_run.names, run.arrays, keras_run.arrays):
        assert actual.shape == wanted.shape, f"{name}: shape {actual.shape}, Keras's {wanted.shape}\n  {run.describe()}"
        assert_close(actual, wanted, EXPORTED[subject.probe.call_path], f"{name} of the artifact and of Keras", run)
