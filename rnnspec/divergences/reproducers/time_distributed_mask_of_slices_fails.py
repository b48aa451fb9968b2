# Seen on Keras 3.0.0 to 3.15.1 on every backend, tf_keras 2.21.
# `TimeDistributed` around a recurrent layer fails on the mask it documents, (samples, timesteps): it passes each
# slice's column of the mask, (samples,), to the layer as that slice's mask of steps. Exits 1 while the call fails,
# 0 once it runs and the valid slices equal the unmasked call's. Any backend (KERAS_BACKEND); TF_USE_LEGACY_KERAS=1
# runs tf_keras.
import os

import numpy as np

if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
    import tf_keras as keras
else:
    import keras

DOCUMENTED = (
    '"mask: Binary tensor of shape `(samples, timesteps)` indicating whether a given timestep should be masked. '
    'This argument is passed to the wrapped layer" (https://keras.io/api/layers/recurrent_layers/time_distributed/)'
)
wrapper = keras.layers.TimeDistributed(keras.layers.LSTM(3))
x = np.random.default_rng(0).uniform(-1, 1, (2, 4, 5, 2)).astype("float32")  # 4 slices of 5 steps
mask = np.array([[True, True, False, True], [True, False, False, False]])
numpy = keras.ops.convert_to_numpy if hasattr(keras, "ops") else np.asarray  # tf_keras has no ops
unmasked = numpy(wrapper(x))
try:
    found, error = numpy(wrapper(x, mask=mask)), None
except Exception as raised:  # noqa: BLE001 (IndexError in Keras 3.15 and tf_keras, ValueError in Keras 3.0)
    found, error = None, raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the call runs, and each valid slice outputs what the unmasked call outputs there")
print("Keras:", f"{type(error).__name__}: {' '.join(str(error).split())[:160]}" if error else found[mask][:, 0])
raise SystemExit(int(found is None or not np.allclose(found[mask], unmasked[mask], atol=1e-6)))
