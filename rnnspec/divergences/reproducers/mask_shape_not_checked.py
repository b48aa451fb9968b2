# Seen on Keras 3.0.5 to 3.15.1 on every backend, tf_keras 2.21.
# A mask of the wrong shape is not refused by Keras: the backend's loop fails with its own error, which names
# neither the mask nor the shape expected. Exits 1 while it does, 0 once Keras refuses the mask with a ValueError
# that names it. Any backend (KERAS_BACKEND); TF_USE_LEGACY_KERAS=1 runs tf_keras.
import os

import numpy as np

if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
    import tf_keras as keras
else:
    import keras

DOCUMENTED = (
    '"mask: Binary tensor of shape `(samples, timesteps)` indicating whether a given timestep should be masked" '
    "(https://keras.io/api/layers/recurrent_layers/gru/)"
)
try:
    keras.layers.GRU(4)(np.zeros((3, 6, 5), "float32"), mask=np.ones((3, 4), bool))  # 4 steps for 6
    error = None
except Exception as raised:  # noqa: BLE001 (whatever the backend raises)
    error = raised
# Keras appends every call argument to errors raised in call, the mask among them (tf_keras: "Call arguments")
message = str(error).replace("Call arguments", "Arguments").split("Arguments received by")[0].strip()

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: a ValueError naming the mask, of shape (3, 4) for inputs of (3, 6, 5)")
print(f"Keras raises: {type(error).__name__}: {message}")
raise SystemExit(int(not (isinstance(error, ValueError) and "mask" in message.lower())))
