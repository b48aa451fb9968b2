# Seen on Keras 3.0.0 and 3.15.1 with TensorFlow, Keras 3.15.1 with PyTorch 2.13.
# A hierarchical model, Masking -> TimeDistributed(LSTM) -> GRU, fails: the wrapper passes on the mask of its input's
# steps, (samples, sentences, words), for an output of one vector per sentence, and the GRU cannot apply it. tf_keras
# reduces it to (samples, sentences), a sentence valid where a word is; JAX's loop reduces it itself. Exits 1 while
# the call fails, 0 once the GRU reads the valid sentences alone. Any backend (KERAS_BACKEND).
import keras
import numpy as np

DOCUMENTED = (
    '"mask: Binary tensor of shape `(samples, timesteps)` indicating whether a given timestep should be masked." '
    "(https://keras.io/api/layers/recurrent_layers/time_distributed/)"
)
x = np.random.default_rng(0).uniform(0.1, 1, (2, 3, 4, 2)).astype("float32")  # 3 sentences of 4 words
x[0, 2] = 0  # the first document's last sentence is padding
inputs = keras.Input((3, 4, 2))
sentences = keras.layers.TimeDistributed(keras.layers.LSTM(5))
document = keras.layers.GRU(3)
model = keras.Model(inputs, document(sentences(keras.layers.Masking(0.0)(inputs))))
try:
    found, error = keras.ops.convert_to_numpy(model(x)), None
    alone = keras.ops.convert_to_numpy(document(sentences(x[:1, :2])))  # its two sentences alone
except Exception as raised:  # noqa: BLE001 (whatever the backend raises)
    found, error = None, raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the first document's vector, that of its two sentences alone")
print("Keras:", f"{type(error).__name__}: {' '.join(str(error).split())[:160]}" if error else found[0])
raise SystemExit(int(found is None or not np.allclose(found[:1], alone, atol=1e-6)))
