"""Cases for the chapters on wrappers (Bidirectional, TimeDistributed, RNN over cells) and on configuration (dropout, unroll,
defaults, weights, saving, dtypes, bad input)."""

import inspect

from pytest_cases import case, parametrize

from rnnspec.oracle.recurrent import MERGE_MODES
from rnnspec.subjects.calls import Call
from rnnspec.subjects.cells import StackSubject
from rnnspec.subjects.layers import CELLS, BidirectionalSubject, LayerSubject, TimeDistributedSubject, layer_class
from rnnspec.subjects.shapes import SHAPES
from spec.vocabulary import (
    EVERY_DEVICE,
    OUTPUT_MODES,
    Axis,
    Tag,
    case_id,
    on_every_device,
    per_output_mode,
)


def accepts(cell: str, argument: str) -> bool:
    """Whether the installed Keras's layer has the argument (use_cudnn, for one, is Keras 3's)."""
    return argument in inspect.signature(layer_class(cell)).parameters


# Bidirectional's (cell, merge_mode, call_path) per output mode. With return_state, every merge mode on LSTM, whose
# two states make their order visible, and a one-state cell; without it, every merge mode on one cell or another,
# since merging does not depend on the cell; and for each output mode a functional model, on an Input whose time
# dimension is None.
WRAPPED = {
    "last_output": [
        ("LSTM", "concat", "layer"), ("LSTM", None, "layer"), ("GRU", "mul", "layer"), ("SimpleRNN", "concat", "model"),
    ],
    "sequences": [("LSTM", "concat", "layer"), ("LSTM", "sum", "layer"), ("LSTM", None, "layer"), ("GRU", "ave", "model")],
    "last_output_and_states": [("LSTM", merge_mode, "layer") for merge_mode in MERGE_MODES] + [
        ("GRU", "concat", "layer"), ("LSTM", "concat", "model"),
    ],
    "sequences_and_states": [("LSTM", merge_mode, "layer") for merge_mode in MERGE_MODES] + [
        ("GRU", "concat", "layer"), ("SimpleRNN", None, "layer"), ("LSTM", None, "model"),
    ],
}


def wrapped_id(wrapped) -> str:
    cell, merge_mode, call_path = wrapped
    return case_id(cell=cell, merge_mode=merge_mode, call_path=call_path)


def bidirectional(
    cell, merge_mode, device, call_path="layer", mask=None, *, return_sequences=True, return_state=True, **more
):
    shape = SHAPES["dynamic_time"] if call_path == "model" else SHAPES["batch"]
    return BidirectionalSubject(
        cell, return_sequences, return_state, device, shape, Call(call_path, mask=mask), merge_mode=merge_mode, **more
    )


BIDIRECTIONAL = per_output_mode(
    "case", bidirectional, Axis("cell, merge_mode, call_path", WRAPPED, ids=wrapped_id), EVERY_DEVICE
)


HALVES = [wrapped for wrapped in WRAPPED["sequences_and_states"] if wrapped[1] in ("concat", None)]


@parametrize("cell, merge_mode, call_path", HALVES, ids=[wrapped_id(wrapped) for wrapped in HALVES])
@on_every_device
def halves_of_sequences(cell, merge_mode, call_path, device):
    """The configurations whose output keeps the two directions apart."""
    return bidirectional(cell, merge_mode, device, call_path)


FUNCTIONAL = [
    (wrapped, *OUTPUT_MODES[mode]) for mode, of_mode in WRAPPED.items() for wrapped in of_mode if wrapped[2] == "model"
]


@parametrize(
    "wrapped, return_sequences, return_state", FUNCTIONAL,
    ids=[case_id(cell=c, merge_mode=m, return_sequences=rs, return_state=st) for (c, m, _), rs, st in FUNCTIONAL],
)
@on_every_device
def functional_model(wrapped, return_sequences, return_state, device):
    """The configurations of the catalogue that are called through a functional model."""
    cell, merge_mode, call_path = wrapped
    return bidirectional(
        cell, merge_mode, device, call_path, return_sequences=return_sequences, return_state=return_state
    )


# Arguments that change what the wrapped layer computes, or how (use_cudnn, where the layer has it).
WRAPPED_ARGUMENTS = {
    "LSTM": {"activation": "relu", "recurrent_activation": "hard_sigmoid", "use_cudnn": False},
    "GRU": {"activation": "relu", "reset_after": False, "use_cudnn": False},
    "SimpleRNN": {"activation": "relu", "use_bias": False},
}


def wrapped_arguments(cell) -> dict:
    return {name: value for name, value in WRAPPED_ARGUMENTS[cell].items() if accepts(cell, name)}


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(cell=CELLS)
@on_every_device
def variant_wrapped_arguments(cell, device):
    return bidirectional(cell, "concat", device, options=tuple(sorted(wrapped_arguments(cell).items())))


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(cell=CELLS)
@on_every_device
def variant_backward_layer(cell, device):
    """The Keras documentation's example: a backward layer of the same kind with activation="relu"."""
    return bidirectional(cell, "concat", device, backward_options=(("activation", "relu"),))


MASKED = [("LSTM", "concat"), ("GRU", None), ("SimpleRNN", "sum")]


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize("cell, merge_mode", MASKED, ids=[case_id(cell=c, merge_mode=m) for c, m in MASKED])
@on_every_device
def variant_masked(cell, merge_mode, device):
    return bidirectional(cell, merge_mode, device, mask="batch")


# TimeDistributed around each layer, returning its last output and its sequences; one of them through a functional
# model. The wrapped layer returns no states: the wrapper stacks one tensor per slice.
DISTRIBUTED = [
    ("LSTM", False, "layer"), ("LSTM", True, "layer"), ("GRU", False, "layer"), ("GRU", True, "model"),
    ("SimpleRNN", False, "layer"), ("SimpleRNN", True, "layer"),
]


def time_distributed(cell, return_sequences, device, call_path="layer", mask=None, **arguments):
    options = tuple(sorted(arguments.items()))
    return TimeDistributedSubject(
        cell, return_sequences, False, device, probe=Call(call_path, mask=mask), options=options
    )


@parametrize(
    "cell, return_sequences, call_path", DISTRIBUTED, ids=[case_id(cell=c, return_sequences=r, call_path=p) for c, r, p in DISTRIBUTED]
)
@on_every_device
def time_distributed_plain(cell, return_sequences, call_path, device):
    return time_distributed(cell, return_sequences, device, call_path)


# Masked calls, each cell once, its sequences where the masked steps show most.
DISTRIBUTED_MASKED = [("LSTM", True), ("GRU", False), ("SimpleRNN", True)]


@parametrize("cell, return_sequences", DISTRIBUTED_MASKED, ids=[case_id(cell=c, return_sequences=r) for c, r in DISTRIBUTED_MASKED])
@on_every_device
def time_distributed_mask_of_steps(cell, return_sequences, device):
    return time_distributed(cell, return_sequences, device, mask="steps")


@parametrize("cell, return_sequences", DISTRIBUTED_MASKED, ids=[case_id(cell=c, return_sequences=r) for c, r in DISTRIBUTED_MASKED])
@on_every_device
def time_distributed_mask_of_slices(cell, return_sequences, device):
    return time_distributed(cell, return_sequences, device, mask="slices")


@on_every_device
def time_distributed_dropout(device):
    """LSTM with both rates well inside (0, 1), seeded where it takes a seed (`with_dropout`): what the wrapper passes
    on does not depend on the cell, and each cell's dropout is chapter 9's."""
    seeded = {"seed": DROPOUT_SEED} if accepts("LSTM", "seed") else {}
    return time_distributed("LSTM", True, device, dropout=0.5, recurrent_dropout=0.5, **seeded)


# Stacks in which every cell is once the lower and once the upper one.
STACKS = [("LSTM", "GRU"), ("GRU", "SimpleRNN"), ("SimpleRNN", "LSTM")]


@parametrize("cells", STACKS, ids=[case_id(cells=cells) for cells in STACKS])
@on_every_device
def stack_unmasked(cells, device):
    return StackSubject(cells, device)


@parametrize("cells", [("LSTM", "GRU")], ids=[case_id(cells=("LSTM", "GRU"))])
@on_every_device
def stack_masked(cells, device):
    return StackSubject(cells, device, Call(mask="batch"))


@on_every_device
def device_any(device):
    return device


def returning_everything(cell, device, **arguments) -> LayerSubject:
    """A layer returning sequences and states on the `batch` shape, with further arguments."""
    return LayerSubject(cell, True, True, device, SHAPES["batch"], options=tuple(sorted(arguments.items())))


@parametrize(cell=CELLS)
@on_every_device
def layer_plain(cell, device):
    return returning_everything(cell, device)


DROPOUT_SEED = 1234


def with_dropout(cell, device, dropout, recurrent_dropout) -> LayerSubject:
    """Dropout seeded through the layer's own `seed` argument where it has one, which leaves the global seed alone."""
    seeded = {"seed": DROPOUT_SEED} if accepts(cell, "seed") else {}
    return returning_everything(cell, device, dropout=dropout, recurrent_dropout=recurrent_dropout, **seeded)


@parametrize(cell=CELLS)
@on_every_device
def dropout_both(cell, device):
    return with_dropout(cell, device, 0.5, 0.5)


@parametrize(cell=CELLS)
@on_every_device
def dropout_input_only(cell, device):
    return with_dropout(cell, device, 0.5, 0.0)


@parametrize(cell=CELLS)
@on_every_device
def dropout_recurrent_only(cell, device):
    return with_dropout(cell, device, 0.0, 0.5)


@parametrize(cell=CELLS)
@on_every_device
def unrolled_layer(cell, device):
    return returning_everything(cell, device, unroll=True)


# The defaults on the LSTM, GRU and SimpleRNN pages of https://keras.io/api/layers/recurrent_layers/.
COMMON_DEFAULTS = {
    "activation": "tanh", "use_bias": True, "kernel_initializer": "glorot_uniform",
    "recurrent_initializer": "orthogonal", "bias_initializer": "zeros", "dropout": 0.0, "recurrent_dropout": 0.0,
    "return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
}
DOCUMENTED_DEFAULTS = {
    "LSTM": {**COMMON_DEFAULTS, "recurrent_activation": "sigmoid", "unit_forget_bias": True, "use_cudnn": "auto"},
    "GRU": {**COMMON_DEFAULTS, "recurrent_activation": "sigmoid", "reset_after": True, "use_cudnn": "auto"},
    "SimpleRNN": COMMON_DEFAULTS,
}


# (cell, argument, value), for the arguments the installed layers have.
DEFAULTS = [
    (cell, argument, value)
    for cell, defaults in DOCUMENTED_DEFAULTS.items()
    for argument, value in defaults.items()
    if accepts(cell, argument)
]


@parametrize("cell, argument, value", DEFAULTS, ids=[case_id(cell=c, **{a: repr(v)}) for c, a, v in DEFAULTS])
def default_of(cell, argument, value):
    return cell, argument, value


WEIGHT_VARIANTS = [
    ("LSTM", ()), ("LSTM", (("use_bias", False),)), ("GRU", ()), ("GRU", (("reset_after", False),)),
    ("SimpleRNN", ()),
]


@parametrize(
    "cell, arguments", WEIGHT_VARIANTS,
    ids=[case_id(cell=cell, **dict(arguments)) for cell, arguments in WEIGHT_VARIANTS],
)
def weights_of(cell, arguments):
    return cell, dict(arguments)


@parametrize(saving_format=("keras", "weights.h5"))
def saved_as(saving_format):
    return saving_format


@parametrize(cell=CELLS, policy=("mixed_float16", "mixed_bfloat16"))
@on_every_device
def stateful_under(cell, policy, device):
    return cell, policy, device


# A state too many for every cell, and one too few for LSTM (GRU and SimpleRNN would get an empty list).
STATE_COUNTS = [("LSTM", 1), ("LSTM", 3), ("GRU", 2), ("SimpleRNN", 2)]


@parametrize("cell, count", STATE_COUNTS, ids=[case_id(cell=cell, states=count) for cell, count in STATE_COUNTS])
@on_every_device
def state_count_wrong(cell, count, device):
    return cell, count, device


ACTIVATION_ARGUMENTS = [(cell, argument) for cell in CELLS for argument in ("activation", "recurrent_activation")
                        if (cell, argument) != ("SimpleRNN", "recurrent_activation")]


@parametrize("cell, argument", ACTIVATION_ARGUMENTS, ids=[case_id(cell=c, argument=a) for c, a in ACTIVATION_ARGUMENTS])
def activation_argument_of(cell, argument):
    return cell, argument
