"""Cases for the chapter on training: every cell and output mode on the padded batch, read forwards and
backwards, and under masks (right padding, the common case; gaps mid-sequence, where a leak would hide)."""

from rnnspec.configs import CELLS, GradientConfig, TrainingConfig
from rnnspec.sequences import PADDED
from spec.catalogue import EVERY_DEVICE, Axis, per_output_mode

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
