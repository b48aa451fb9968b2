# Seen on Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13.
# A model has no `reset_state()`, which the RNN page documents for resetting the states of a whole model.
# Exits 1 while it has none, 0 once it resets its stateful layers.
import keras
import numpy as np

DOCUMENTED = (
    '"To reset the states of your model, call .reset_state() on either a specific layer, or on your entire model." '
    "(https://keras.io/api/layers/recurrent_layers/rnn/)"
)
x = np.random.default_rng(0).normal(size=(1, 3, 2)).astype("float32")
inputs = keras.Input(batch_shape=(1, 3, 2))
model = keras.Model(inputs, keras.layers.GRU(2, stateful=True)(inputs))
first = keras.ops.convert_to_numpy(model(x))
model(x)
try:
    model.reset_state()
    again, error = keras.ops.convert_to_numpy(model(x)), None
except AttributeError as raised:
    again, error = None, raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected after model.reset_state():", first)
print("Keras:", f"AttributeError: {error}" if error else again)
raise SystemExit(int(again is None or not np.array_equal(again, first)))
