# Seen on Keras 3.15.1 and keras-nightly 3.16.0.dev2026102704 with PyTorch 2.13 (Keras 3.10.0 and before compute in float64).
# On PyTorch, a float64 LSTM or GRU called with a mask loses precision to float32: its output differs from the same
# call without the mask (every step valid, so the same computation) by float32's rounding. Exits 1 while it does,
# 0 once the masked call computes in float64. Runs on PyTorch unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "torch")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = '"dtype: The dtype of the layer\'s computations and weights." (https://keras.io/api/layers/base_layer/)'
x, every_step = np.random.default_rng(0).normal(size=(2, 5, 3)), np.ones((2, 5), bool)  # float64; nothing masked
lstm = keras.layers.LSTM(4, dtype="float64")
unmasked = keras.ops.convert_to_numpy(lstm(x))
if unmasked.dtype != np.float64:
    print(f"The {keras.backend.backend()} backend computes float64 in float32 (JAX unless JAX_ENABLE_X64=1).")
    raise SystemExit(3)
masked = keras.ops.convert_to_numpy(lstm(x, mask=every_step))
difference = np.abs(masked - unmasked).max()

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the masked call, every step valid, within float64's rounding (1e-12) of the unmasked one")
print(f"Keras: output of dtype {masked.dtype}, {difference:.1e} from it")
raise SystemExit(int(difference > 1e-12))
