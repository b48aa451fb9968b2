# Seen on Keras 3.15.1 and keras-nightly 3.16.0.dev2026102704 with JAX 0.10.2 (Keras 3.10.0 and before run it).
# On JAX, a GRU with `use_bias=False` (and `reset_after=True`, the default) fails under a mixed dtype policy
# (mixed_float16, mixed_bfloat16): its scan carries a float16 state in and a float32 state out (TypeError). With a
# bias, with reset_after=False, or on TensorFlow and PyTorch, it runs. Exits 1 while it fails, 0 once it runs.
# Runs on JAX unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "jax")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = (
    '"use_bias: Boolean, (default True), whether the layer should use a bias vector." '
    "(https://keras.io/api/layers/recurrent_layers/gru/) and the mixed precision guide's policies"
)
try:
    keras.layers.GRU(1, use_bias=False, dtype="mixed_float16")(np.ones((1, 2, 1), "float32"))
    error = None
except TypeError as raised:
    error = raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the layer runs, as it does with a bias")
message = [] if error is None else str(error).replace("\x1b[1m", "").replace("\x1b[0m", "").splitlines()
print("Keras:", "runs" if error is None else "TypeError: " + next((line for line in message if "carry" in line), message[0]))
raise SystemExit(int(error is not None))
