# Seen on Keras 3.0.5 to 3.15.1 on every backend.
# `RNN` fails on a cell that is a plain class with `call` and `state_size`, as its page describes a cell: Keras 3
# reads the cell's `compute_dtype`, which only a Keras Layer has. Exits 1 while it fails with that AttributeError,
# 0 once such a cell runs. Any backend (KERAS_BACKEND).
import keras
import numpy as np

DOCUMENTED = (
    '"A RNN cell is a class that has: - A `call(input_at_t, states_at_t)` method, returning `(output_at_t, '
    'states_at_t_plus_1)`. [...] - A `state_size` attribute." (https://keras.io/api/layers/recurrent_layers/rnn/)'
)


class PlainCell:
    state_size = output_size = 2

    def call(self, input_at_t, states_at_t):
        h = keras.ops.tanh(input_at_t + states_at_t[0])
        return h, [h]


try:
    keras.layers.RNN(PlainCell())(np.ones((1, 3, 2), "float32"))
    error = None
except AttributeError as raised:
    error = raised

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Keras:", "runs the cell" if error is None else f"AttributeError: {str(error).split('Arguments received')[0]}")
raise SystemExit(int(error is not None))
