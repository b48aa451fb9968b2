# Seen on Keras 3.15.1 and keras-nightly 3.16.0.dev2026102704 with PyTorch 2.13 (Keras 3.10.0 and before compute in float64).
# On PyTorch, a float64 GRU with `reset_after=False` loses precision to float32: its output differs from a float64
# computation of the documented equations by float32's rounding (with reset_after=True it is exact). Exits 1 while
# it does, 0 once it computes in float64. Runs on PyTorch unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "torch")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = '"dtype: The dtype of the layer\'s computations and weights." (https://keras.io/api/layers/base_layer/)'
x = np.random.default_rng(0).normal(size=(2, 4, 3))  # float64
gru = keras.layers.GRU(3, dtype="float64", reset_after=False)
output = keras.ops.convert_to_numpy(gru(x))
if output.dtype != np.float64:
    print(f"The {keras.backend.backend()} backend computes float64 in float32 (JAX unless JAX_ENABLE_X64=1).")
    raise SystemExit(3)
kernel, recurrent_kernel, bias = gru.get_weights()  # gate blocks z, r, h
sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
h = np.zeros((2, 3))
for x_t in x.transpose(1, 0, 2):  # reset before: the candidate reads r * h through its recurrent kernel
    projected = x_t @ kernel + bias
    z = sigmoid(projected[:, :3] + h @ recurrent_kernel[:, :3])
    r = sigmoid(projected[:, 3:6] + h @ recurrent_kernel[:, 3:6])
    h = z * h + (1 - z) * np.tanh(projected[:, 6:] + (r * h) @ recurrent_kernel[:, 6:])
difference = np.abs(output - h).max()

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the float64 computation, within float64's rounding (1e-12)")
print(f"Keras: output of dtype {output.dtype}, {difference:.1e} from it")
raise SystemExit(int(difference > 1e-12))
