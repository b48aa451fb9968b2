# Seen on Keras 3.0.5 to 3.15.1 on every backend.
# A GRU given two initial states, where it has one, runs and silently ignores the second; other wrong numbers or
# shapes fail inside Keras or the backend, naming neither. Exits 1 while the GRU runs, 0 once Keras refuses the
# states with a ValueError that names the initial state, as Keras 2 did. Any backend (KERAS_BACKEND).
import keras
import numpy as np

DOCUMENTED = (
    '"initial_state: List of initial state tensors to be passed to the first call of the cell" '
    "(https://keras.io/api/layers/recurrent_layers/gru/): a GRU has one state, h"
)
x = np.ones((3, 6, 5), "float32")
states = [np.zeros((3, 4), "float32"), np.ones((3, 4), "float32")]  # one too many
try:
    keras.layers.GRU(4)(x, initial_state=states)
    error = None
except Exception as raised:  # noqa: BLE001 (whatever Keras or the backend raises)
    error = raised
message = str(error).split("Arguments received by")[0]  # Keras appends every call argument, whatever went wrong

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: a ValueError naming the initial state")
print("Keras:", "runs, ignoring the second state" if error is None else f"{type(error).__name__}: {message.strip()}")
raise SystemExit(int(not (isinstance(error, ValueError) and "initial" in message.lower())))
