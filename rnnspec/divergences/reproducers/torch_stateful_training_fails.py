# Seen on Keras 3.15.1 with PyTorch 2.13 (CPU); fixed on keras-nightly 3.16.0.dev2026102704.
# On PyTorch, a stateful LSTM or GRU cannot be trained: the backward pass fails because the layer assigns its new
# states in place, over a tensor the gradient still needs (keras-team/keras#20875, closed as fixed; it holds on
# the CPU, and #23462 on a GPU). Exits 1 while a train_on_batch step of a stateful LSTM fails; 0 once it trains.
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
    '"stateful: Boolean (default: `False`). If `True`, the last state for each sample at index i in a batch will be '
    'used as initial state for the sample of index i in the following batch." '
    "(https://keras.io/api/layers/recurrent_layers/lstm/); a model trains with train_on_batch "
    "(https://keras.io/api/models/model_training_apis/)"
)
rng = np.random.default_rng(0)
x, y = rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 5)).astype("float32")
model = keras.Sequential([keras.Input(batch_shape=(2, 3, 4)), keras.layers.LSTM(5, stateful=True)])
model.compile(optimizer="sgd", loss="mse")

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend, LSTM(5, stateful=True), train_on_batch")
print("Documented:", DOCUMENTED)
try:
    print("Keras, the loss of a training step:", model.train_on_batch(x, y))
except RuntimeError as error:
    print("Keras, a training step fails:", str(error).splitlines()[0])
    raise SystemExit(1)
