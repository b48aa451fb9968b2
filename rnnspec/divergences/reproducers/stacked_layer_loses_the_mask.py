# Seen on keras-nightly 3.16.0.dev2026102704 on TensorFlow, JAX and PyTorch, not Keras 3.15.1: a regression of the next release.
# In Masking → LSTM(return_sequences=True) → LSTM the upper layer no longer receives the mask: Keras warns that the
# layer "does not support masking", and a padded sample's output differs from its unpadded sequence's. Exits 1
# while it does, 0 once the mask reaches the upper layer again. Any backend (KERAS_BACKEND).
import warnings

import keras
import numpy as np

DOCUMENTED = (
    '"the timestep will be masked (skipped) in all downstream layers (as long as they support masking)" '
    "(https://keras.io/api/layers/core_layers/masking/); LSTM, GRU and SimpleRNN support masking"
)
warnings.simplefilter("ignore")  # the nightly warns at every call; its words are printed once below
worst, said = 0.0, []
for cell in ("LSTM", "GRU", "SimpleRNN"):
    inputs = keras.Input((None, 3))
    lower = getattr(keras.layers, cell)(4, return_sequences=True)(keras.layers.Masking(0.0)(inputs))
    model = keras.Model(inputs, getattr(keras.layers, cell)(3)(lower))
    padded = np.random.default_rng(0).normal(size=(1, 6, 3)).astype("float32")
    padded[:, -2:] = 0.0  # the last two steps are padding
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        gap = float(np.abs(np.asarray(model(padded)) - np.asarray(model(padded[:, :-2]))).max())
    said += [str(w.message) for w in warned if "mask" in str(w.message)][:1]
    worst = max(worst, gap)
    print(f"{cell}(return_sequences=True) → {cell}: a padded sample's output and its unpadded one's differ by {gap:.3g}")
print(f"Keras {keras.__version__}, {keras.backend.backend()} backend; Keras warns: {said[0] if said else 'nothing'}")
print("Documented:", DOCUMENTED)
raise SystemExit(int(worst > 1e-5))
