# Seen on tf_keras 2.21.
# tf_keras checks an initial state's units but not its batch size: a state of another batch size fails in the
# GRU cell's first step with TensorFlow's error, naming neither the state nor the shape expected. Exits 1 while it
# does, 0 once tf_keras refuses it with a ValueError naming the initial state. Needs tf_keras (pip install tf-keras).
from importlib.util import find_spec

if missing := [name for name in ("tensorflow", "tf_keras") if find_spec(name) is None]:
    print(f"Needs {' and '.join(missing)} (pip install tf-keras), not installed here.")
    raise SystemExit(3)
import numpy as np
import tf_keras as keras

DOCUMENTED = (
    '"initial_state: List of initial state tensors to be passed to the first call of the cell" '
    "(https://keras.io/2/api/layers/recurrent_layers/gru/); a state of another number of units is refused: "
    '"An `initial_state` was passed that is not compatible with `cell.state_size`"'
)
x = np.ones((3, 6, 5), "float32")
try:
    keras.layers.GRU(4)(x, initial_state=[keras.backend.constant(np.zeros((2, 4), "float32"))])  # a batch of 2 for 3
    error = None
except Exception as raised:  # noqa: BLE001 (whatever TensorFlow raises)
    error = raised
message = str(error).split("Call arguments received by")[0].strip()  # tf_keras appends every call argument

print(f"tf_keras {keras.__version__}")
print("Documented:", DOCUMENTED)
print("Expected: a ValueError naming the initial state, of batch 2 for inputs of batch 3")
print(f"tf_keras raises: {type(error).__name__}: {message}")
raise SystemExit(int(not (isinstance(error, ValueError) and "initial" in message.lower())))
