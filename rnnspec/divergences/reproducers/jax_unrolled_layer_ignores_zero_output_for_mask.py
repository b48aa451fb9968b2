# Seen on Keras 3.5.0 to 3.15.1 and keras-nightly 3.16.0.dev2026102704 with JAX 0.4.31 to 0.10.2.
# On JAX, a layer with `unroll=True` ignores `zero_output_for_mask=True`: a masked step outputs the previous step's
# output instead of zeros (the rolled loop, and TensorFlow and PyTorch reading forwards, output zeros).
# `Bidirectional` with return_sequences sets zero_output_for_mask, so an unrolled layer in it shows it too.
# Exits 1 while it does, 0 once the masked step outputs zeros. Runs on JAX unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "jax")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = (
    '"zero_output_for_mask: Whether the output should use zeros for the masked timesteps." '
    "(https://keras.io/api/layers/recurrent_layers/rnn/)"
)
x, mask = np.array([[[0.9], [0.4]]], "float32"), np.array([[True, False]])  # the second step masked
layer = keras.layers.SimpleRNN(1, return_sequences=True, zero_output_for_mask=True, unroll=True)
layer(x)
layer.set_weights([np.full((1, 1), 0.5, "float32"), np.full((1, 1), 0.3, "float32"), np.full((1,), 0.2, "float32")])
masked_output = keras.ops.convert_to_numpy(layer(x, mask=mask))[0, 1, 0]

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected at the masked second step: 0.0")
print("Keras with unroll=True:", masked_output)
raise SystemExit(int(masked_output != 0))
