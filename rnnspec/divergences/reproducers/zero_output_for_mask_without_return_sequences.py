# Seen on Keras 3.0.5 to 3.15.1 on every backend, tf_keras 2.21.
# `zero_output_for_mask=True` zeros the output of a sample whose last step is masked, without `return_sequences`.
# Exits 1 while it does, 0 once Keras does as documented. Any backend; TF_USE_LEGACY_KERAS=1 runs tf_keras.
import os

import numpy as np

if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
    import tf_keras as keras
else:
    import keras

DOCUMENTED = (
    '"zero_output_for_mask: [...] Note that this field is only used when `return_sequences` is `True` and `mask` '
    'is provided." (https://keras.io/api/layers/recurrent_layers/rnn/)'
)
x = np.random.default_rng(0).normal(size=(1, 3, 2)).astype("float32")
x[:, 2] = 0  # the last step is padding, which Masking masks
lstm = keras.layers.LSTM(2, zero_output_for_mask=True)  # return_sequences=False
model = keras.Sequential([keras.Input((None, 2)), keras.layers.Masking(), lstm])
output = model.predict(x, verbose=0)
last_valid_output = model.predict(x[:, :2], verbose=0)  # what the flag, unused here, must leave alone

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected (the last valid output):", last_valid_output)
print("Keras returns:                   ", output)
raise SystemExit(int(not np.allclose(output, last_valid_output, atol=1e-6)))
