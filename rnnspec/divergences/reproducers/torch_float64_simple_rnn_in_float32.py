# Seen on Keras 3.15.1 with PyTorch 2.13.
# On PyTorch, a float64 SimpleRNN loses precision to float32: its output differs from a float64 computation of
# the same equations by float32's rounding. Exits 1 while it does, 0 once it computes in float64, as LSTM and GRU
# do. Runs on PyTorch unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "torch")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = '"dtype: The dtype of the layer\'s computations and weights." (https://keras.io/api/layers/base_layer/)'
x = np.random.default_rng(0).normal(size=(2, 5, 3))  # float64
rnn = keras.layers.SimpleRNN(4, dtype="float64")
output = keras.ops.convert_to_numpy(rnn(x))
if output.dtype != np.float64:
    print(f"The {keras.backend.backend()} backend computes float64 in float32 (JAX unless JAX_ENABLE_X64=1).")
    raise SystemExit(3)
kernel, recurrent_kernel, bias = rnn.get_weights()
h = np.zeros((2, 4))
for x_t in x.transpose(1, 0, 2):  # h' = tanh(x W + h U + b), in float64
    h = np.tanh(x_t @ kernel + h @ recurrent_kernel + bias)
difference = np.abs(output - h).max()

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the float64 computation, within float64's rounding (1e-12)")
print(f"Keras: output of dtype {output.dtype}, {difference:.1e} from it")
raise SystemExit(int(difference > 1e-12))
