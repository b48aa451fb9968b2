# Seen on Keras 3.0.5 to 3.15.1 on every backend (tf_keras 2.21 refuses them).
# A built LSTM does not check the feature size of its input: the backend's matrix product fails instead, with an
# error that names neither the input nor the size expected. Exits 1 while it does, 0 once Keras refuses the input
# with a ValueError naming both sizes, as Keras 2 did. Any backend (KERAS_BACKEND).
import keras
import numpy as np

DOCUMENTED = (
    '"inputs: A 3D tensor, with shape `(batch, timesteps, feature)`." '
    "(https://keras.io/api/layers/recurrent_layers/lstm/); Keras 2 (tf_keras) refuses another feature size: "
    '"Input 0 of layer "lstm" is incompatible with the layer: expected shape=(None, None, 5), found shape=(3, 6, 7)"'
)
lstm = keras.layers.LSTM(4)
lstm.build((None, 6, 5))  # for 5 features
try:
    lstm(np.zeros((3, 6, 7), "float32"))  # given 7
    error = None
except Exception as raised:  # noqa: BLE001 (whatever the backend raises)
    error = raised
message = str(error).split("Arguments received by")[0]  # Keras appends every call argument, whatever went wrong

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: a ValueError naming the sizes 5 and 7")
print(f"Keras raises: {type(error).__name__}: {message.strip()}")
raise SystemExit(int(not (isinstance(error, ValueError) and "5" in message and "7" in message)))
