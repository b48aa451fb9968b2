"""Cases for the chapter on training: every cell and output mode on the padded batch, read forwards and
backwards, and under masks (right padding, the common case; gaps mid-sequence, where a leak would hide); SGD
through Keras's training loop; dropout in training, input and recurrent, seeded; on a GPU with TF32 disabled and
enabled, through cuDNN, and under mixed precision policies."""


from pytest_cases import parametrize

from rnnspec.subjects.calls import Gradient, TrainingSteps
from rnnspec.subjects.cells import StackSubject
from rnnspec.subjects.layers import CELLS, BidirectionalSubject, LayerSubject
from rnnspec.subjects.masks import ALIKE_LENGTH
from rnnspec.subjects.readings import READINGS
from rnnspec.subjects.readings import gradient_subject as gradient_of
from rnnspec.subjects.shapes import PADDED, Shape
from spec.cases_wrappers import DROPOUT_SEED, STACKS, accepts
from spec.vocabulary import EVERY_DEVICE, OUTPUT_MODES, Axis, case_id, on_every_device, per_output_mode

GRADIENTS = per_output_mode("gradient", gradient_of, Axis("cell", CELLS), EVERY_DEVICE, Axis("reading", tuple(READINGS)))
MASKED_GRADIENTS = per_output_mode(
    "gradient", gradient_of, Axis("cell", CELLS), EVERY_DEVICE,
    Axis("reading", [reading for reading, (_, mask) in READINGS.items() if mask]),
)


def stateful_gradient_of(cell, device, *, return_sequences, return_state):
    return LayerSubject(
        cell, return_sequences, return_state, device, PADDED, Gradient(after_a_previous_call=True),
        options=(("stateful", True),),
    )


STATEFUL_GRADIENTS = per_output_mode("stateful_gradient", stateful_gradient_of, Axis("cell", CELLS), EVERY_DEVICE)


def right_padded_alike_of(cell, device, reading) -> LayerSubject:
    """Every sample padded after ALIKE_LENGTH steps, the last output and the states returned (with
    return_sequences the padded steps' outputs, which repeat the last valid one, would carry gradient of their
    own); its unpadded counterpart is `unpadded(config)`."""
    options, _ = READINGS[reading]
    return LayerSubject(cell, False, True, device, PADDED, Gradient(mask="right_padded_alike"), options=options)


@parametrize(cell=CELLS, reading=("forwards", "backwards"))
@on_every_device
def right_padded_alike(cell, device, reading):
    return right_padded_alike_of(cell, device, reading)


def unpadded(subject: LayerSubject) -> LayerSubject:
    """The subject called on the valid steps of its right-padded-alike inputs alone, without a mask."""
    return subject.with_probe(mask=None, steps=ALIKE_LENGTH)


def bidirectional_gradient_of(cell, device, merge_mode, reading, *, return_sequences, return_state):
    options, mask = READINGS[reading]
    return BidirectionalSubject(
        cell, return_sequences, return_state, device, PADDED, Gradient(mask=mask), options=options, merge_mode=merge_mode
    )


# Bidirectional: the default merge, forwards and right-padded, in every output mode; the product, where each
# direction's gradient depends on the other's output, with everything returned.
BIDIRECTIONAL_READINGS = Axis("reading", ("forwards", "right_padded"))
BIDIRECTIONAL_GRADIENTS = (
    *per_output_mode(
        "bidirectional_gradient", bidirectional_gradient_of, Axis("cell", CELLS), EVERY_DEVICE,
        Axis("merge_mode", ("concat",)), BIDIRECTIONAL_READINGS,
    ),
    *per_output_mode(
        "bidirectional_gradient", bidirectional_gradient_of, Axis("cell", CELLS), EVERY_DEVICE,
        Axis("merge_mode", ("mul",)), BIDIRECTIONAL_READINGS, modes=("sequences_and_states",),
    ),
)


@parametrize("cells", STACKS, ids=[case_id(cells=cells) for cells in STACKS])
@parametrize(masked=(False, True))
@on_every_device
def stack_gradient(cells, masked, device):
    return StackSubject(cells, device, Gradient(mask="batch" if masked else None))


def trained(cell, device, loop, *, return_sequences, return_state):
    return LayerSubject(cell, return_sequences, return_state, device, PADDED, TrainingSteps(loop))


# One step where the loss reaches the last output alone and where it reaches every step's output and every state;
# three (fit) in the second: a model costs a second to compile and train, and the gradient statements above hold
# every output mode against the reference already.
TRAINING_STEPS = (
    *per_output_mode(
        "trained", trained, Axis("cell", CELLS), EVERY_DEVICE, Axis("loop", ("train_on_batch",)),
        modes=("last_output", "sequences_and_states"),
    ),
    *per_output_mode(
        "trained", trained, Axis("cell", CELLS), EVERY_DEVICE, Axis("loop", ("fit",)),
        modes=("sequences_and_states",),
    ),
)


# Dropout in training: the masks, read from the gradient of the very call whose values are compared (rnnspec.probes.gradients).
DROPOUT_RATE = 0.5
# An LSTM may draw a recurrent mask for each of its four gates' products (Keras 3 does): at 0.75 a unit of the
# state is dropped from all four with probability 0.32, so that some are, among eight units, where at 0.5 (0.06)
# none were on any backend.
RECURRENT_DROPOUT_RATE = 0.75
# One sample, so that the recurrent kernel's gradient, summed over the batch, shows that sample's recurrent mask;
# eight units, so that a mask drops some and keeps some.
ONE_SAMPLE = Shape("one_sample", batch=1, timesteps=6, features=3, units=8)


def dropout_options(cell, **rates) -> tuple:
    """The rates, with the layer's own `seed` where it has one (Keras 3), which leaves the global seed alone."""
    seeded = {"seed": DROPOUT_SEED} if accepts(cell, "seed") else {}
    return tuple(sorted({**rates, **seeded}.items()))


def input_dropout_gradient_of(cell, device, *, return_sequences, return_state):
    options = dropout_options(cell, dropout=DROPOUT_RATE)
    return LayerSubject(cell, return_sequences, return_state, device, PADDED, Gradient(training=True), options=options)


def recurrent_dropout_gradient_of(cell, device, *, return_sequences, return_state):
    options = dropout_options(cell, recurrent_dropout=RECURRENT_DROPOUT_RATE)
    return LayerSubject(cell, return_sequences, return_state, device, ONE_SAMPLE, Gradient(training=True), options=options)


INPUT_DROPOUT = per_output_mode("input_dropout", input_dropout_gradient_of, Axis("cell", CELLS), EVERY_DEVICE)
RECURRENT_DROPOUT = per_output_mode("recurrent_dropout", recurrent_dropout_gradient_of, Axis("cell", CELLS), EVERY_DEVICE)
# The cells whose state enters a step only through the recurrent product (GRU's also through its update gate).
RECURRENT_DROPOUT_OF_THE_STATE_ALONE = per_output_mode(
    "recurrent_dropout", recurrent_dropout_gradient_of, Axis("cell", ("LSTM", "SimpleRNN")), EVERY_DEVICE
)


def seeded_dropout_of(cell, device, which) -> LayerSubject:
    """A layer returning sequences and states on the padded batch, with `which` ("dropout" or "recurrent_dropout")
    at DROPOUT_RATE, seeded where the layer takes a seed."""
    return LayerSubject(cell, True, True, device, PADDED, options=dropout_options(cell, **{which: DROPOUT_RATE}))


@parametrize(cell=CELLS, which=("dropout", "recurrent_dropout"))
@on_every_device
def seeded_dropout(cell, device, which):
    return seeded_dropout_of(cell, device, which)


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
    return LayerSubject(cell, return_sequences, return_state, device, PADDED, Gradient(), options=(("dtype", policy),))


# One output mode: the dtype of a weight's gradient does not depend on what the layer returns.
MIXED_GRADIENTS = per_output_mode(
    "mixed_gradient", under_policy, Axis("cell", CELLS), EVERY_DEVICE, Axis("policy", MIXED_POLICIES),
    modes=("sequences_and_states",),
)


@parametrize(cell=CELLS)
@on_every_device
def trained_under_mixed_float16(cell, device):
    """A layer under "mixed_float16" returning its last output, for a model trained on the mean squared error."""
    return LayerSubject(cell, False, False, device, PADDED, options=(("dtype", "mixed_float16"),))
