# Seen on Keras 3.15.1 with JAX 0.10.2.
# On JAX, a masked step before a sample's first valid step outputs the initial state h, where TensorFlow and
# PyTorch output zeros. Exits 1 while it does, 0 where it outputs zeros. Runs on JAX unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "jax")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = (
    '"mask: [...] a `False` entry indicates that the corresponding timestep should be ignored." '
    "(https://keras.io/api/layers/recurrent_layers/gru/)"
)
gru = keras.layers.GRU(2, return_sequences=True)
x, mask = np.ones((1, 3, 1), "float32"), np.array([[False, True, True]])  # the first step masked
initial_h = np.full((1, 2), 0.5, "float32")
first_output = keras.ops.convert_to_numpy(gru(x, mask=mask, initial_state=[initial_h]))[0, 0]

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected at the masked first step: zeros, as TensorFlow and PyTorch output; the initial h is", initial_h[0])
print("Keras outputs:", first_output)
raise SystemExit(int(np.any(first_output != 0)))
