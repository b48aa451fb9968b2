# Seen on Keras 3.15.1 with PyTorch 2.13 (LSTM, GRU) and JAX 0.10.2 (GRU).
# `use_cudnn=True` where cuDNN cannot run (on a CPU) runs the generic kernel instead of raising, as the TensorFlow
# backend does. Exits 1 while the GRU runs, 0 once it raises. Runs on PyTorch unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "torch")  # where it shows; JAX's GRU too
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
os.environ["CUDA_VISIBLE_DEVICES"] = ""  # on the CPU, where cuDNN cannot run
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = (
    '"use_cudnn: Whether to use a cuDNN-backed implementation. `"auto"` will attempt to use cuDNN when feasible, and '
    'will fallback to the default implementation if not." (https://keras.io/api/layers/recurrent_layers/gru/); '
    'the TensorFlow backend refuses: "use_cudnn=True was specified, but cuDNN is not supported [...]"'
)
try:
    keras.layers.GRU(2, use_cudnn=True)(np.ones((1, 3, 2), "float32"))
    error = None
except ValueError as raised:
    error = raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend, on the CPU")
print("Documented:", DOCUMENTED)
print("Expected: a ValueError naming use_cudnn")
print("Keras:", "runs without cuDNN" if error is None else f"ValueError: {str(error).split('Arguments received')[0]}")
raise SystemExit(int(error is None))
