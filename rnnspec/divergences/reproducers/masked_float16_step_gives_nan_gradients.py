# Seen on Keras 3.0.0 to 3.15.1 and keras-nightly 3.16.0.dev2026102704 on every backend, tf_keras 2.21.
# Under mixed_float16, a GRU's (or LSTM's) state has NaN gradients through masked steps, which pass it on unchanged:
# a masked step's discarded update overflows float16 (a state of 30,000 times a recurrent weight of 3) and its gradient,
# zeroed by the mask, is 0 x inf. Exits 1 while one is not finite. Any backend; TF_USE_LEGACY_KERAS=1 runs tf_keras.
import os
from importlib import import_module

import numpy as np

if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
    import tf_keras as keras
else:
    import keras

DOCUMENTED = ('"mask: [...] a `False` entry indicates that the corresponding timestep should be ignored." '
              "(https://keras.io/api/layers/recurrent_layers/gru/)")
layer = keras.layers.GRU(1, dtype="mixed_float16", return_state=True, kernel_initializer="ones",
                         recurrent_initializer=keras.initializers.Constant(3.0), bias_initializer="zeros")
inputs, initial_state = np.full((1, 2, 1), 2.0, "float16"), np.full((1, 1), 3e4, "float16")
state = lambda *a: layer(a[0], initial_state=[a[1]], mask=np.zeros((1, 2), bool))[1]  # noqa: E731 (both masked)
framework = import_module(backend := keras.backend.backend())  # the one Keras runs on, installed wherever it runs
if backend == "jax":
    gradients = framework.grad(lambda *a: state(*a).astype("float32").sum(), argnums=(0, 1))(inputs, initial_state)
elif backend == "torch":
    arguments = [framework.tensor(a, requires_grad=True) for a in (inputs, initial_state)]
    gradients = framework.autograd.grad(state(*arguments).float().sum(), arguments)
else:
    arguments = [framework.constant(inputs), framework.constant(initial_state)]
    with framework.GradientTape() as tape:
        tape.watch(arguments)
        computed = state(*arguments)
    gradients = tape.gradient(computed, arguments)
gradients = [np.asarray(gradient, "float32").ravel() for gradient in gradients]

print(f"Keras {keras.__version__}, {backend} backend")
print("Documented:", DOCUMENTED)
print("Expected: d state / d inputs [0. 0.], d state / d initial state [1.]")
print("Keras:    d state / d inputs", gradients[0], "d state / d initial state", gradients[1])
raise SystemExit(int(not all(np.all(np.isfinite(gradient)) for gradient in gradients)))
