# Seen on Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13.
# `Bidirectional(..., weights=[...])` is accepted and ignored: the layer starts from freshly initialized weights.
# Exits 1 while it does, 0 once it starts from the weights given.
import keras
import numpy as np

DOCUMENTED = (
    "keras.layers.Bidirectional(layer, merge_mode=\"concat\", weights=None, backward_layer=None, **kwargs) "
    "(https://keras.io/api/layers/recurrent_layers/bidirectional/); Keras 2 documented \"weights: Initial weights to "
    'load in the Bidirectional model"'
)
shapes = keras.layers.Bidirectional(keras.layers.GRU(2))
shapes.build((None, 3, 2))
given = [np.full(w.shape, 0.5, "float32") for w in shapes.weights]
layer = keras.layers.Bidirectional(keras.layers.GRU(2), weights=given)
layer.build((None, 3, 2))
same = all(np.array_equal(found, wanted) for found, wanted in zip(layer.get_weights(), given))

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected: the weights given (all 0.5)")
print("Keras's first weight:", layer.get_weights()[0])
raise SystemExit(int(not same))
