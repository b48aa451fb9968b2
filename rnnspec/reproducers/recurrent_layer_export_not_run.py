# Seen on Keras 3.15.1 with TensorFlow 2.21 (LiteRT, OpenVINO) and JAX 0.10.2 (LiteRT, OpenVINO).
# `model.export` of an LSTM to `litert` or `openvino` gives no artifact its runtime runs: on TensorFlow the LiteRT
# artifact needs Select TensorFlow ops the LiteRT interpreter lacks and OpenVINO cannot convert the loop
# (TensorList); on JAX Keras refuses LiteRT and OpenVINO cannot convert XlaCallModule. Exits 1 while either fails
# here, 0 once both run. Needs ai-edge-litert and openvino (the export extra). Runs on KERAS_BACKEND's backend.
import tempfile

import numpy as np

import keras

DOCUMENTED = '"format: ... Supported values: "tf_saved_model", "onnx", "openvino", "litert"" (keras.Model.export)'
x = np.random.default_rng(0).normal(size=(2, 6, 5)).astype("float32")
inputs = keras.Input((6, 5))
model = keras.Model(inputs, keras.layers.LSTM(4)(inputs))
print(f"Keras {keras.__version__}, {keras.backend.backend()} backend\nDocumented: {DOCUMENTED}")
failed = 0
for format, name in (("litert", "m.tflite"), ("openvino", "m.xml")):
    path = f"{tempfile.mkdtemp()}/{name}"
    try:
        model.export(path, format=format, verbose=False)
        if format == "litert":
            from ai_edge_litert.interpreter import Interpreter

            interpreter = Interpreter(model_path=path)
            interpreter.allocate_tensors()
        else:
            import openvino

            openvino.Core().compile_model(path, "CPU")
        print(format, "exports and loads")
    except Exception as error:
        failed = 1
        print(format, "fails:", type(error).__name__, str(error).splitlines()[0][:200])
raise SystemExit(failed)
