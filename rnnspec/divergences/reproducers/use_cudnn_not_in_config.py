# Seen on Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13.
# `use_cudnn` is missing from an LSTM's (and a GRU's) `get_config`: a layer rebuilt from its config, or loaded
# from a .keras file, is back to use_cudnn="auto". Exits 1 while it is, 0 once the value survives.
import keras
import numpy as np

DOCUMENTED = (
    '"use_cudnn: Whether to use a cuDNN-backed implementation." (https://keras.io/api/layers/recurrent_layers/lstm/); '
    '"get_config(): Returns the config of the object [...] from which the object can be reinstantiated" '
    "(https://keras.io/api/layers/base_layer/)"
)
lstm = keras.layers.LSTM(2, use_cudnn=False)
rebuilt = keras.layers.LSTM.from_config(lstm.get_config())
rebuilt(np.ones((1, 3, 2), "float32"))  # it runs, configured otherwise

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: use_cudnn=False after from_config(get_config())")
print(f"Keras: use_cudnn={rebuilt.use_cudnn!r}; 'use_cudnn' in get_config(): {'use_cudnn' in lstm.get_config()}")
raise SystemExit(int(rebuilt.use_cudnn is not False))
