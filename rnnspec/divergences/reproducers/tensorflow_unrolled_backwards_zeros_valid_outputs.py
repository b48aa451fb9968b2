# Seen on Keras 3.0.0 to 3.15.1 and keras-nightly 3.16.0.dev2026102704 with TensorFlow 2.16 to 2.21.
# On TensorFlow, a layer with `unroll=True`, `go_backwards=True` and `zero_output_for_mask=True` zeros the outputs of
# valid steps and keeps those of masked ones: the unrolled loop reads the mask in input order while it steps in
# reverse (the rolled loop, and JAX and PyTorch, do not). `Bidirectional` with return_sequences sets
# zero_output_for_mask, so its backward direction shows it too. Exits 1 while it does, 0 once the output is right.
# Runs on TensorFlow unless KERAS_BACKEND is set.
import os
from importlib.util import find_spec

backend = os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # where it shows
if find_spec(backend) is None:
    print(f"Needs {backend} (KERAS_BACKEND={backend}), which is not installed here.")
    raise SystemExit(3)
import keras  # after the backend is chosen
import numpy as np

DOCUMENTED = (
    '"zero_output_for_mask: Whether the output should use zeros for the masked timesteps." and "unroll: [...] the '
    'network will be unrolled, else a symbolic loop will be used." (https://keras.io/api/layers/recurrent_layers/rnn/)'
)
x, mask = np.array([[[-0.5], [0.9]]], "float32"), np.array([[True, False]])  # the second step masked
outputs = {}
for unroll in (False, True):
    layer = keras.layers.SimpleRNN(1, return_sequences=True, go_backwards=True, zero_output_for_mask=True, unroll=unroll)
    layer(x)
    layer.set_weights([np.full((1, 1), 0.5, "float32"), np.full((1, 1), 0.3, "float32"), np.full((1,), 0.2, "float32")])
    outputs[unroll] = keras.ops.convert_to_numpy(layer(x, mask=mask))[0, :, 0]

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Read backwards, the masked step comes first (zero output), then the valid one (tanh(0.5 x + 0.2) != 0)")
print("Expected, as the rolled loop returns:", outputs[False])
print("Keras with unroll=True:", outputs[True])
raise SystemExit(int(not np.allclose(outputs[True], outputs[False])))
