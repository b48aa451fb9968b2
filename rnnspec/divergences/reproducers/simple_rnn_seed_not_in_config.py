# Seen on Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13.
# SimpleRNN's `get_config` has no `seed` (LSTM's, GRU's and SimpleRNNCell's have it): a layer rebuilt from its
# config, or loaded from a .keras file, draws other dropout masks. Exits 1 while it does, 0 once the seed survives.
import keras
import numpy as np

DOCUMENTED = (
    '"seed: Random seed for dropout." (https://keras.io/api/layers/recurrent_layers/simple_rnn/); "get_config(): '
    'Returns the config of the object [...] from which the object can be reinstantiated" '
    "(https://keras.io/api/layers/base_layer/)"
)
layer = keras.layers.SimpleRNN(2, dropout=0.5, seed=7)
rebuilt = keras.layers.SimpleRNN.from_config(layer.get_config())
rebuilt(np.ones((1, 3, 2), "float32"))  # it runs, configured otherwise

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: seed=7 after from_config(get_config())")
print(f"Keras: seed={rebuilt.cell.seed!r}; 'seed' in get_config(): {'seed' in layer.get_config()}")
raise SystemExit(int(rebuilt.cell.seed != 7))
