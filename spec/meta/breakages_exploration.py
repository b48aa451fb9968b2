"""Regressions that show only outside the catalogue's shapes, for chapter 15's meta-tests: each breaks LSTM, GRU and
SimpleRNN where the catalogue never looks (its features never equal its units, its units are never 1, its sequences
are at most 10 steps and its batches at most 4 samples) and nowhere else, the way a shape-dependent bug in a kernel
would. Each records that it fired, so that a meta-test can tell a breakage never met from one met and missed.
"""

import numpy as np

from rnnspec import installation
from rnnspec.subjects.layers import CELLS
from spec.meta.breakages import computing_with, join, split, transform_returned
from spec.meta.breaking import replacing

CATALOGUE_STEPS, CATALOGUE_BATCH = 10, 4  # the longest sequence and the largest batch of the catalogue's shapes
FIRED: set[str] = set()  # the breakages that changed a layer since the set was last cleared


@computing_with
def square_kernel_used_transposed(layer, weights):
    """Where the input kernel's gate blocks are square (features equal to units), each is used transposed: a
    layout bug that a kernel of another shape would turn into an error."""
    kernel, *rest = weights
    units = layer.cell.units
    if kernel.shape[0] == units:
        FIRED.add("square_kernel_used_transposed")
        blocks = [kernel[:, g * units : (g + 1) * units].T for g in range(kernel.shape[1] // units)]
        kernel = np.concatenate(blocks, axis=1)
    return [kernel, *rest]


@computing_with
def single_unit_drops_the_recurrence(layer, weights):
    """A layer of one unit computes as if its recurrent kernel were zero (a squeezed (1, 1) product, broadcast)."""
    kernel, recurrent_kernel, *rest = weights
    if layer.cell.units == 1:
        FIRED.add("single_unit_drops_the_recurrence")
        recurrent_kernel = np.zeros_like(recurrent_kernel)
    return [kernel, recurrent_kernel, *rest]


@replacing("call", *CELLS)
def long_sequence_forgets_its_start(original):
    """A sequence longer than 10 steps is read as zeros but for its last 10 (a fixed-size buffer)."""

    def call(self, sequences, *args, **kwargs):
        if sequences.shape[1] is not None and sequences.shape[1] > CATALOGUE_STEPS:
            FIRED.add("long_sequence_forgets_its_start")
            ops = installation.ops()
            start = ops.zeros_like(sequences[:, :-CATALOGUE_STEPS])
            sequences = ops.concatenate([start, sequences[:, -CATALOGUE_STEPS:]], axis=1)
        return original(self, sequences, *args, **kwargs)

    return call


@transform_returned
def large_batch_repeats_its_first_samples(layer, returned):
    """In a batch of more than 4 samples, the samples after the 4th return the first ones' values (a batch tiled in
    blocks of 4)."""
    output, states = split(layer, returned)
    if output.shape[0] is None or output.shape[0] <= CATALOGUE_BATCH:
        return returned
    FIRED.add("large_batch_repeats_its_first_samples")
    ops = installation.ops()

    def repeated(tensor):
        count = tensor.shape[0]
        rows = [i % CATALOGUE_BATCH for i in range(count)]
        return ops.take(tensor, np.array(rows), axis=0)

    return join(layer, repeated(output), [repeated(s) for s in states])


OUTSIDE_THE_CATALOGUE = (
    square_kernel_used_transposed,
    single_unit_drops_the_recurrence,
    long_sequence_forgets_its_start,
    large_batch_repeats_its_first_samples,
)
