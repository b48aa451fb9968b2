"""Recurrent layers broken in their backward pass alone: every forward value stays exactly what it was (a term
`t - stop_gradient(t)` is an exact zero), so the forward chapters cannot see the breakage, while the gradients
change the way a regression in a kernel's backward code would change them."""

from rnnspec.configs import CELLS
from spec.meta.breakages import ops
from spec.meta.breaking import replacing

CELL_CLASSES = tuple(f"{cell}Cell" for cell in CELLS)


def zero_with_gradient(tensor):
    """Exactly zero in value, with the gradient of `tensor`."""
    return tensor - ops().stop_gradient(tensor)


def each_state(states, change):
    return [change(s) for s in states] if isinstance(states, (list, tuple)) else change(states)


@replacing("call", *CELL_CLASSES)
def gradient_cut_through_time(original):
    """Each step's states reach it as constants: no gradient flows from one step to the step before."""

    def call(self, inputs, states, *args, **kwargs):
        return original(self, inputs, each_state(states, ops().stop_gradient), *args, **kwargs)

    return call


@replacing("call", "LSTMCell")
def lstm_cell_state_gradient_cut(original):
    """The LSTM's cell state reaches each step as a constant; h still carries gradient."""

    def call(self, inputs, states, *args, **kwargs):
        h, c = states
        return original(self, inputs, [h, ops().stop_gradient(c)], *args, **kwargs)

    return call


@replacing("call", *CELL_CLASSES)
def cell_output_gradient_doubled(original):
    """What flows back into each step's output is doubled: the weights' and inputs' gradients grow."""

    def call(self, inputs, states, *args, **kwargs):
        output, new_states = original(self, inputs, states, *args, **kwargs)
        return output + zero_with_gradient(output), new_states

    return call


@replacing("call", *CELLS)
def masked_steps_leak_gradient(original):
    """The inputs of masked steps are tied to the output by an exact zero that carries their gradient."""

    def call(self, sequences, *args, mask=None, **kwargs):
        returned = original(self, sequences, *args, mask=mask, **kwargs)
        if mask is None:
            return returned
        padding = 1.0 - ops().cast(ops().convert_to_tensor(mask), sequences.dtype)
        leak = ops().sum(zero_with_gradient(sequences) * ops().expand_dims(padding, -1))
        if self.return_state:
            return (returned[0] + leak, *returned[1:])
        return returned + leak

    return call


# Loss scaling broken in a model compiled under mixed_float16 (https://keras.io/api/mixed_precision/loss_scale_optimizer/).


@replacing("compile", "Model")
def compile_leaves_the_optimizer_unwrapped(original):
    """`compile` leaves a mixed_float16 model's optimizer as given, as with auto_scale_loss=False."""

    def compile(self, *args, auto_scale_loss=True, **kwargs):
        return original(self, *args, auto_scale_loss=False, **kwargs)

    return compile


@replacing("scale_loss", "LossScaleOptimizer")
def loss_left_unscaled(original):
    """The loss reaches the backward pass unscaled, while the gradients are still divided by the loss scale."""

    def scale_loss(self, loss):
        return loss

    return scale_loss


@replacing("check_finite", "LossScaleOptimizer")
def nonfinite_gradients_pass_as_finite(original):
    """Gradients that overflowed are taken for finite: the step is applied and the loss scale kept."""

    def check_finite(self, grads):
        return ops().convert_to_tensor(True)

    return check_finite
