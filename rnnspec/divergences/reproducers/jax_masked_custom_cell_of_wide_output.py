# Seen on Keras 3.15.1 with JAX 0.10.2.
# On JAX, masking an `RNN` over a custom cell whose output is wider than its state fails in the backend's loop
# ("Incompatible shapes for broadcasting"). Exits 1 while it fails, 0 once a masked step repeats the previous
# output, as on TensorFlow and PyTorch. Runs on JAX unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "jax")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np


class WideOutputCell(keras.layers.Layer):
    state_size, output_size = 2, 4  # outputs [h, h]

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2))

    def call(self, inputs, states):
        h = keras.ops.tanh(keras.ops.matmul(inputs, self.kernel) + states[0])
        return keras.ops.concatenate([h, h], axis=-1), [h]


DOCUMENTED = (
    '"A RNN cell is a class that has: [...] A `state_size` attribute. [...] A `output_size` attribute, a single '
    'integer." (https://keras.io/api/layers/recurrent_layers/rnn/)'
)
try:
    rnn = keras.layers.RNN(WideOutputCell(), return_sequences=True)
    output = keras.ops.convert_to_numpy(rnn(np.ones((1, 3, 1), "float32"), mask=np.array([[True, False, True]])))
    outcome, diverges = f"step 1 (masked) outputs {output[0, 1]}, step 0 {output[0, 0]}", output[0, 1] != output[0, 0]
except Exception as error:  # noqa: BLE001 (whatever the backend raises)
    outcome, diverges = f"{type(error).__name__}: {str(error).split('Arguments received')[0].strip()}", True
print(f"Keras {keras.__version__}, {keras.backend.backend()} backend\nDocumented: {DOCUMENTED}")
print(f"Expected: the masked step repeats the previous output\nKeras: {outcome}")
raise SystemExit(int(np.any(diverges)))
