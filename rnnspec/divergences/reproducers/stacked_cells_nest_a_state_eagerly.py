# Seen on Keras 3.0.5 to 3.15.1 on every backend.
# `RNN` over stacked cells, called eagerly with `return_state`, returns a one-state cell's state as a list `[h]`;
# called symbolically, and by `compute_output_shape`, as `h` itself. Exits 1 while the eager call nests it, 0 once
# both calls return h. Any backend (KERAS_BACKEND).
import keras
import numpy as np

DOCUMENTED = (
    '"If `return_state`: a list of tensors. The first tensor is the output. The remaining tensors are the last '
    'states, each with shape `(batch_size, state_size)`" (https://keras.io/api/layers/recurrent_layers/rnn/)'
)


def structure(value) -> str:
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__}({', '.join(map(structure, value))})"
    return f"tensor{tuple(value.shape)}"


rnn = keras.layers.RNN([keras.layers.GRUCell(2), keras.layers.GRUCell(3)], return_state=True)
eager = rnn(np.ones((1, 4, 5), "float32"))
symbolic = rnn(keras.Input((4, 5)))

print(f"Keras {keras.__version__}, {keras.backend.backend()} backend")
print("Documented:", DOCUMENTED)
print("Called symbolically:", structure(symbolic))
print("Called eagerly:     ", structure(eager))
raise SystemExit(int(any(isinstance(state, (list, tuple)) for state in eager[1:])))
