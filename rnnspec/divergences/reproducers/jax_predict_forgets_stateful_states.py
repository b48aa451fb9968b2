# Seen on Keras 3.15.1 with JAX 0.10.2.
# On JAX, `model.predict` does not keep a stateful layer's states between calls: each call starts from the states
# before it. Exits 1 while it does, 0 once a second predict continues from the first, as a second eager call does.
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
    '"stateful: [...] If `True`, the last state for each sample at index i in a batch will be used as initial state '
    'for the sample of index i in the following batch." (https://keras.io/api/layers/recurrent_layers/simple_rnn/)'
)
x = np.random.default_rng(0).normal(size=(1, 2, 1)).astype("float32")
rnn = keras.layers.SimpleRNN(2, stateful=True)
model = keras.Sequential([keras.Input(batch_shape=(1, 2, 1)), rnn])
first, second = model.predict(x, verbose=0), model.predict(x, verbose=0)
rnn.reset_state()
model(x)
continued = keras.ops.convert_to_numpy(model(x))  # the same two calls, eagerly

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("First predict:", first, " second predict:", second)
print("Expected of the second (it continues from the first, as eager calls do):", continued)
raise SystemExit(int(not np.allclose(second, continued, atol=1e-6)))
