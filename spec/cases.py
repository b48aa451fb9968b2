"""The case catalogue: the layer configurations that the spec statements are held against.

Each case function is one output mode of a recurrent layer (what `return_sequences` and `return_state` ask
for), parametrized over every cell, shape, device and call path. Statements select the modes they speak of
by tag, so a statement about states is held against every configuration that returns states, and no other.
"""

from pytest_cases import case, parametrize

from rnnspec.subjects.calls import CALL_PATHS, COMPILED_CALL_PATHS, Call
from rnnspec.subjects.layers import CELLS, LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec.vocabulary import EVERY_DEVICE, Axis, Tag, case_id, on_every_device, per_output_mode


def layer(cell, shape, device, call_path, *, return_sequences, return_state):
    return LayerSubject(cell, return_sequences, return_state, device, SHAPES[shape], Call(call_path))


CALL_PATH_CASES = per_output_mode(
    "case", layer, Axis("cell", CELLS), Axis("shape", tuple(SHAPES)), EVERY_DEVICE, Axis("call_path", CALL_PATHS)
)


@case(tags=(Tag.CELL_STATE, Tag.STATES))
@parametrize(return_sequences=(False, True), shape=tuple(SHAPES), call_path=CALL_PATHS)
@on_every_device
def case_lstm_states(return_sequences, shape, device, call_path):
    return layer("LSTM", shape, device, call_path, return_sequences=return_sequences, return_state=True)


# The compiled call paths (rnnspec.probes.compiled), on the shape whose Input leaves the time dimension open: compiling is
# what costs, so one shape per output mode.
COMPILED_CASES = per_output_mode(
    "compiled", layer, Axis("cell", CELLS), Axis("shape", ("dynamic_time",)), EVERY_DEVICE,
    Axis("call_path", COMPILED_CALL_PATHS),
)

CATALOGUE = (*CALL_PATH_CASES, case_lstm_states, *COMPILED_CASES)


@parametrize(cell=CELLS)
@on_every_device
def layer_of(cell, device):
    return cell, device


@parametrize(lower=CELLS, upper=CELLS)
@on_every_device
def stack_of(lower, upper, device):
    return lower, upper, device


# Variants of the layer arguments, held against the NumPy reference on one shape. Their prefix keeps them out
# of the chapters that state the defaults (float32 returns, tanh activations).
ACTIVATION_VARIANTS = {
    "LSTM": [("activation", "relu"), ("activation", "linear"), ("activation", None), ("recurrent_activation", None), ("activation", "sigmoid"), ("activation", "hard_sigmoid"),
             ("recurrent_activation", "hard_sigmoid"), ("recurrent_activation", "tanh"),
             ("recurrent_activation", "relu"), ("recurrent_activation", "linear")],
    "SimpleRNN": [("activation", "relu"), ("activation", "linear"), ("activation", None), ("activation", "sigmoid"),
                  ("activation", "hard_sigmoid")],
}
ACTIVATION_VARIANTS["GRU"] = ACTIVATION_VARIANTS["LSTM"]

ARGUMENT_VARIANTS = [
    (cell, (option,)) for cell, variants in ACTIVATION_VARIANTS.items() for option in variants
] + [(cell, (("use_bias", False),)) for cell in CELLS] + [
    ("GRU", (("reset_after", False),)),
    ("GRU", (("reset_after", False), ("use_bias", False))),
]


def variant(cell, arguments, device):
    return LayerSubject(cell, True, True, device, SHAPES["batch"], options=arguments)


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(
    "cell, arguments",
    ARGUMENT_VARIANTS,
    ids=[case_id(cell=cell, **dict(arguments)) for cell, arguments in ARGUMENT_VARIANTS],
)
@on_every_device
def variant_arguments(cell, arguments, device):
    return variant(cell, arguments, device)


@case(tags=(Tag.SEQUENCES, Tag.STATES))
@parametrize(cell=CELLS, dtype=("float64", "mixed_float16", "mixed_bfloat16"))
@on_every_device
def variant_dtype(cell, dtype, device):
    return variant(cell, (("dtype", dtype),), device)
