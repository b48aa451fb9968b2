# Seen on Keras 3.15.1 with JAX 0.10.2.
# On JAX, a ConvLSTM called with a mask fails: the mask of each step is broadcast against the (batch, *spatial,
# filters) states as if they were (batch, units). TensorFlow and PyTorch hold the masked steps' states. Exits 1 while
# it fails, 0 where the masked sample ends on the states of its unmasked steps. Runs on JAX unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "jax")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = (
    '"mask: Binary tensor of shape (samples, timesteps) indicating whether a given timestep should be masked." '
    "(https://keras.io/api/layers/recurrent_layers/conv_lstm2d/)"
)
layer = keras.layers.ConvLSTM2D(2, 3, padding="same", return_state=True)
x = np.random.default_rng(0).uniform(-1, 1, (2, 4, 5, 5, 1)).astype("float32")
mask = np.array([[True] * 4, [True, True, False, False]])  # the second sample's last two steps masked
try:
    _, h, _ = layer(x, mask=mask)
    _, h_alone, _ = layer(x[1:, :2])
    found, error = keras.ops.convert_to_numpy(h)[1:], None
except ValueError as raised:
    found, error = None, raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the second sample's final h, that of its first two steps alone")
print("Keras:", f"ValueError: {' '.join(str(error).split())[:200]}" if error else found[0, 0, 0])
raise SystemExit(int(found is None or not np.allclose(found, keras.ops.convert_to_numpy(h_alone), atol=1e-6)))
