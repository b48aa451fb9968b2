"""Cases for the chapter on training: every cell and output mode on the padded batch, read forwards and
backwards, and under masks (right padding, the common case; gaps mid-sequence, where a leak would hide); on a GPU
with TF32 disabled and enabled, through cuDNN, and under mixed precision policies."""

from pytest_cases import parametrize

from rnnspec.configs import CELLS, GradientConfig, LayerConfig
from rnnspec.gradients import READINGS
from rnnspec.gradients import gradient_subject as gradient_of
from rnnspec.sequences import PADDED
from spec.catalogue import EVERY_DEVICE, OUTPUT_MODES, Axis, on_every_device, per_output_mode

GRADIENTS = per_output_mode("gradient", gradient_of, Axis("cell", CELLS), EVERY_DEVICE, Axis("reading", tuple(READINGS)))
MASKED_GRADIENTS = per_output_mode(
    "gradient", gradient_of, Axis("cell", CELLS), EVERY_DEVICE,
    Axis("reading", [reading for reading, (_, mask) in READINGS.items() if mask]),
)


# Gradients across devices, kernels and precisions.

CUDNN_CELLS = ("LSTM", "GRU")  # SimpleRNN has no cuDNN kernel in Keras
ON_THE_GPU = Axis("device", ("gpu",))  # cases whose statements speak of a GPU alone


def kernels_agree(reading: str, return_sequences: bool) -> bool:
    """Whether cuDNN and the generic kernel are documented to return the same for the reading: under a mask cuDNN
    writes zeros at padded steps where the generic kernel repeats the last output (chapter 7), so with
    return_sequences their outputs, and the gradients that flow back from them, differ by design."""
    _, mask = READINGS[reading]
    return mask is None or not return_sequences


def reaches_cudnn(reading: str) -> bool:
    """Whether the reading can reach cuDNN on some backend: no mask, or a strictly right-padded one (TensorFlow)."""
    _, mask = READINGS[reading]
    return mask in (None, "right_padded")


def readings_where(keep) -> dict:
    """Per output mode, the readings `keep(reading, return_sequences)` keeps."""
    return {mode: [r for r in READINGS if keep(r, return_sequences)] for mode, (return_sequences, _) in OUTPUT_MODES.items()}


GRADIENTS_ON_GPU = per_output_mode(
    "gradient_on_gpu", gradient_of, Axis("cell", CELLS), ON_THE_GPU, Axis("reading", readings_where(kernels_agree)),
    Axis("tf32", (False, True)),
)
CUDNN_GRADIENTS = per_output_mode(
    "cudnn_gradient", gradient_of, Axis("cell", CUDNN_CELLS), ON_THE_GPU,
    Axis("reading", readings_where(lambda reading, sequences: kernels_agree(reading, sequences) and reaches_cudnn(reading))),
)

MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")


def under_policy(cell, device, policy, *, return_sequences, return_state):
    return GradientConfig(cell, return_sequences, return_state, device, PADDED, options=(("dtype", policy),))


# One output mode: the dtype of a weight's gradient does not depend on what the layer returns.
MIXED_GRADIENTS = per_output_mode(
    "mixed_gradient", under_policy, Axis("cell", CELLS), EVERY_DEVICE, Axis("policy", MIXED_POLICIES),
    modes=("sequences_and_states",),
)


@parametrize(cell=CELLS)
@on_every_device
def trained_under_mixed_float16(cell, device):
    """A layer under "mixed_float16" returning its last output, for a model trained on the mean squared error."""
    return LayerConfig(cell, False, False, device, PADDED, options=(("dtype", "mixed_float16"),))
