# Seen on the source of Keras 3.15.1's JAX backend (jax.experimental.rnn offers a cuDNN LSTM only).
# Needs a GPU visible to JAX (pip install "jax[cuda12]"): without one, or on another backend, it says so and exits 3.
# On JAX, a GRU runs as a scan where cuDNN would run: its compiled call holds no cuDNN RNN kernel, where an LSTM's
# does. Exits 1 while it holds none, 0 once it does.
import os
from importlib.util import find_spec

os.environ.setdefault("KERAS_BACKEND", "jax")  # where it shows
if find_spec("jax") is None:
    print('Needs jax (pip install "jax[cuda12]"), which is not installed here.')
    raise SystemExit(3)
import jax  # after the backend is chosen
import keras
import numpy as np

DOCUMENTED = (
    '"use_cudnn: Whether to use a cuDNN-backed implementation." (https://keras.io/api/layers/recurrent_layers/gru/)'
)
if keras.backend.backend() != "jax" or jax.default_backend() != "gpu":
    print(f"Needs a GPU and the JAX backend; found the {keras.backend.backend()} backend and {jax.devices()}.")
    raise SystemExit(3)
x = np.ones((2, 5, 3), "float32")


def calls_cudnn(layer) -> bool:
    """Whether the layer's compiled call holds jax.experimental.rnn's cuDNN kernel (a custom call cudnn_rnn)."""
    layer(x)  # built before the trace
    return "cudnn_rnn" in jax.jit(lambda inputs: layer(inputs)).lower(x).as_text()


lstm, gru = calls_cudnn(keras.layers.LSTM(4)), calls_cudnn(keras.layers.GRU(4, use_cudnn=True))
print(f"Keras {keras.__version__}, JAX {jax.__version__} on {jax.devices()[0]}\nDocumented: {DOCUMENTED}")
print(f"An LSTM's call holds a cuDNN kernel: {lstm}; a GRU(use_cudnn=True)'s: {gru}")
if not lstm:
    print("Without a cuDNN LSTM to compare with, this cannot tell.")
    raise SystemExit(3)
raise SystemExit(int(not gru))
