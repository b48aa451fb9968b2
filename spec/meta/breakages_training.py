"""Recurrent layers broken in their backward pass alone: every forward value stays exactly what it was (a term
`t - stop_gradient(t)` is an exact zero), so the forward chapters cannot see the breakage, while the gradients
change the way a regression in a kernel's backward code would change them. And dropout broken in training alone:
the masks a cell asks for at each step, which hold 0 or 1 / (1 - rate) per unit (Keras 3's DropoutRNNCell), drawn
anew at every step, unscaled, leaking gradient, unseeded or kept from one call to the next; at inference no mask
applies, so the chapters that call layers for inference cannot see these either."""

from rnnspec import installation
from rnnspec.subjects.layers import CELLS
from spec.meta.breakages import ops
from spec.meta.breaking import replacing, together

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


@replacing("call", *CELLS)
def gradient_ignores_the_mask(original):
    """A masked call returns the masked call's values with the unmasked call's gradient: the padding is trained on."""

    def call(self, sequences, *args, mask=None, **kwargs):
        returned = original(self, sequences, *args, mask=mask, **kwargs)
        if mask is None:
            return returned
        unmasked = original(self, sequences, *args, mask=None, **kwargs)

        def values_of_with_gradient_of(masked, plain):
            return ops().stop_gradient(masked) + zero_with_gradient(plain)

        if isinstance(returned, (list, tuple)):
            return type(returned)(map(values_of_with_gradient_of, returned, unmasked))
        return values_of_with_gradient_of(returned, unmasked)

    return call


# A stateful layer whose gradient reaches into the call before: it recomputes the states it carries from that
# call's inputs, inside the next call. The same values; the gradient of the steps before flows in too.


@replacing("call", *CELLS)
def recomputes_the_carried_states(original):
    def call(self, sequences, initial_state=None, mask=None, training=False):
        before = getattr(self, "broken_previous_call", None)
        if self.stateful and initial_state is None:
            self.broken_previous_call = (sequences, [ops().copy(state) for state in self.states])
            if before is not None:
                inputs, states = before
                for step in range(inputs.shape[1]):
                    _, states = self.cell(inputs[:, step], states)
                initial_state = list(states)
        return original(self, sequences, initial_state=initial_state, mask=mask, training=training)

    return call


@replacing("reset_states", *CELLS)
def forgets_the_previous_call(original):
    def reset_states(self):
        self.broken_previous_call = None
        return original(self)

    return reset_states


stateful_gradient_reaches_the_previous_call = together(
    "stateful_gradient_reaches_the_previous_call", recomputes_the_carried_states, forgets_the_previous_call
)


# Dropout in training. A cell asks for its masks at every step, `get_dropout_mask(step_input)` and
# `get_recurrent_dropout_mask(h_tm1)`, and Keras 3 draws them at the first and keeps them until the call ends
# (`reset_dropout_mask`); an LSTM or GRU with recurrent dropout asks for one per gate (`dropout_mask_count`).


def each_mask(mask, change):
    return [change(m) for m in mask] if isinstance(mask, (list, tuple)) else change(mask)


def hashed_mask(values, rate: float, salt: int):
    """A mask of DropoutRNNCell's form (0, or 1 / (1 - rate)) drawn from `values` by a hash: another one wherever
    the values differ, as each step's input and state differ from the step before's. A fresh mask at every step,
    even inside a traced loop (JAX's scan), where a seed generator cannot move on."""
    noise = ops().sin(ops().stop_gradient(values) * 12.9898 + 78.233 * (salt + 1)) * 43758.5453
    uniform = noise - ops().floor(noise)
    return ops().cast(uniform >= rate, values.dtype) / (1.0 - rate)


def mask_breakage(name: str, which: str, change, doc: str):
    """A breakage of the `which` mask ("dropout" or "recurrent_dropout") of every cell: change(cell, step_input,
    mask, rate) -> the mask returned in its place, where the cell asks for one (rate > 0)."""

    @replacing(f"get_{which}_mask", *CELL_CLASSES, name=name)
    def breakage(original):
        def get_mask(self, step_input):
            mask = original(self, step_input)
            return None if mask is None else change(self, step_input, mask, getattr(self, which))

        return get_mask

    breakage.__doc__ = doc
    return breakage


def redrawn(cell, step_input, mask, rate):
    count = getattr(cell, "dropout_mask_count", None)
    if count is None:
        return hashed_mask(step_input, rate, 0)
    return [hashed_mask(step_input, rate, gate) for gate in range(count)]


def unscaled(cell, step_input, mask, rate):
    return each_mask(mask, lambda m: m * (1.0 - rate))


def leaking(cell, step_input, mask, rate):
    return each_mask(mask, lambda m: m + zero_with_gradient(step_input))


input_mask_redrawn_at_every_step = mask_breakage(
    "input_mask_redrawn_at_every_step", "dropout", redrawn, "The input mask is drawn anew at every step."
)
recurrent_mask_redrawn_at_every_step = mask_breakage(
    "recurrent_mask_redrawn_at_every_step", "recurrent_dropout", redrawn, "The recurrent mask is drawn anew at every step."
)
kept_units_not_rescaled = together(
    "kept_units_not_rescaled",
    mask_breakage("kept_inputs_not_rescaled", "dropout", unscaled, "Kept inputs are not scaled by 1 / (1 - rate)."),
    mask_breakage("kept_state_not_rescaled", "recurrent_dropout", unscaled, "Kept state units are not scaled."),
)
# The masks keep their values (each a mask plus an exact zero), while the units they drop pass the gradient of the
# input or state they multiply on: a breakage of the backward pass alone.
dropped_units_pass_gradient = together(
    "dropped_units_pass_gradient",
    mask_breakage("dropped_inputs_pass_gradient", "dropout", leaking, "Dropped inputs pass gradient."),
    mask_breakage("dropped_state_units_pass_gradient", "recurrent_dropout", leaking, "Dropped state units pass gradient."),
)


@replacing("__init__", *CELL_CLASSES)
def dropout_seed_ignored(original):
    """Each cell draws its masks from a seed of its own, whatever `seed` it was given."""

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.seed_generator = installation.keras().random.SeedGenerator()

    return __init__


def never_reset(original):
    def reset(self):
        pass

    return reset


# The masks of a call stay for every call after it.
dropout_masks_kept_between_calls = together(
    "dropout_masks_kept_between_calls",
    replacing("reset_dropout_mask", *CELL_CLASSES)(never_reset),
    replacing("reset_recurrent_dropout_mask", *CELL_CLASSES)(never_reset),
)


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
