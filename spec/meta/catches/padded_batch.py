"""The configurations the catches of the chapters on time and state (masking, go_backwards, stateful, initial_state)
are held on: a padded batch of mixed lengths, on the CPU."""

from rnnspec.configs import LayerConfig
from rnnspec.sequences import PADDED


def config(cell, return_sequences, return_state, **arguments):
    layer = LayerConfig(cell, return_sequences, return_state, "cpu", PADDED, options=tuple(sorted(arguments.items())))
    return {"config": layer}
