# Seen on Keras 3.15.1 with TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13; onnxruntime 1.32, ai-edge-litert 2.3, OpenVINO 2026.4.
# `model.export` of a SimpleRNN reading backwards to each format, run by its runtime on batches of 1 and 2 samples: some
# fail to export or run. Exits 1 while one fails or differs from Keras, 0 once all match. KERAS_BACKEND's backend.
import tempfile
from importlib.util import find_spec
if missing := [name for name in ("tensorflow", "onnxruntime", "ai_edge_litert", "openvino") if find_spec(name) is None]:
    print(f"Needs {', '.join(missing)} to run the artifacts (rnnspec's export extra), not installed here.")
    raise SystemExit(3)
import keras
import numpy as np
DOCUMENTED = 'formats "tf_saved_model", "onnx", "openvino", "litert" (https://keras.io/api/models/model_saving_apis/export/)'
def runner(format, path):  # the artifact loaded by its own runtime: batch -> every output, in order
    if format == "tf_saved_model":
        import tensorflow as tf
        return lambda batch, loaded=tf.saved_model.load(path): tf.nest.flatten(loaded.serve(batch))
    if format == "onnx":
        import onnxruntime
        return lambda batch, s=onnxruntime.InferenceSession(path): s.run(None, {s.get_inputs()[0].name: batch})
    if format == "litert":
        from ai_edge_litert.interpreter import Interpreter
        run = Interpreter(model_path=path).get_signature_runner()  # outputs named output_0, output_1, ...
        return lambda batch: [v for _, v in sorted(run(**{list(run.get_input_details())[0]: batch}).items())]
    import openvino  # compiled in float32, not bfloat16
    return lambda b, c=openvino.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"}): list(c(b).values())
x, inputs = np.random.default_rng(0).normal(size=(3, 6, 5)).astype("float32"), keras.Input((6, 5))
print(f"Keras {keras.__version__}, {keras.backend.backend()} backend\nDocumented: {DOCUMENTED}")
model = keras.Model(inputs, keras.layers.SimpleRNN(4, return_sequences=True, return_state=True, go_backwards=True)(inputs))
wanted, failed = [keras.ops.convert_to_numpy(t) for t in model(x)], 0
for format, file in {"tf_saved_model": "m", "onnx": "m.onnx", "litert": "m.tflite", "openvino": "m.xml"}.items():
    try:
        model.export(path := f"{tempfile.mkdtemp()}/{file}", format=format, verbose=False)
        got = [np.concatenate(parts) for parts in zip(*map(runner(format, path), (x[:1], x[1:])))]
        same = len(got) == len(wanted) and all(np.allclose(g, w, atol=1e-5) for g, w in zip(got, wanted))
        outcome = "returns Keras's values" if same else f"returns other values: shapes {[g.shape for g in got]}"
    except Exception as error:
        outcome = f"fails: {type(error).__name__}: {str(error).strip().splitlines()[0][:150]}"
    failed |= outcome != "returns Keras's values"
    print(f"SimpleRNN(go_backwards=True) exported to {format}: {outcome}")
raise SystemExit(failed)
