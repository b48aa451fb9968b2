# Seen on tf_keras 2.21 with TensorFlow 2.21.
# tf_keras's LSTM and GRU draw their input dropout mask over the whole (batch, timesteps, features) input, a new
# mask at every step, where their cells (and Keras 3) draw one mask per sequence, the same at every step. Exits 1
# while an input feature is dropped at some steps of a sequence and kept at others; 0 once the mask is per sequence.
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
    '"dropout: Float between 0 and 1. Fraction of the units to drop for the linear transformation of the inputs." '
    "(https://keras.io/2.16/api/layers/recurrent_layers/lstm/); its cell draws that mask once per sequence"
)
x = tf.constant(np.ones((1, 6, 8), dtype="float32"))
lstm = keras.layers.LSTM(4, dropout=0.5)
with tf.GradientTape() as tape:
    tape.watch(x)
    loss = tf.reduce_sum(lstm(x, training=True))
dropped = tape.gradient(loss, x).numpy()[0] == 0  # (steps, features): a dropped input passes no gradient

print(f"tf_keras {keras.__version__}, LSTM(4, dropout=0.5) in training, the input features dropped at each step:")
print("Documented:", DOCUMENTED)
print(dropped.astype(int))
raise SystemExit(int(not np.all(dropped == dropped[0])))
