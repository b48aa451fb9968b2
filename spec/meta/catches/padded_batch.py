"""The configurations the catches of the chapters on time and state (masking, go_backwards, stateful, initial_state)
are held on: a padded batch of mixed lengths, on the CPU."""

from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import PADDED


def subject(cell, return_sequences, return_state, **arguments):
    layer = LayerSubject(cell, return_sequences, return_state, "cpu", PADDED, options=tuple(sorted(arguments.items())))
    return {"subject": layer}
