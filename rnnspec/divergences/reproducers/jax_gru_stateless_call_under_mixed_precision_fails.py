# Seen on Keras 3.15.1 and keras-nightly 3.16.0.dev2026102704 with JAX 0.10.2 (Keras 3.10.0 and before run it).
# On JAX, a GRU (reset_after=True, the default; unmasked, not unrolled) under a mixed dtype policy fails through
# `stateless_call`, as `jax.jit` of a layer's call takes it: its scan carries a float16 state in and a float32 state
# out (TypeError). Called directly, or through `predict`, the same layer runs. Exits 1 while it fails, 0 once it runs.
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
    '"Call the layer without any side effects." (the docstring of `Layer.stateless_call`) and the mixed precision '
    "guide's policies (https://keras.io/guides/mixed_precision/)"
)
layer = keras.layers.GRU(1, dtype="mixed_float16")
inputs = np.ones((1, 2, 1), "float32")
layer(inputs)  # runs
variables = [v.value for v in layer.trainable_variables], [v.value for v in layer.non_trainable_variables]
try:
    layer.stateless_call(*variables, inputs)
    error = None
except TypeError as raised:
    error = raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: stateless_call runs, as the call does")
message = [] if error is None else str(error).replace("\x1b[1m", "").replace("\x1b[0m", "").splitlines()
print("Keras:", "runs" if error is None else "TypeError: " + next((line for line in message if "carry" in line), message[0]))
raise SystemExit(int(error is not None))
