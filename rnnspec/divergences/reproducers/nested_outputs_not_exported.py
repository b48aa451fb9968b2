# Seen on Keras 3.15.1 with TensorFlow 2.21 and JAX 0.10.2.
# A functional model of `RNN` over stacked cells with `return_state` returns each cell's states nested (an LSTMCell's
# as [h, c]); `model.export` to "tf_saved_model" (and to "litert", through a SavedModel, on TensorFlow) fails on the
# nested outputs: "Got a non-Tensor value [...] for key 'output_1'". Exits 1 while it fails, 0 once it exports.
import tempfile
from importlib.util import find_spec

if find_spec("tensorflow") is None:
    print("Needs tensorflow (for the SavedModel export), which is not installed here.")
    raise SystemExit(3)
import keras
import numpy as np

DOCUMENTED = '"Export the model as an artifact for inference" (https://keras.io/api/models/model_saving_apis/export/)'
inputs = keras.Input((6, 5))
stack = keras.layers.RNN([keras.layers.LSTMCell(4), keras.layers.GRUCell(3)], return_sequences=True, return_state=True)
model = keras.Model(inputs, stack(inputs))
model(np.zeros((2, 6, 5), "float32"))
print(f"Keras {keras.__version__}, {keras.backend.backend()} backend\nDocumented: {DOCUMENTED}")
try:
    model.export(f"{tempfile.mkdtemp()}/m", format="tf_saved_model", verbose=False)
except ValueError as error:
    print("export to tf_saved_model fails:", str(error).strip().splitlines()[-1][:300])
    raise SystemExit(1)
print("exports")
