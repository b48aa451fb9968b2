"""Padded batches for the chapters on time: masks of mixed lengths, padded on the right, on the left, in the
middle, and a sample masked throughout.

Padded steps hold random values, never zeros, so that what is tested is the mask and not the padding.
"""

import numpy as np

from rnnspec.configs import Shape
from rnnspec.kernels import CUDNN

PADDED = Shape("padded", batch=4, timesteps=6, features=3, units=4)
MASK_VALUE = 0.75  # the Masking layer's mask_value: any constant other than zero


def padded_on(side: str, lengths) -> np.ndarray:
    mask = np.zeros((len(lengths), PADDED.timesteps), dtype=bool)
    for sample, length in enumerate(lengths):
        if length:
            mask[sample, :length] = True
    return mask if side == "right" else mask[:, ::-1].copy()


MASKS = {
    "right_padded": padded_on("right", [6, 4, 1, 3]),
    "left_padded": padded_on("left", [6, 4, 1, 3]),
    "mid_sequence": np.array(
        [[1, 1, 0, 0, 1, 1], [1, 0, 1, 0, 1, 0], [0, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]], dtype=bool
    ),
    "one_sample_fully_masked": padded_on("right", [6, 0, 3, 2]),
    # Every sample padded alike, after ALIKE_LENGTH steps: the training chapter compares the batch with its
    # first ALIKE_LENGTH steps alone, unmasked.
    "right_padded_alike": padded_on("right", [4, 4, 4, 4]),
}
ALIKE_LENGTH = 4
# The masks of samples of mixed lengths, which the chapters on masking hold every statement against.
MIXED_LENGTHS = ("right_padded", "left_padded", "mid_sequence", "one_sample_fully_masked")


def lengths(mask: np.ndarray) -> np.ndarray:
    return mask.sum(axis=1)


def is_right_padded(mask: np.ndarray) -> bool:
    """Every sample's valid steps come first, then only padding (what cuDNN kernels accept)."""
    return bool(np.all(mask == padded_on("right", lengths(mask))))


def for_masking_layer(inputs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The inputs with every masked step set to MASK_VALUE, which is how a Masking layer finds them."""
    return np.where(mask[..., None], inputs, np.float32(MASK_VALUE)).astype(inputs.dtype)


def padded_steps_expected(output: np.ndarray, sample: int, length: int, kernel: str) -> np.ndarray:
    """What the padded steps of a right-padded sample hold in a `return_sequences` output: the generic kernel
    repeats the sample's last valid output (zeros if it has none); cuDNN writes zeros, a known kernel difference."""
    padded = output[sample, length:]
    if kernel == CUDNN or length == 0:
        return np.zeros_like(padded)
    return np.broadcast_to(output[sample, length - 1], padded.shape)
