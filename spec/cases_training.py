"""Cases for the chapter on training: every cell and output mode on the padded batch, read forwards and
backwards, and under masks (right padding, the common case; gaps mid-sequence, where a leak would hide)."""

from rnnspec.configs import CELLS
from rnnspec.gradients import READINGS
from rnnspec.gradients import gradient_subject as gradient_of
from spec.catalogue import EVERY_DEVICE, Axis, per_output_mode

GRADIENTS = per_output_mode("gradient", gradient_of, Axis("cell", CELLS), EVERY_DEVICE, Axis("reading", tuple(READINGS)))
MASKED_GRADIENTS = per_output_mode(
    "gradient", gradient_of, Axis("cell", CELLS), EVERY_DEVICE,
    Axis("reading", [reading for reading, (_, mask) in READINGS.items() if mask]),
)
