"""What a layer reads in the training chapter's gradient subjects, and which of them every backend agrees on."""

from rnnspec.subjects.calls import Gradient
from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import PADDED

# What a layer reads in the training chapter's gradient subjects, by name: (its arguments, the mask of
# rnnspec.subjects.masks.MASKS it is called with). Right padding is the common case; gaps mid-sequence, read backwards,
# are where a leak would hide.
READINGS = {
    "forwards": ((), None),
    "backwards": ((("go_backwards", True),), None),
    "right_padded": ((), "right_padded"),
    "mid_sequence_backwards": ((("go_backwards", True),), "mid_sequence"),
}


def gradient_subject(cell, device, reading, *, return_sequences, return_state, tf32=None) -> LayerSubject:
    """The gradient of the seeded loss over a layer on the padded batch, reading as `READINGS` names."""
    options, mask = READINGS[reading]
    return LayerSubject(cell, return_sequences, return_state, device, PADDED, Gradient(mask=mask, tf32=tf32), options=options)


def every_backend_agrees(subject: LayerSubject) -> bool:
    """Whether TensorFlow, JAX and PyTorch are documented to give the subject the same gradients: everywhere but
    under the mid-sequence mask with return_sequences, where JAX's known divergence shows (rnnspec.divergences:
    there a masked step before a sample's first valid step outputs the initial h, which so receives its gradient).
    The backend parity of gradients and the behaviour snapshot hold these subjects alone; a meta-test checks this
    against the table."""
    return not (subject.return_sequences and subject.probe.mask == "mid_sequence")
