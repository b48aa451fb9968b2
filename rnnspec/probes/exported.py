"""Exported models, run by their own runtimes: the call paths of chapter 14.

`model.export(path, format=...)` writes an artifact for serving, which a user then loads with another runtime and
no Keras at all. The call path of a format exports the subject's functional model into a temporary folder, loads the
artifact with that format's runtime, and runs it on the subject's inputs in two batches of different sizes (the
first sample, then the others), so that an artifact whose batch dimension was fixed at export cannot pass. What it
returns is every output of the artifact, in the artifact's order.
"""

import importlib.util
import tempfile
from pathlib import Path

import numpy as np

from rnnspec.probes.compiled import leaves

# Each format Keras 3.15 writes, with the module of the runtime that runs it.
RUNTIMES = {
    "tf_saved_model": "tensorflow",  # tf.saved_model.load
    "onnx": "onnxruntime",
    "litert": "ai_edge_litert",  # the LiteRT interpreter
    "openvino": "openvino",
}
FORMATS = tuple(RUNTIMES)
ARTIFACT_NAMES = {"tf_saved_model": "saved_model", "onnx": "model.onnx", "litert": "model.tflite", "openvino": "model.xml"}
EXTRA = 'the export extra: python -m pip install -e ".[export]"'


# The module that shows the export extra installed: its ONNX runtime, which every backend's exports use.
EXTRA_MODULE = "onnxruntime"


def runtime_missing(format: str) -> str | None:
    """Why the format's runtime cannot run here, or None where it can. The chapter runs with the export extra alone,
    the SavedModel format too although TensorFlow runs it: an export and its load take about a second a model, and
    the chapter's 40 exports would make up a tenth of the default run."""
    if importlib.util.find_spec(EXTRA_MODULE) is None:
        return f"exported models are stated with {EXTRA}"
    module = RUNTIMES[format]
    if importlib.util.find_spec(module) is None:
        return f"the {format} runtime ({module}) is not installed; it comes with {EXTRA}"
    return None


def run_exported(model, inputs: np.ndarray, format: str) -> tuple[np.ndarray, ...]:
    """Export `model` to `format`, load the artifact with its runtime, run it on `inputs` in two batches (the first
    sample, then the rest) and join them: every output, in the artifact's order."""
    # Keras's ONNX export refuses a model that has never been called, functional or not ("The model provided has
    # never called", keras/src/export/onnx.py); a user exports a model they have run, so this one runs first.
    model(inputs[:1])
    with tempfile.TemporaryDirectory(prefix="rnnspec-export-") as folder:
        path = str(Path(folder) / ARTIFACT_NAMES[format])
        model.export(path, format=format, verbose=False)
        run = LOADERS[format](path)
        parts = [run(np.ascontiguousarray(batch)) for batch in (inputs[:1], inputs[1:])]
    return tuple(np.concatenate(outputs, axis=0) for outputs in zip(*parts))


def saved_model(path):
    import tensorflow as tf

    loaded = tf.saved_model.load(path)  # kept by the closure: its functions need the loaded object alive

    def run(batch):
        return tuple(np.asarray(t) for t in leaves(loaded.serve(batch)))  # one tensor, a tuple, a list or a dict

    return run


def onnx(path):
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda batch: tuple(session.run(None, {name: batch}))


def litert(path):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=path)
    (key,) = interpreter.get_signature_list()
    signature = interpreter.get_signature_list()[key]
    runner = interpreter.get_signature_runner(key)
    # The signature names its outputs output_0, output_1, ... in the model's order.
    order = sorted(signature["outputs"], key=lambda name: int(name.rsplit("_", 1)[-1]))
    return lambda batch: tuple(runner(**{signature["inputs"][0]: batch})[name] for name in order)


def openvino(path):
    import openvino as ov

    # Full float32: OpenVINO's CPU plugin otherwise infers in bfloat16 on processors that support it.
    model = ov.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})

    def run(batch):
        results = model(batch)
        return tuple(np.asarray(results[output]) for output in model.outputs)

    return run


LOADERS = {"tf_saved_model": saved_model, "onnx": onnx, "litert": litert, "openvino": openvino}
