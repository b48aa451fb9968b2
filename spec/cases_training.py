"""Cases for the chapter on training: every cell and output mode on the padded batch, read forwards and
backwards, and under masks (right padding, the common case; gaps mid-sequence, where a leak would hide); and
dropout in training, input and recurrent, seeded."""

from pytest_cases import parametrize

from rnnspec.configs import CELLS, GradientConfig, LayerConfig, Shape, TrainingConfig
from rnnspec.sequences import PADDED
from spec.cases_wrappers import DROPOUT_SEED, accepts
from spec.catalogue import EVERY_DEVICE, Axis, on_every_device, per_output_mode

# What the layer reads: (its arguments, the mask it is called with).
READINGS = {
    "forwards": ((), None),
    "backwards": ((("go_backwards", True),), None),
    "right_padded": ((), "right_padded"),
    "mid_sequence_backwards": ((("go_backwards", True),), "mid_sequence"),
}


def gradient_of(cell, device, reading, *, return_sequences, return_state):
    options, mask = READINGS[reading]
    return GradientConfig(cell, return_sequences, return_state, device, PADDED, options=options, mask=mask)


GRADIENTS = per_output_mode("gradient", gradient_of, Axis("cell", CELLS), EVERY_DEVICE, Axis("reading", tuple(READINGS)))
MASKED_GRADIENTS = per_output_mode(
    "gradient", gradient_of, Axis("cell", CELLS), EVERY_DEVICE,
    Axis("reading", [reading for reading, (_, mask) in READINGS.items() if mask]),
)


def trained(cell, device, call_path, *, return_sequences, return_state):
    return TrainingConfig(cell, return_sequences, return_state, device, PADDED, call_path=call_path)


TRAINING_STEPS = per_output_mode(
    "trained", trained, Axis("cell", CELLS), EVERY_DEVICE, Axis("call_path", ("train_on_batch", "fit"))
)


# Dropout in training: the masks, read from the gradient of the very call whose values are compared (rnnspec.gradients).
DROPOUT_RATE = 0.5
# An LSTM may draw a recurrent mask for each of its four gates' products (Keras 3 does): at 0.75 a unit of the
# state is dropped from all four with probability 0.32, so that some are, among eight units, where at 0.5 (0.06)
# none were on any backend.
RECURRENT_DROPOUT_RATE = 0.75
# One sample, so that the recurrent kernel's gradient, summed over the batch, shows that sample's recurrent mask;
# eight units, so that a mask drops some and keeps some.
ONE_SAMPLE = Shape("one_sample", batch=1, timesteps=6, features=3, units=8)


def dropout_options(cell, **rates) -> tuple:
    """The rates, with the layer's own `seed` where it has one (Keras 3), which leaves the global seed alone."""
    seeded = {"seed": DROPOUT_SEED} if accepts(cell, "seed") else {}
    return tuple(sorted({**rates, **seeded}.items()))


def input_dropout_gradient_of(cell, device, *, return_sequences, return_state):
    options = dropout_options(cell, dropout=DROPOUT_RATE)
    return GradientConfig(cell, return_sequences, return_state, device, PADDED, options=options, training=True)


def recurrent_dropout_gradient_of(cell, device, *, return_sequences, return_state):
    options = dropout_options(cell, recurrent_dropout=RECURRENT_DROPOUT_RATE)
    return GradientConfig(cell, return_sequences, return_state, device, ONE_SAMPLE, options=options, training=True)


INPUT_DROPOUT = per_output_mode("input_dropout", input_dropout_gradient_of, Axis("cell", CELLS), EVERY_DEVICE)
RECURRENT_DROPOUT = per_output_mode("recurrent_dropout", recurrent_dropout_gradient_of, Axis("cell", CELLS), EVERY_DEVICE)
# The cells whose state enters a step only through the recurrent product (GRU's also through its update gate).
RECURRENT_DROPOUT_OF_THE_STATE_ALONE = per_output_mode(
    "recurrent_dropout", recurrent_dropout_gradient_of, Axis("cell", ("LSTM", "SimpleRNN")), EVERY_DEVICE
)


def seeded_dropout_of(cell, device, which) -> LayerConfig:
    """A layer returning sequences and states on the padded batch, with `which` ("dropout" or "recurrent_dropout")
    at DROPOUT_RATE, seeded where the layer takes a seed."""
    return LayerConfig(cell, True, True, device, PADDED, options=dropout_options(cell, **{which: DROPOUT_RATE}))


@parametrize(cell=CELLS, which=("dropout", "recurrent_dropout"))
@on_every_device
def seeded_dropout(cell, device, which):
    return seeded_dropout_of(cell, device, which)
