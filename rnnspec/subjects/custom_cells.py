"""Cells written by a user, as the RNN page describes them (https://keras.io/api/layers/recurrent_layers/rnn/):
one a Keras layer whose output is not its state, one a plain class with `call` and `state_size`. Their equations
in NumPy are `rnnspec.oracle.recurrent.wide_output_cell`."""

from functools import cache

from rnnspec import installation


def weight_shapes(features: int, units: int) -> list[tuple[str, tuple[int, int]]]:
    """Both cells' weights, in order: K (features, units) and U (units, units)."""
    return [("kernel", (features, units)), ("recurrent_kernel", (units, units))]


@cache
def wide_output_cell_class():
    """A cell written by a user: one state h' = tanh(x K + h U), and an output twice as wide as its state, the new
    state beside the step's input projection [h', x K]. A masked step's output thus tells the previous output, the
    state and a freshly computed output apart."""
    keras = installation.keras()

    class WideOutputCell(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units
            self.output_size = 2 * units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")
            self.built = True  # Keras 2 sets it only in Layer.build: without it, RNN would build the cell again

        def call(self, inputs, states):
            ops = installation.ops()
            projection = ops.matmul(inputs, self.kernel)
            h = ops.tanh(projection + ops.matmul(states[0], self.recurrent_kernel))
            return ops.concatenate([h, projection], axis=-1), [h]

    return WideOutputCell


class PlainCell:
    """A cell that is not a Keras layer, as the RNN page describes one: a `call(input_at_t, states_at_t)` method
    returning (output, new states), and `state_size`. It computes h' = tanh(x K + h U) and outputs h'."""

    def __init__(self, kernel, recurrent_kernel):
        self.kernel, self.recurrent_kernel = kernel, recurrent_kernel
        self.state_size = self.output_size = recurrent_kernel.shape[0]

    @property
    def named_weights(self) -> dict:
        """Its weights by name, as `rnnspec.statements.expected.layer_weights` gives a Keras layer's."""
        return {"kernel": self.kernel, "recurrent_kernel": self.recurrent_kernel}

    def call(self, inputs, states):
        ops = installation.ops()
        h = ops.tanh(ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel))
        return h, [h]
