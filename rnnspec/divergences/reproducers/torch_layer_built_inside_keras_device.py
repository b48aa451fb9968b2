# Seen on Keras 3.15.1 with PyTorch 2.13.
# On PyTorch, a recurrent layer cannot be built inside `keras.device`: the cell's integer seed-generator variable
# is made a torch Parameter, which must be floating point. Exits 1 while building fails, 0 once it works. Also the
# reproducer of benchmarks off the default device, which build their layers inside `keras.device`. Runs on
# PyTorch unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "torch")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = (
    '"Context manager for backend-agnostic device placement. [...] This works across all backends (TensorFlow, JAX, '
    'PyTorch)." (https://keras.io/api/utils/config_utils/#device-function)'
)
try:
    with keras.device("cpu:0"):
        keras.layers.GRU(2)(np.ones((1, 3, 2), "float32"))
    error = None
except Exception as raised:  # noqa: BLE001 (whatever the backend raises)
    error = raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: GRU(2) builds and runs inside keras.device('cpu:0')")
print("Keras:", "it runs" if error is None else f"{type(error).__name__}: {str(error).split('Arguments received')[0]}")
raise SystemExit(int(error is not None))
