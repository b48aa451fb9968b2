# Seen on Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13.
# `reset_state(states=...)`, documented on the RNN page for setting a stateful layer's states numerically, takes no
# argument. Exits 1 while it does not, 0 once the layer's states hold the values given.
import keras
import numpy as np

DOCUMENTED = (
    '"You can specify the initial state of RNN layers numerically by calling reset_state() with the keyword argument '
    'states." (https://keras.io/api/layers/recurrent_layers/rnn/)'
)
layer = keras.layers.GRU(2, stateful=True)
layer.build((1, 3, 2))
given = np.array([[0.5, -0.5]], "float32")
try:
    layer.reset_state(states=[given])
    found, error = keras.ops.convert_to_numpy(layer.states[0]), None
except TypeError as raised:
    found, error = None, raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected states:", given)
print("Keras:", f"TypeError: {error}" if error else found)
raise SystemExit(int(found is None or not np.array_equal(found, given)))
