# Seen on tf_keras 2.21 with TensorFlow 2.21.
# tf_keras's RNN over stacked cells fails when it is called with a mask and an initial state for each cell (a list
# of states per cell, as it returns them): ValueError "The two structures don't have the same nested structure".
# Without the mask the same call runs. Exits 1 while the masked call fails; 0 once it runs.
import os
from importlib.util import find_spec

if missing := [name for name in ("tensorflow", "tf_keras") if find_spec(name) is None]:
    print(f"Needs {' and '.join(missing)} (pip install tf-keras), not installed here.")
    raise SystemExit(3)
os.environ["TF_USE_LEGACY_KERAS"] = "1"  # the Keras 2 API, tf_keras
import numpy as np
import tensorflow as tf
import tf_keras as keras

DOCUMENTED = (
    '"mask: Binary tensor of shape [batch_size, timesteps] indicating whether a given timestep should be masked." '
    '"initial_state: List of initial state tensors to be passed to the first call of the cell." '
    "(https://keras.io/2.16/api/layers/recurrent_layers/rnn/)"
)
x = tf.constant(np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32"))
mask = tf.constant([[True, True, True], [False, True, True]])
rnn = keras.layers.RNN([keras.layers.LSTMCell(3), keras.layers.GRUCell(2)], return_sequences=True, return_state=True)
states = [[tf.zeros((2, 3)), tf.zeros((2, 3))], [tf.zeros((2, 2))]]  # LSTMCell's h and c, GRUCell's h

print(f"tf_keras {keras.__version__}, RNN([LSTMCell(3), GRUCell(2)]) with initial_state, without then with a mask")
print("Documented:", DOCUMENTED)
print("Keras, without the mask:", len(rnn(x, initial_state=states)), "tensors returned")
try:
    print("Keras, with the mask:   ", len(rnn(x, initial_state=states, mask=mask)), "tensors returned")
except ValueError as error:
    print("Keras, with the mask, fails:", [line for line in str(error).splitlines() if "structure" in line][0])
    raise SystemExit(1)
