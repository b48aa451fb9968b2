# Seen on tf_keras 2.21 and tf-keras-nightly with TensorFlow 2.21.
# tf_keras's layers with `unroll=True`, `go_backwards=True` and `zero_output_for_mask=True` zero the outputs of
# valid steps and keep those of masked ones, as Keras 3 on TensorFlow does (the unrolled loop reads the mask in input
# order while it steps in reverse); the rolled loop is right. `Bidirectional` with return_sequences sets
# zero_output_for_mask, so its backward direction shows it too. Exits 1 while it does, 0 once the output is right.
import os
from importlib.util import find_spec

if missing := [name for name in ("tensorflow", "tf_keras") if find_spec(name) is None]:
    print(f"Needs {' and '.join(missing)} (pip install tf-keras), not installed here.")
    raise SystemExit(3)
os.environ["TF_USE_LEGACY_KERAS"] = "1"  # the Keras 2 API, tf_keras
import numpy as np
import tf_keras as keras

DOCUMENTED = (
    '"zero_output_for_mask: Boolean. Whether the output should use zeros for the masked timesteps." and "unroll: '
    '[...] the network will be unrolled, else a symbolic loop will be used." '
    "(https://keras.io/2.16/api/layers/recurrent_layers/rnn/)"
)
x, mask = np.array([[[-0.5], [0.9]]], "float32"), np.array([[True, False]])  # the second step masked
outputs = {}
for unroll in (False, True):
    layer = keras.layers.SimpleRNN(1, return_sequences=True, go_backwards=True, zero_output_for_mask=True, unroll=unroll)
    layer(x)
    layer.set_weights([np.full((1, 1), 0.5, "float32"), np.full((1, 1), 0.3, "float32"), np.full((1,), 0.2, "float32")])
    outputs[unroll] = np.asarray(layer(x, mask=mask))[0, :, 0]

print(f"tf_keras {keras.__version__}")
print("Documented:", DOCUMENTED)
print("Read backwards, the masked step comes first (zero output), then the valid one (tanh(0.5 x + 0.2) != 0)")
print("Expected, as the rolled loop returns:", outputs[False])
print("tf_keras with unroll=True:", outputs[True])
raise SystemExit(int(not np.allclose(outputs[True], outputs[False])))
