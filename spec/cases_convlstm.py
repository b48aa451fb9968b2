"""Cases for the chapter on the convolutional LSTM (spec/test_convlstm.py): ConvLSTM1D, 2D and 3D.

Every output mode of every rank, called eagerly and through `model.predict`, with the default geometry ("valid"
padding, stride 1, channels last); the geometries (padding × strides × data_format), and variants of the other
arguments (activations, bias, dilation), on the mode that returns everything; and for the statements on time and state, every rank reading backwards, stateful, masked, and with dropout (initial
states are given to the geometries, whose states differ in shape).
Each family takes one case function per output mode, tagged with it (spec/vocabulary.py).
"""

from functools import partial

from pytest_cases import parametrize

from rnnspec.subjects.calls import Call
from rnnspec.subjects.convlstm import CONV_RANKS, DATA_FORMATS, PADDINGS, ConvLSTMSubject
from spec.cases_wrappers import DROPOUT_SEED, accepts
from spec.vocabulary import EVERY_DEVICE, Axis, Tag, case_id, on_every_device, per_output_mode


def conv_lstm(rank, device, call_path="layer", *, return_sequences, return_state, **arguments):
    geometry = {name: arguments.pop(name) for name in ("padding", "strides", "data_format") if name in arguments}
    return ConvLSTMSubject(
        rank, return_sequences, return_state, device, Call(call_path), **geometry, options=tuple(sorted(arguments.items()))
    )


RANK = Axis("rank", CONV_RANKS)

# Every rank called eagerly; ConvLSTM2D, the most used, through `model.predict` (the seed notebook's path, which
# compiles a function: 0.4 to 0.8 s a subject on TensorFlow) and ConvLSTM1D through a functional model.
CALLED = [(1, "layer"), (2, "layer"), (3, "layer"), (2, "predict"), (1, "model")]

CONV_LSTM = per_output_mode(
    "conv_lstm", conv_lstm, Axis("rank, call_path", CALLED, ids=lambda called: case_id(rank=called[0], call_path=called[1])),
    EVERY_DEVICE, tags=(Tag.CELL_STATE,),
)


# Every geometry but the default one, which CONV_LSTM holds. TensorFlow on the CPU compiles each channels-first 3-D
# convolution with XLA (Keras works around TensorFlow's missing kernel that way), some 4 s for one layer's first
# call: channels first is held on ConvLSTM1D and 2D, whose convolutions run as they are, to keep the chapter fast.
GEOMETRIES = [
    (rank, padding, strides, data_format)
    for rank in CONV_RANKS
    for data_format in DATA_FORMATS
    for padding in PADDINGS
    for strides in (1, 2)
    if (padding, strides, data_format) != ("valid", 1, "channels_last")
    and not (rank == 3 and data_format == "channels_first")
]


def geometry_id(geometry) -> str:
    rank, padding, strides, data_format = geometry
    return case_id(rank=rank, padding=padding, strides=strides, data_format=data_format)


def with_geometry(rank, padding, strides, data_format, device, *, return_sequences, return_state):
    return conv_lstm(
        rank, device, return_sequences=return_sequences, return_state=return_state,
        padding=padding, strides=strides, data_format=data_format,
    )


CONV_GEOMETRIES = per_output_mode(
    "geometry", with_geometry, Axis("rank, padding, strides, data_format", GEOMETRIES, ids=geometry_id), EVERY_DEVICE,
    modes=("sequences_and_states",), tags=(Tag.CELL_STATE,),
)


# Arguments that change what the cell computes: its activations and bias on ConvLSTM2D, and a dilated input
# convolution on every rank (Keras refuses strides > 1 with it).
ARGUMENT_VARIANTS = [
    (2, (("activation", "relu"),)), (2, (("recurrent_activation", "hard_sigmoid"),)), (2, (("use_bias", False),)),
    *((rank, (("dilation_rate", 2),)) for rank in CONV_RANKS),
]


def variant_id(variant) -> str:
    rank, arguments = variant
    return case_id(rank=rank, **dict(arguments))


def with_arguments(rank, arguments, device, *, return_sequences, return_state):
    return ConvLSTMSubject(rank, return_sequences, return_state, device, options=arguments)


CONV_VARIANTS = per_output_mode(
    "variant", with_arguments, Axis("rank, arguments", ARGUMENT_VARIANTS, ids=variant_id), EVERY_DEVICE,
    modes=("sequences_and_states",),
)
# Every ConvLSTM layer the chapters hold: chapter 1 holds them to the seed notebook's claims, chapter 13 to their own.
EVERY_CONV_LSTM = (*CONV_LSTM, *CONV_GEOMETRIES, *CONV_VARIANTS)


def time_and_state(family, **arguments):
    """The family's layers, every rank and device, "same" padding; in two output modes that between them return
    the last output and the sequence, with states and without (what the recurrence does over time is the RNN base
    class's, stated for every mode in chapters 4 and 5; here each case costs a build and several calls)."""
    return per_output_mode(
        family, partial(conv_lstm, padding="same", **arguments), RANK, EVERY_DEVICE,
        modes=("last_output", "sequences_and_states"),
    )


CONV_BACKWARDS = time_and_state("backwards", go_backwards=True)
CONV_STATEFUL = time_and_state("stateful", stateful=True)
def with_dropout(rank, device, *, return_sequences, return_state):
    """Both rates well inside (0, 1), so that dropout at inference, were it applied, would change every output;
    seeded where the layer takes a seed (Keras 3), for the statement on `seed` in training (chapter 9)."""
    seeded = {"seed": DROPOUT_SEED} if accepts(f"ConvLSTM{rank}D", "seed") else {}
    return conv_lstm(
        rank, device, return_sequences=return_sequences, return_state=return_state, dropout=0.5,
        recurrent_dropout=0.5, **seeded,
    )


CONV_DROPOUT = per_output_mode("dropout", with_dropout, RANK, EVERY_DEVICE, modes=("sequences_and_states",))
# Masked calls: every rank returning everything, "same" padding (the geometries' layers, built once).
CONV_MASKED = per_output_mode(
    "masked", partial(conv_lstm, padding="same"), RANK, EVERY_DEVICE, modes=("sequences_and_states",)
)


@parametrize(rank=CONV_RANKS)
@on_every_device
def rank_of(rank, device):
    return rank, device


def seeded_conv_lstm_of(rank, device) -> ConvLSTMSubject:
    """CONV_DROPOUT's layer of that rank, for chapter 9's statement on `seed`."""
    return with_dropout(rank, device, return_sequences=True, return_state=True)


@parametrize(rank=CONV_RANKS)
@on_every_device
def seeded_conv_lstm(rank, device):
    return seeded_conv_lstm_of(rank, device)
