# Seen on Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13.
# SimpleRNN drops its `activity_regularizer` (LSTM and GRU keep theirs): no penalty is added to the losses.
# Exits 1 while it does, 0 once the penalty of the output is added.
import keras
import numpy as np

DOCUMENTED = (
    '"activity_regularizer: Regularizer function applied to the output of the layer (its \"activation\")." '
    "(https://keras.io/api/layers/recurrent_layers/simple_rnn/)"
)
x = np.random.default_rng(0).normal(size=(2, 3, 2)).astype("float32")
layer = keras.layers.SimpleRNN(2, activity_regularizer=keras.regularizers.L1(0.01))
output = keras.ops.convert_to_numpy(layer(x))
expected = 0.01 * np.abs(output).sum() / len(x)  # Keras divides an activity penalty by the batch size

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected losses:", [float(expected)], "activity_regularizer:", "L1(0.01)")
print("Keras's losses: ", [float(loss) for loss in layer.losses], "activity_regularizer:", layer.activity_regularizer)
raise SystemExit(int(len(layer.losses) != 1 or not np.isclose(float(layer.losses[0]), expected, rtol=1e-5)))
