"""Chapter 15's catalogue: the configurations no catalogue lists, drawn by Hypothesis.

Every dimension is drawn together with every other, not one at a time: the cell, units 1 to 16, features 1 to 16
(equal to the units too), timesteps 1 to 40, batch 1 to 8, the output flags, reading backwards, the activations,
the bias, GRU's reset_after, LSTM's unit_forget_bias, unroll, the dtype policy, a mask of any pattern per sample,
an initial state or none, a stateful layer called twice, the call path, `Bidirectional` and its merge mode, stacks
of cells, and ConvLSTM1D's geometry. Each strategy returns a subject (rnnspec.subjects) carrying its probe, which
the one observe path builds and observes as it does the catalogue's.

Hypothesis shrinks a failure towards the start of each choice: the defaults come first (tanh, sigmoid, a bias, no
mask, float32), so a shrunk example differs from a default layer only where it must.
"""

import hypothesis.strategies as st

from rnnspec import installation
from rnnspec.oracle.recurrent import MERGE_MODES
from rnnspec.subjects.calls import CALL_PATHS, COMPILED_CALL_PATHS, Call, Gradient, TrainingSteps
from rnnspec.subjects.cells import StackSubject
from rnnspec.subjects.convlstm import ConvGeometry, ConvLSTMSubject
from rnnspec.subjects.layers import CELLS, BidirectionalSubject, LayerSubject
from rnnspec.subjects.shapes import ConvShape, Shape

UNITS = st.integers(1, 16)
TIMESTEPS = st.integers(1, 40)
BATCH = st.integers(1, 8)
# The activations the NumPy reference computes; None is documented as the linear activation.
ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear", "hard_sigmoid", None)
RECURRENT_ACTIVATIONS = ("sigmoid", "hard_sigmoid", "tanh", "relu", "linear", None)
DTYPE_POLICIES = ("float32", "float64", "mixed_float16", "mixed_bfloat16")


def dtype_policies() -> tuple[str, ...]:
    """The dtype policies this installation computes in: float64 not on JAX without JAX_ENABLE_X64=1 (it would
    compute in float32; the other chapters skip those cases, with the reason)."""
    return DTYPE_POLICIES if installation.computes_in_float64() else tuple(d for d in DTYPE_POLICIES if d != "float64")


# The call paths that take a mask: a model's Input carries none (a mask reaches a model through a Masking layer).
MASKED_CALL_PATHS = ("layer", "compiled_function")


@st.composite
def shapes(draw) -> Shape:
    """An input (batch, timesteps, features) and units; features equal to the units as often as not, so that a
    square kernel used transposed keeps its shape. Its name, which seeds its weights and inputs, is its dimensions."""
    batch, timesteps, units = draw(BATCH), draw(TIMESTEPS), draw(UNITS)
    features = draw(st.one_of(st.just(units), UNITS))
    return Shape(f"drawn-b{batch}-t{timesteps}-f{features}-u{units}", batch, timesteps, features, units)


@st.composite
def masks(draw, batch: int, timesteps: int):
    """None, or a mask of any pattern per sample: right- or left-padded to a drawn length (zero: a sample masked
    throughout), or steps masked anywhere (holes). Drawn as which steps are padding, so that a shrunk mask pads
    as little as it can."""
    if not draw(st.booleans()):
        return None
    rows = []
    for _ in range(batch):
        kind = draw(st.sampled_from(("holes", "right", "left")))
        if kind == "holes":
            padded = draw(st.lists(st.booleans(), min_size=timesteps, max_size=timesteps))
        else:
            padding = draw(st.integers(0, timesteps))
            padded = [False] * (timesteps - padding) + [True] * padding
            padded = padded if kind == "right" else padded[::-1]
        rows.append(tuple(not step for step in padded))
    return tuple(rows)


def options(**drawn) -> tuple[tuple[str, object], ...]:
    """Layer arguments as a subject holds them: sorted (name, value) pairs, the defaults left out."""
    defaults = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "go_backwards": False,
                "reset_after": True, "unit_forget_bias": True, "unroll": False, "stateful": False, "dtype": "float32"}
    return tuple(sorted((name, value) for name, value in drawn.items() if defaults.get(name, object()) != value))


@st.composite
def layer_arguments(draw, cell: str, *, backwards=True, stateful=False) -> tuple:
    """The arguments of an LSTM, GRU or SimpleRNN besides its units and output flags."""
    drawn = {
        "activation": draw(st.sampled_from(ACTIVATIONS)),
        "use_bias": draw(st.booleans().map(lambda no_bias: not no_bias)),
        "unroll": draw(st.booleans()),
        "dtype": draw(st.sampled_from(dtype_policies())),
        "stateful": stateful,
    }
    if backwards:
        drawn["go_backwards"] = draw(st.booleans())
    if cell != "SimpleRNN":
        drawn["recurrent_activation"] = draw(st.sampled_from(RECURRENT_ACTIVATIONS))
    if cell == "GRU":
        drawn["reset_after"] = draw(st.booleans().map(lambda before: not before))
    if cell == "LSTM":
        drawn["unit_forget_bias"] = draw(st.booleans().map(lambda off: not off))
    return options(**drawn)


@st.composite
def gradient_probes(draw, shape, *, stateful=False) -> Gradient:
    """A differentiated call under a drawn mask, given seeded initial states or none; a stateful layer's call
    follows a first call, whose states it starts from."""
    mask = draw(masks(shape.batch, shape.timesteps))
    if stateful:
        return Gradient(mask=mask, after_a_previous_call=True)
    return Gradient(mask=mask, initial_state=not draw(st.booleans()))


@st.composite
def recurrent_layers(draw, device: str):
    """An LSTM, GRU or SimpleRNN of any arguments, or one stateful and called twice, observed by a `Gradient` probe:
    its gradients and the values of the call differentiated."""
    cell, shape = draw(st.sampled_from(CELLS)), draw(shapes())
    flags = draw(st.booleans()), draw(st.booleans())
    stateful = draw(st.booleans())
    arguments = draw(layer_arguments(cell, stateful=stateful))
    return LayerSubject(cell, *flags, device, shape, draw(gradient_probes(shape, stateful=stateful)), arguments)


@st.composite
def bidirectional_layers(draw, device: str):
    """`Bidirectional` around a drawn layer, of any merge mode. (The reference reads the backward direction from
    `go_backwards`, so the wrapped layer reads forwards.)"""
    cell, shape = draw(st.sampled_from(CELLS)), draw(shapes())
    flags = draw(st.booleans()), draw(st.booleans())
    merge_mode = draw(st.sampled_from(MERGE_MODES))
    arguments = draw(layer_arguments(cell, backwards=False))
    return BidirectionalSubject(
        cell, *flags, device, shape, draw(gradient_probes(shape)), arguments, merge_mode=merge_mode
    )


@st.composite
def stacks(draw, device: str):
    """`RNN` over two or three stacked cells of any classes and units."""
    cells = tuple(draw(st.lists(st.sampled_from(CELLS), min_size=2, max_size=3)))
    units = tuple(draw(UNITS) for _ in cells)
    shape = draw(shapes())
    return StackSubject(cells, device, draw(gradient_probes(shape)), shape, units)


@st.composite
def conv_lstm_layers(draw, device: str):
    """ConvLSTM1D of any geometry: batch, timesteps, a spatial size of 1 to 16, channels and filters of 1 to 16, a
    kernel no wider than the input under "valid" padding; reading backwards, its activations and bias drawn. (Its
    reference has no mask and no backward pass: the values of a call from drawn initial states are held.)"""
    padding = draw(st.sampled_from(("valid", "same")))
    spatial = draw(st.integers(1, 16))
    kernel = draw(st.integers(1, min(spatial, 5) if padding == "valid" else 5))
    shape = ConvShape(draw(BATCH), draw(TIMESTEPS), (spatial,), draw(UNITS))
    geometry = ConvGeometry(shape, filters=draw(UNITS), kernel_size=(kernel,))
    arguments = options(
        activation=draw(st.sampled_from(ACTIVATIONS)),
        recurrent_activation=draw(st.sampled_from(RECURRENT_ACTIVATIONS)),
        use_bias=not draw(st.booleans()),
        go_backwards=draw(st.booleans()),
        dtype=draw(st.sampled_from(dtype_policies())),
    )
    flags = draw(st.booleans()), draw(st.booleans())
    probe = Gradient(initial_state=not draw(st.booleans()))
    return ConvLSTMSubject(1, *flags, device, probe, padding, 1, options=arguments, geometry=geometry)


def differentiated(device: str):
    """Every drawn subject whose gradients the reference computes: a layer, `Bidirectional`, a stack of cells."""
    return st.one_of(recurrent_layers(device), bidirectional_layers(device), stacks(device))


def called(device: str):
    """Every drawn subject, ConvLSTM1D with them, observed by a differentiated call from drawn initial states."""
    return st.one_of(differentiated(device), conv_lstm_layers(device))


@st.composite
def along_call_paths(draw, device: str):
    """A drawn layer called along a drawn call path (the bare layer, a model, `predict`, the compiled paths), under
    a drawn mask where the path takes one."""
    cell, shape = draw(st.sampled_from(CELLS)), draw(shapes())
    flags = draw(st.booleans()), draw(st.booleans())
    path = draw(st.sampled_from(CALL_PATHS + COMPILED_CALL_PATHS))
    mask = draw(masks(shape.batch, shape.timesteps)) if path in MASKED_CALL_PATHS else None
    arguments = draw(layer_arguments(cell))
    if path == "compiled_function":  # compiled with the time dimension open, which unroll=True refuses (documented)
        arguments = tuple(pair for pair in arguments if pair[0] != "unroll")
    return LayerSubject(cell, *flags, device, shape, Call(path, mask=mask), arguments)


@st.composite
def trained(draw, device: str):
    """A drawn float32 layer trained by SGD through Keras's loop: one `train_on_batch` step, or epochs of `fit` over
    one batch or several."""
    cell, shape = draw(st.sampled_from(CELLS)), draw(shapes())
    flags = draw(st.booleans()), draw(st.booleans())
    arguments = tuple(pair for pair in draw(layer_arguments(cell)) if pair[0] != "dtype")
    loop = draw(st.sampled_from(("train_on_batch", "fit")))
    batch_size = draw(st.one_of(st.none(), st.integers(1, shape.batch))) if loop == "fit" else None
    return LayerSubject(cell, *flags, device, shape, TrainingSteps(loop, batch_size=batch_size), arguments)
