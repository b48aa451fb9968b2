# Seen on Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13; fixed on keras-nightly 3.16.0.dev2026102704.
# `Bidirectional` around a stateful layer with `return_state=True` cannot be called: its `compute_mask` fails.
# Exits 1 while it fails, 0 once it returns the output and both directions' states.
import keras
import numpy as np

DOCUMENTED = (
    '"stateful: Boolean (default False). If True, the last state for each sample at index i in a batch will be used '
    'as initial state for the sample of index i in the following batch." '
    "(https://keras.io/api/layers/recurrent_layers/gru/); Bidirectional: \"The call arguments for this layer are the "
    'same as those of the wrapped RNN layer." (https://keras.io/api/layers/recurrent_layers/bidirectional/)'
)
layer = keras.layers.Bidirectional(keras.layers.GRU(2, stateful=True, return_state=True))
try:
    returned, error = layer(np.ones((1, 3, 2), "float32")), None
except TypeError as raised:
    returned, error = None, raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the output, the forward h and the backward h")
print("Keras:", f"TypeError: {error}" if error else f"{len(returned)} tensors")
raise SystemExit(int(returned is None or len(returned) != 3))
