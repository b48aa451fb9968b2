"""The masks subjects are called with, by name (`BY_NAME`, what a probe's `mask` names): for the chapters on time,
masks of mixed lengths over the `padded` shape, padded on the right, on the left, in the middle, and a sample masked
throughout; the mask of the `batch` shape; and the masks of `TimeDistributed`'s slices and of their steps.

Padded steps hold random values, never zeros, so that what is tested is the mask and not the padding.
"""

import numpy as np

from rnnspec.subjects.shapes import DISTRIBUTED, PADDED

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


# Samples of the `batch` shape's 6 steps: all valid, valid then padding, padding then valid. Padded steps keep their
# random inputs, so that only the mask can make them count for nothing.
BATCH_MASK = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1]], dtype=bool)
# The documented mask of TimeDistributed, (batch, timesteps): one flag per slice, every sample with a masked slice
# and a valid one, the first slice masked in one sample and the last in another.
SLICE_MASK = np.array([[1, 1, 0, 1], [1, 0, 0, 0], [0, 1, 1, 1]], dtype=bool)
# A mask of each slice's own steps, (batch, timesteps, inner_timesteps), as a `Masking` layer before the wrapper
# gives it: each slice right-padded to a length of its own (1 to 5 steps), no two slices of a sample alike.
SLICE_LENGTHS = np.array([[5, 3, 1, 4], [2, 5, 4, 1], [3, 1, 5, 2]])
STEP_MASK = np.arange(DISTRIBUTED.inner_timesteps) < SLICE_LENGTHS[..., None]

BY_NAME = {**MASKS, "batch": BATCH_MASK, "slices": SLICE_MASK, "steps": STEP_MASK}
