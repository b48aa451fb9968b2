# Seen on Keras 3.5.0 to 3.15.1 and keras-nightly 3.16.0.dev2026102704 with PyTorch 2.13.
# On PyTorch, a layer with `unroll=True` and `go_backwards=True` fails when called with a mask (AttributeError
# 'tuple' object has no attribute 'shape'); unrolled forwards, or rolled, it runs. `Bidirectional` reads
# backwards, so an unrolled layer in it fails under a mask too. Exits 1 while it fails, 0 once it runs.
# Runs on PyTorch unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "torch")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = (
    '"mask: Binary tensor of shape [batch, timesteps] indicating whether a given timestep should be masked" and '
    '"unroll: [...] the network will be unrolled" (https://keras.io/api/layers/recurrent_layers/simple_rnn/)'
)
x, mask = np.ones((2, 3, 2), "float32"), np.array([[True, True, False], [True, False, True]])
try:
    keras.layers.SimpleRNN(2, unroll=True, go_backwards=True)(x, mask=mask)
    error = None
except Exception as raised:  # noqa: BLE001 - what it raises is what the reproducer shows
    error = raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the layer runs, as it does unrolled forwards or rolled")
print("Keras:", "runs" if error is None else f"{type(error).__name__}: {str(error).split('Arguments received')[0].strip()}")
raise SystemExit(int(error is not None))
