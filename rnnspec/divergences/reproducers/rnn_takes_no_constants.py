# Seen on Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13.
# `RNN` takes no `constants`, which the RNN page says a cell's call can take. Exits 1 while it does not, 0 once
# the cell receives them at every step.
import keras
import numpy as np

DOCUMENTED = (
    '"The call method of the cell can also take the optional argument constants, see section \"Note on passing '
    'external constants\" below." (https://keras.io/api/layers/recurrent_layers/rnn/)'
)


class AddsConstants(keras.layers.Layer):
    state_size = 2

    def call(self, inputs, states, constants):
        total = states[0] + inputs + constants[0]
        return total, [total]


x, c = np.ones((1, 3, 2), "float32"), np.full((1, 2), 0.5, "float32")
try:
    found, error = keras.ops.convert_to_numpy(keras.layers.RNN(AddsConstants())(x, constants=[c])), None
except TypeError as raised:
    found, error = None, raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: sum of x over the steps + 3 c =", x.sum(axis=1) + 3 * c)
print("Keras:", f"TypeError: {error}" if error else found)
raise SystemExit(int(found is None or not np.allclose(found, x.sum(axis=1) + 3 * c)))
