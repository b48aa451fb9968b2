"""Regressions that show only outside the catalogue's shapes, for chapter 15's meta-tests: each breaks LSTM, GRU and
SimpleRNN where the catalogue never looks (its features never equal its units, its units are never 1, its sequences
are at most 10 steps and its batches at most 4 samples) and nowhere else, the way a shape-dependent bug in a kernel
would. Each records that it fired, so that a meta-test can tell a breakage never met from one met and missed.
"""

import numpy as np

from rnnspec import installation
from rnnspec.subjects.layers import CELLS
from spec.meta.breakages import join, split, transform_returned
from spec.meta.breaking import replacing, together

CATALOGUE_STEPS, CATALOGUE_BATCH = 10, 4  # the longest sequence and the largest batch of the catalogue's shapes
FIRED: set[str] = set()  # the breakages that changed a layer since the set was last cleared


def transposing_square_blocks(layer, weights):
    """The weights with the input kernel's gate blocks transposed where they are square (features equal to units):
    its own inverse, so that the layer reports the weights it was given, before training and after."""
    kernel, *rest = weights
    units = layer.cell.units
    if kernel.shape[0] != units:
        return [kernel, *rest]
    FIRED.add("square_kernel_used_transposed")
    blocks = [kernel[:, g * units : (g + 1) * units].T for g in range(kernel.shape[1] // units)]
    return [np.concatenate(blocks, axis=1), *rest]


@replacing("set_weights", *CELLS)
def stores_transposed(original):
    def set_weights(self, weights):
        original(self, transposing_square_blocks(self, [np.array(w) for w in weights]))

    return set_weights


@replacing("get_weights", *CELLS)
def reports_transposed_back(original):
    def get_weights(self):
        return transposing_square_blocks(self, original(self))

    return get_weights


# Where the input kernel's gate blocks are square (features equal to units), each is used transposed: a layout bug
# that a kernel of another shape would turn into an error.
square_kernel_used_transposed = together("square_kernel_used_transposed", stores_transposed, reports_transposed_back)


@replacing("call", *CELLS)
def single_unit_reads_its_inputs_halved(original):
    """A layer of one unit reads its inputs halved (a (1,) scale broadcast where a scalar one was meant)."""

    def call(self, sequences, *args, **kwargs):
        if self.cell.units == 1:
            FIRED.add("single_unit_reads_its_inputs_halved")
            sequences = sequences * 0.5
        return original(self, sequences, *args, **kwargs)

    return call


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
    single_unit_reads_its_inputs_halved,
    long_sequence_forgets_its_start,
    large_batch_repeats_its_first_samples,
)
