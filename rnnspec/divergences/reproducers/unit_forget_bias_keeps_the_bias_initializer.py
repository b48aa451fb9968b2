# Seen on Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13.
# `unit_forget_bias=True` keeps `bias_initializer` for the gates i, c and o, where the LSTM page says it forces
# bias_initializer="zeros". Exits 1 while it does, 0 once the bias is zeros but for the forget gate's ones.
import keras
import numpy as np

DOCUMENTED = (
    '"unit_forget_bias: [...] If True, add 1 to the bias of the forget gate at initialization. Setting it to True '
    'will also force bias_initializer=\"zeros\"." (https://keras.io/api/layers/recurrent_layers/lstm/)'
)
units = 2
lstm = keras.layers.LSTM(units, unit_forget_bias=True, bias_initializer=keras.initializers.Constant(0.25))
lstm.build((None, 3, 1))
bias = lstm.get_weights()[2]
expected = np.zeros(4 * units, "float32")
expected[units : 2 * units] = 1.0  # the forget gate, second of i, f, c, o

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Expected bias:", expected)
print("Keras's bias: ", bias)
raise SystemExit(int(not np.array_equal(bias, expected)))
