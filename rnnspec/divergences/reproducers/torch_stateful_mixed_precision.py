# Seen on Keras 3.15.1 with PyTorch 2.13; fixed on keras-nightly 3.16.0.dev2026102704.
# On PyTorch, a stateful layer under a mixed precision policy does not continue its sequence on its second call.
# Exits 1 while the second half of a sequence, called after the first, differs from the whole sequence's output
# beyond float16's rounding; 0 once it continues. Runs on PyTorch unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "torch")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = (
    '"stateful: [...] If `True`, the last state for each sample at index i in a batch will be used as initial state '
    'for the sample of index i in the following batch." (https://keras.io/api/layers/recurrent_layers/simple_rnn/)'
)
x = np.random.default_rng(0).normal(size=(1, 4, 2)).astype("float32")
rnn = keras.layers.SimpleRNN(3, stateful=True, dtype="mixed_float16")
rnn(x[:, :2])
second_half = keras.ops.convert_to_numpy(rnn(x[:, 2:])).astype("float32")
rnn.reset_state()
whole = keras.ops.convert_to_numpy(rnn(x)).astype("float32")

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend, SimpleRNN(stateful=True, dtype='mixed_float16')")
print("Documented:", DOCUMENTED)
print("Expected (the whole sequence in one call):", whole)
print("Keras, the second half after the first:   ", second_half)
raise SystemExit(int(not np.allclose(second_half, whole, atol=1e-2)))
