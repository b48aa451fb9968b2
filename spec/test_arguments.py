"""Chapter 12. Every documented argument and method that the other chapters leave unsaid.

From the pages of https://keras.io/api/layers/recurrent_layers/ (LSTM, GRU, SimpleRNN, their cells, RNN,
Bidirectional) and the StackedRNNCells docstring: the initializers, regularizers and constraints of the three
weights and `activity_regularizer`; what `unit_forget_bias` does to the bias initializer; every argument surviving
`get_config`/`from_config` and `.keras` saving; `unroll` on an undefined time dimension; `reset_state(states=...)`
and resetting a whole model; Bidirectional's default `merge_mode`, a stateful Bidirectional, its `states`,
`reset_states`, `weights=`, `training` and its errors; StackedRNNCells' errors and each cell's dropout; masks
passed on by `compute_mask`; `constants`; a cell's initial state and one step. The ConvLSTM layers
(https://keras.io/api/layers/recurrent_layers/conv_lstm2d/ and the 1D and 3D pages), which take the LSTM's
arguments, are held to the same statements on initializers, regularizers, constraints, configuration, saving and
masks. `rnnspec.statements.coverage` counts what each statement documents (`@documents`).
"""

import json

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.oracle import recurrent
from rnnspec.oracle.recurrent import STATE_NAMES
from rnnspec.probes.observe import call, layer_weights, leaves
from rnnspec.statements.assertions import Described, assert_close, assert_identical
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import cell_spec
from rnnspec.statements.shared import assert_names, skip_unless_visible
from rnnspec.statements.tolerances import BETWEEN_IMPLEMENTATIONS, PENALTY_VERSUS_NUMPY, VERSUS_REFERENCE
from rnnspec.subjects import seeded
from rnnspec.subjects.convlstm import CONV_CHANNELS, CONV_FILTERS, CONV_KERNEL_SIZE, CONV_SPATIAL
from rnnspec.subjects.layers import CELLS, LayerSubject, layer_class, recurrent_layer
from rnnspec.subjects.shapes import SHAPES, ConvShape
from spec.cases import layer_of
from spec.cases_arguments import (
    BUILT_WITHOUT,
    CONV_LSTM_CLASSES,
    EVERY_CLASS,
    NON_DEFAULTS,
    constrained_conv_lstm,
    constrained_training,
    conv_lstm_of,
    non_default_argument,
    stateful_bidirectional,
    with_every_argument,
)

LAYERS = "{LSTM,GRU,SimpleRNN}"
CELL_CLASSES = "{LSTMCell,GRUCell,SimpleRNNCell}"
BOTH = "{LSTM,GRU,SimpleRNN,LSTMCell,GRUCell,SimpleRNNCell}"
CONV_LSTM = "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}"
WITH_WEIGHTS = "{LSTM,GRU,SimpleRNN,LSTMCell,GRUCell,SimpleRNNCell,ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}"
FEATURES, UNITS, STEPS, BATCH = 5, 4, 6, 3
WEIGHTS = {"kernel": "kernel", "recurrent": "recurrent_kernel", "bias": "bias"}  # argument prefix -> weight


@pytest.fixture(autouse=True)
def keras_3_only():
    if installation.is_keras_2():
        pytest.skip("chapter 12 states Keras 3's API, as rnnspec.statements.coverage measures it")


def keras():
    return installation.keras()


def sequences(seed_name: str, shape=(BATCH, STEPS, FEATURES)) -> np.ndarray:
    return seeded.inputs(shape, seeded.seed_for(seed_name))


def is_conv_lstm(name: str) -> bool:
    return name.startswith("ConvLSTM")


def new_layer(name: str, **arguments):
    """A new LSTM, GRU or SimpleRNN of UNITS, or ConvLSTM1D, 2D or 3D of CONV_FILTERS filters of its kernel size.
    Its initializers draw their seeds from Python's generator, seeded here: the same weights in every run, so that a
    failure's numbers are too."""
    keras().utils.set_random_seed(seeded.seed_for("new layer"))
    if is_conv_lstm(name):
        return layer_class(name)(CONV_FILTERS, CONV_KERNEL_SIZE[int(name[8])], **arguments)
    return recurrent_layer(name, UNITS, **arguments)


def input_shape(name: str, channels_first=False) -> tuple[int, ...]:
    """(BATCH, STEPS, FEATURES), or a ConvLSTM's (BATCH, STEPS, *spatial, channels), channels first if asked."""
    if is_conv_lstm(name):
        return ConvShape(BATCH, STEPS, CONV_SPATIAL[int(name[8])], CONV_CHANNELS, channels_first).input_shape
    return (BATCH, STEPS, FEATURES)


def states_of(name: str) -> tuple[str, ...]:
    return ("h", "c") if is_conv_lstm(name) else STATE_NAMES[name]


def built_alone(cell: str, form: str, **arguments):
    """A new layer (`form="layer"`: LSTM, ..., ConvLSTM2D, ...) or cell (`"cell"`: LSTMCell, ...) of UNITS, built
    for FEATURES (a ConvLSTM for its spatial dimensions and channels)."""
    if form == "layer":
        layer = new_layer(cell, **arguments)
        layer.build((None, *input_shape(cell)[1:]))
    else:
        layer = recurrent_layer(f"{cell}Cell", UNITS, **arguments)
        layer.build((None, FEATURES))
    return layer


def with_distinct_weights(layer, seed_name: str):
    return seeded.give_distinct_weights(layer, seeded.seed_for(seed_name))


def numpy(tensor) -> np.ndarray:
    return np.asarray(installation.to_numpy(tensor))


# Initializers


INITIAL_VALUES = {"kernel": 0.3, "recurrent": -0.2, "bias": 0.1}
# Each layer and cell, and each ConvLSTM layer (whose cell Keras does not export).
FORMS = [*((cell, form) for cell in CELLS for form in ("layer", "cell")), *((name, "layer") for name in CONV_LSTM_CLASSES)]


@documents(f"{WITH_WEIGHTS}.{{kernel,recurrent,bias}}_initializer", f"{CELL_CLASSES}.build()", f"{CONV_LSTM}.build()")
@pytest.mark.parametrize("cell, form", FORMS)
def test_each_initializer_gives_its_weight_its_initial_values(cell, form):
    """`kernel_initializer`, `recurrent_initializer` and `bias_initializer` give a new layer's (or cell's) kernel,
    recurrent_kernel and bias their initial values: here Constant(0.3), Constant(-0.2) and Constant(0.1) (an LSTM
    or ConvLSTM with `unit_forget_bias=False`, which would otherwise set its forget gate's bias)."""
    arguments = {f"{p}_initializer": keras().initializers.Constant(v) for p, v in INITIAL_VALUES.items()}
    if cell == "LSTM" or is_conv_lstm(cell):
        arguments["unit_forget_bias"] = False
    layer = built_alone(cell, form, **arguments)
    weights = layer_weights(layer)
    run = Described(f"a new {layer.__class__.__name__} with constant initializers")
    for prefix, value in INITIAL_VALUES.items():
        weight = weights[WEIGHTS[prefix]]
        assert_identical(weight, np.full_like(weight, value), f"the initial {WEIGHTS[prefix]} and {value}", run)


@documents("{LSTM,LSTMCell}.unit_forget_bias", "{LSTM,LSTMCell}.bias_initializer")
@pytest.mark.parametrize("form", ["layer", "cell"])
def test_unit_forget_bias_forces_a_zero_bias_initializer(form):
    """"unit_forget_bias: [...] If True, add 1 to the bias of the forget gate at initialization. Setting it to True
    will also force bias_initializer="zeros"": given bias_initializer=Constant(0.25) as well, a new LSTM's bias is
    zero on the gates i, c and o and one on the forget gate f."""
    layer = built_alone("LSTM", form, unit_forget_bias=True, bias_initializer=keras().initializers.Constant(0.25))
    bias = layer_weights(layer)["bias"]
    wanted = np.zeros(4 * UNITS, dtype="float32")
    wanted[UNITS : 2 * UNITS] = 1.0
    assert_identical(bias, wanted, "the initial bias and zeros with ones on the forget gate", Described(f"LSTM {form}"))


# Regularizers


L1, L2 = 0.01, 0.02


def penalty(weight: np.ndarray) -> float:
    """L1L2(l1=L1, l2=L2) of a weight, in float64."""
    weight = weight.astype(np.float64)
    return L1 * np.abs(weight).sum() + L2 * np.square(weight).sum()


def losses_of(layer) -> np.ndarray:
    return np.array([float(numpy(loss)) for loss in layer.losses])


@documents(f"{WITH_WEIGHTS}.{{kernel,recurrent,bias}}_regularizer")
@pytest.mark.parametrize("weight", list(WEIGHTS))
@pytest.mark.parametrize("cell, form", FORMS)
def test_a_weight_regularizer_adds_the_penalty_of_its_weight_to_the_losses(cell, form, weight):
    """A layer (or cell) given `kernel_regularizer` (or `recurrent_regularizer`, `bias_regularizer`) =
    L1L2(l1=0.01, l2=0.02) has one loss: 0.01·Σ|w| + 0.02·Σw² over that weight alone, computed here in NumPy from
    the weight's values."""
    regularizer = keras().regularizers.L1L2(l1=L1, l2=L2)
    layer = with_distinct_weights(built_alone(cell, form, **{f"{weight}_regularizer": regularizer}), "regularized")
    wanted = np.array([penalty(layer_weights(layer)[WEIGHTS[weight]])])
    run = Described(f"{layer.__class__.__name__}({weight}_regularizer=L1L2(l1={L1}, l2={L2}))")
    assert_close(losses_of(layer), wanted, PENALTY_VERSUS_NUMPY, f"the losses and the {WEIGHTS[weight]}'s penalty", run)


@documents(f"{LAYERS}.activity_regularizer", f"{CONV_LSTM}.activity_regularizer")
@parametrize_with_cases("cell, device", cases=[layer_of, conv_lstm_of])
def test_the_activity_regularizer_adds_the_penalty_of_the_output_to_the_losses(cell, device):
    """"activity_regularizer: Regularizer function applied to the output of the layer": a layer given
    activity_regularizer=L1(0.01), called on a batch, has one loss, 0.01·Σ|output| over its output sequence divided
    by the batch size (as Keras divides every layer's activity penalty), computed here in NumPy from the output."""
    skip_unless_visible(device)
    layer = new_layer(cell, return_sequences=True, activity_regularizer=keras().regularizers.L1(L1))
    inputs = sequences("activity", input_shape(cell))
    with installation.on_device(device):
        output = numpy(layer(inputs))
    wanted = np.array([L1 * np.abs(output.astype(np.float64)).sum() / BATCH])
    run = Described(f"{cell}(return_sequences=True, activity_regularizer=L1({L1})) on {device}")
    assert_close(losses_of(layer), wanted, PENALTY_VERSUS_NUMPY, "the losses and the output's penalty", run)


# Constraints


@documents(f"{WITH_WEIGHTS}.{{kernel,recurrent,bias}}_constraint")
@pytest.mark.parametrize("weight", list(WEIGHTS))
@parametrize_with_cases("subject", cases=[constrained_training, constrained_conv_lstm])
def test_a_constraint_holds_after_a_training_step(subject, weight, observe):
    """With `kernel_constraint`, `recurrent_constraint` and `bias_constraint` = NonNeg(), a step of SGD
    (`train_on_batch`) from the seeded weights, about half of them negative, leaves the weight with no negative
    value."""
    run = observe(subject)
    after = dict(zip(subject.weight_names, run.arrays))[WEIGHTS[weight]]
    assert after.min() >= 0, (
        f"the {WEIGHTS[weight]} after the step has {np.count_nonzero(after < 0)} negative values (smallest "
        f"{after.min():.3g}) under NonNeg\n  configuration: {run.describe()}"
    )


# get_config, from_config and saving


def resolved(argument: str, value):
    """What a layer holds for an argument given as `value`: identifiers resolved as Keras documents them."""
    k = keras()
    for suffix, module in (("activation", k.activations), ("initializer", k.initializers),
                           ("regularizer", k.regularizers), ("constraint", k.constraints)):
        if argument.endswith(suffix):
            return module.get(value)
    return value


def comparable(value):
    """A value as it can be compared: Keras objects by their serialized class and configuration."""
    if isinstance(value, (bool, int, float, str, type(None))):
        return value
    if isinstance(value, (tuple, list)):  # a ConvLSTM's kernel_size, strides, dilation_rate
        return tuple(map(comparable, value))
    return keras().saving.serialize_keras_object(value)


def held(layer, argument: str):
    """The argument's value as the layer holds it (a layer's cell holds some, e.g. `seed`)."""
    return getattr(layer, argument) if hasattr(layer, argument) else getattr(layer.cell, argument)


def created(class_name: str, argument: str, value):
    cls = layer_class(class_name)
    if class_name == "RNN":
        return cls(layer_class("LSTMCell")(UNITS), **{argument: value})
    if is_conv_lstm(class_name):
        return cls(**{"filters": CONV_FILTERS, "kernel_size": CONV_KERNEL_SIZE[int(class_name[8])], argument: value})
    return cls(**{"units": UNITS, argument: value})


@documents(
    *(f"{name}.{argument}" for name, arguments in NON_DEFAULTS.items() for argument in arguments),
    f"{LAYERS}.get_config()", f"{LAYERS}.from_config()", f"{CELL_CLASSES}.get_config()", "RNN.get_config()",
    "RNN.from_config()", f"{CONV_LSTM}.{{get_config,from_config}}()",
)
@parametrize_with_cases("class_name, argument, value", cases=non_default_argument)
def test_an_argument_survives_get_config_and_from_config(class_name, argument, value):
    """A layer or cell created with an argument other than its default, e.g. `LSTM(go_backwards=True)`,
    `GRUCell(reset_after=False)` or `ConvLSTM2D(dilation_rate=(2, 2))`, and created again by
    `from_config(get_config())`, holds the value given."""
    layer = created(class_name, argument, value)
    again = type(layer).from_config(layer.get_config())
    wanted, found = comparable(resolved(argument, value)), comparable(held(again, argument))
    assert found == wanted, (
        f"{class_name}({argument}={value!r}) rebuilt from its config holds {argument}={found!r}, expected {wanted!r}"
        f"\n  get_config(): {layer.get_config().get(argument, 'no such key')!r}\n  Keras: {installation.current().describe()}"
    )


def with_every_argument_given(class_name: str):
    """A new layer of the class with every argument of NON_DEFAULTS (its cells' too; a ConvLSTM's but
    BUILT_WITHOUT), returning sequences."""
    k, given = keras(), NON_DEFAULTS
    if class_name in given:
        arguments = {**given[class_name], "return_state": False, "stateful": False}  # stateful: see Bidirectional
        for left_out in BUILT_WITHOUT.get(class_name, ()):
            del arguments[left_out]
        if class_name == "RNN":
            return k.layers.RNN(k.layers.LSTMCell(**given["LSTMCell"]), **arguments)
        return layer_class(class_name)(**arguments)
    if class_name == "StackedRNNCells":
        cells = k.layers.StackedRNNCells([k.layers.LSTMCell(**given["LSTMCell"]), k.layers.GRUCell(**given["GRUCell"])])
        return k.layers.RNN(cells, return_sequences=True)
    backward = k.layers.GRU(UNITS, return_sequences=True, go_backwards=True, activation="relu")
    return k.layers.Bidirectional(k.layers.GRU(UNITS, return_sequences=True), merge_mode="mul", backward_layer=backward)


@documents(
    f"{LAYERS}.get_config()", f"{LAYERS}.from_config()", "RNN.cell", "RNN.get_config()", "RNN.from_config()",
    "StackedRNNCells.cells", "StackedRNNCells.get_config()", "StackedRNNCells.from_config()",
    "StackedRNNCells.build()", "Bidirectional.get_config()", "Bidirectional.from_config()",
    "Bidirectional.build()", "Bidirectional.backward_layer", "Bidirectional.layer",
    f"{CONV_LSTM}.{{get_config,from_config}}()",
)
@parametrize_with_cases("class_name", cases=with_every_argument)
def test_a_layer_rebuilt_from_its_config_returns_what_it_returns(class_name):
    """A layer created with arguments other than the defaults (RNN over a cell, over stacked cells,
    Bidirectional with a `backward_layer` and `merge_mode="mul"`, and each ConvLSTM), created again by
    `from_config(get_config())` and given the same weights, returns the same output, bit for bit."""
    layer = with_every_argument_given(class_name)
    inputs = sequences("rebuilt", every_argument_input_shape(class_name))
    layer.build(inputs.shape)
    with_distinct_weights(layer, f"rebuilt {class_name}")
    again = type(layer).from_config(layer.get_config())
    again.build(inputs.shape)
    again.set_weights(layer.get_weights())
    run = Described(f"{class_name} with every argument given, rebuilt from its config")
    assert_identical(numpy(again(inputs)), numpy(layer(inputs)), "the rebuilt layer's output and the layer's", run)


def every_argument_input_shape(class_name: str) -> tuple[int, ...]:
    """What the class built with every argument reads: a ConvLSTM's channels first unless it leaves it out."""
    first = "data_format" in NON_DEFAULTS.get(class_name, ()) and "data_format" not in BUILT_WITHOUT[class_name]
    return input_shape(class_name, channels_first=first)


def as_saved(subject: dict) -> str:
    """A configuration as JSON, the form a .keras file keeps (a shape's tuple and list are the same there)."""
    return json.dumps(subject, sort_keys=True)


@documents(
    "{LSTM,GRU,SimpleRNN,RNN,StackedRNNCells,Bidirectional}.{get_config,from_config}()",
    f"{CONV_LSTM}.{{get_config,from_config}}()",
)
def test_a_saved_model_of_every_class_with_every_argument_reloads_to_identical_outputs(tmp_path):
    """A model of every recurrent class (ConvLSTM1D, 2D and 3D included) created with arguments other than the
    defaults, saved to a .keras file and loaded with `keras.saving.load_model`, returns exactly what it returned, and
    each layer's `get_config()` is what it was."""
    k = keras()
    shapes = {name: every_argument_input_shape(name) for name in EVERY_CLASS}
    inputs = {name: k.Input(batch_shape=shape, name=f"input_of_{name}") for name, shape in shapes.items()}
    layers = [with_every_argument_given(name) for name in EVERY_CLASS]
    model = k.Model(list(inputs.values()), [layer(inputs[name]) for name, layer in zip(EVERY_CLASS, layers)])
    with_distinct_weights(model, "saved with every argument")
    x = [sequences(f"saved with every argument {name}", shape) for name, shape in shapes.items()]
    before = [numpy(t) for t in model(x)]
    model.save(tmp_path / "model.keras")
    loaded = k.saving.load_model(tmp_path / "model.keras")
    after = [numpy(t) for t in loaded(x)]
    run = Described("a model of every recurrent class with every argument given, saved as .keras")
    for layer, again, first in zip(layers, after, before):
        assert_identical(again, first, f"the {layer.__class__.__name__} output after reloading and before saving", run)
        subject, wanted = as_saved(loaded.get_layer(layer.name).get_config()), as_saved(layer.get_config())
        assert subject == wanted, f"{layer.name}'s get_config() changed by saving: {subject}\n  {run.describe()}"


# unroll


@documents("{LSTM,GRU,SimpleRNN,RNN}.unroll")
@pytest.mark.parametrize("cell", CELLS)
def test_unrolling_an_undefined_time_dimension_is_refused(cell):
    """`unroll=True` needs the number of steps: called on sequences whose time dimension is undefined (a symbolic
    (batch, None, features) tensor, as a model traced for sequences of any length passes), a layer raises a
    ValueError that names unrolling and the time dimension."""
    layer = recurrent_layer(cell, UNITS, unroll=True)
    layer.build((None, None, FEATURES))
    with pytest.raises(ValueError) as refused:
        layer.call(keras().KerasTensor((BATCH, None, FEATURES)))
    assert_names(refused.value, r"(?i)unroll(.|\n)*time dimension", "unrolling and the time dimension")


# Resetting states


def stateful(cell: str, device: str, return_state: bool) -> LayerSubject:
    """A stateful layer on the `batch` shape, built (with distinct weights) through the one path."""
    return LayerSubject(cell, False, return_state, device, SHAPES["batch"], options=(("stateful", True),))


@documents("{LSTM,GRU,SimpleRNN,RNN}.reset_state()")
@parametrize_with_cases("cell, device", cases=layer_of)
def test_reset_state_with_states_sets_the_states(cell, device, build):
    """"You can specify the initial state of RNN layers numerically by calling reset_state() with the keyword
    argument states": after `reset_state(states=[...])` a stateful layer's `states` hold the values given."""
    layer = build(stateful(cell, device, return_state=True)).layer
    given = [seeded.inputs((BATCH, UNITS), seed=i) for i, _ in enumerate(STATE_NAMES[cell])]
    layer.reset_state(states=given)
    run = Described(f"stateful {cell}({UNITS}) on {device} after reset_state(states=...)")
    for name, variable, value in zip(STATE_NAMES[cell], layer.states, given):
        assert_identical(numpy(variable), value, f"layer.states' {name} and the {name} given", run)


@documents("{LSTM,GRU,SimpleRNN,RNN}.reset_state()")
@parametrize_with_cases("cell, device", cases=layer_of)
def test_reset_state_of_a_whole_model_resets_its_stateful_layers(cell, device, build):
    """"To reset the states of your model, call .reset_state() on either a specific layer, or on your entire
    model": after `model.reset_state()`, a model of a stateful layer returns for its first batch what it returned
    the first time."""
    built = build(stateful(cell, device, return_state=False))
    model, x = built.model, built.inputs
    with installation.on_device(device):
        first = numpy(model(x))
        model(x)
        model.reset_state()
        again = numpy(model(x))
    assert_identical(again, first, "the output after model.reset_state() and the first", Described(f"{cell} on {device}"))


# Bidirectional


@documents("Bidirectional.merge_mode")
def test_bidirectional_merges_by_concatenation_by_default():
    """`merge_mode` "Defaults to "concat"": `Bidirectional(LSTM(4))` has merge_mode "concat" and returns 8 features
    per sample, the two directions' outputs side by side."""
    layer = keras().layers.Bidirectional(recurrent_layer("LSTM", UNITS))
    shape = tuple(layer.compute_output_shape((BATCH, STEPS, FEATURES)))
    assert (layer.merge_mode, shape) == ("concat", (BATCH, 2 * UNITS)), (
        f"Bidirectional(LSTM({UNITS})) has merge_mode={layer.merge_mode!r} and output shape {shape}, expected "
        f"'concat' and {(BATCH, 2 * UNITS)}\n  Keras: {installation.current().describe()}"
    )


def from_zero_states(layer):
    for variable in layer.states:
        variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
    return layer


def bidirectional_reference(subject, layer, inputs, initial_state=None):
    """(merged output sequence, forward final states, backward final states) by the NumPy reference, from the
    layer's weights."""
    spec = cell_spec(subject)
    forward, backward = (layer_weights(direction) for direction in (layer.forward_layer, layer.backward_layer))
    return recurrent.bidirectional(spec, forward, spec, backward, inputs, return_sequences=True, initial_state=initial_state)


@documents("Bidirectional.call(sequences)")
@parametrize_with_cases("subject", cases=stateful_bidirectional)
def test_a_stateful_bidirectional_layer_starts_each_direction_from_its_last_states(subject, build):
    """Around a stateful layer, `Bidirectional` carries each direction's final states into the next call: its second
    call returns the reference's output for the second batch from the final states of the first (each direction
    from its own)."""
    built = build(subject)
    layer = from_zero_states(built.layer)
    second = seeded.inputs(built.inputs.shape, seed=99)
    call(subject, layer, built.inputs, note="first batch")
    carried = call(subject, layer, second, note="second batch")
    _, forward_states, backward_states = bidirectional_reference(subject, layer, built.inputs)
    wanted, _, _ = bidirectional_reference(subject, layer, second, initial_state=[*forward_states, *backward_states])
    tolerance = VERSUS_REFERENCE["float32"]
    assert_close(carried.output, wanted, tolerance, "the second call's output and the reference continued", carried)


@documents("Bidirectional.states()")
@parametrize_with_cases("subject", cases=stateful_bidirectional)
def test_bidirectional_states_hold_each_directions_final_states(subject, build):
    """After a call of a stateful `Bidirectional`, its `states` hold the forward layer's final states, then the
    backward layer's, as the reference computes them."""
    built = build(subject)
    layer = from_zero_states(built.layer)
    run = call(subject, layer, built.inputs)
    _, forward_states, backward_states = bidirectional_reference(subject, layer, built.inputs)
    tolerance = VERSUS_REFERENCE["float32"]
    for index, (variable, state) in enumerate(zip(layer.states, [*forward_states, *backward_states])):
        assert_close(numpy(variable), state, tolerance, f"states[{index}] and the reference's final state {index}", run)


@documents("Bidirectional.reset_state()", "Bidirectional.reset_states()")
@pytest.mark.parametrize("method", ["reset_state", "reset_states"])
@parametrize_with_cases("subject", cases=stateful_bidirectional)
def test_bidirectional_reset_states_restores_the_first_result(subject, method, build):
    """After `reset_state()` (or its alias `reset_states()`), a stateful `Bidirectional` returns for the first
    batch exactly what it returned the first time."""
    built = build(subject)
    layer = from_zero_states(built.layer)
    first = call(subject, layer, built.inputs)
    call(subject, layer, seeded.inputs(built.inputs.shape, seed=99))
    getattr(layer, method)()
    again = call(subject, layer, built.inputs, note=f"after {method}()")
    assert_identical(again.output, first.output, f"the output after {method}() and the first", again)


@documents("Bidirectional.call(sequences)")
@parametrize_with_cases("cell, device", cases=layer_of)
def test_a_stateful_bidirectional_layer_returns_its_states(cell, device):
    """A `Bidirectional` around a stateful layer with `return_state=True` returns its output and the four (LSTM:
    the forward h and c, then the backward) or two states, as a layer that is not stateful does."""
    skip_unless_visible(device)
    layer = keras().layers.Bidirectional(recurrent_layer(cell, UNITS, stateful=True, return_state=True))
    with installation.on_device(device):
        returned = layer(sequences("stateful bidirectional"))
    count = 1 + 2 * len(STATE_NAMES[cell])
    assert len(returned) == count, f"returned {len(returned)} tensors, expected {count}"


@documents("Bidirectional.weights")
@parametrize_with_cases("cell, device", cases=layer_of)
def test_bidirectional_weights_are_its_initial_weights(cell, device):
    """`Bidirectional(layer, weights=[...])` starts from the weights given (the forward layer's, then the
    backward's, as `get_weights()` lists them) rather than freshly initialized ones."""
    skip_unless_visible(device)
    k = keras()
    shapes = k.layers.Bidirectional(recurrent_layer(cell, UNITS))
    shapes.build((None, STEPS, FEATURES))
    given = seeded.distinct_weights([(w.name, tuple(w.shape)) for w in shapes.weights], seeded.seed_for("weights="))
    layer = k.layers.Bidirectional(recurrent_layer(cell, UNITS), weights=given)
    with installation.on_device(device):
        layer.build((None, STEPS, FEATURES))
    run = Described(f"Bidirectional({cell}({UNITS}), weights=...) on {device}")
    for weight, value, wanted in zip(layer.weights, layer.get_weights(), given):
        assert_identical(value, wanted, f"the initial {weight.path} and the weight given", run)


@documents("Bidirectional.call(training)")
@parametrize_with_cases("cell, device", cases=layer_of)
def test_bidirectional_passes_training_to_both_directions(cell, device):
    """`training=True` reaches both directions: around a layer with `dropout=0.5`, each half of the concatenated
    output differs from the call for inference."""
    skip_unless_visible(device)
    layer = keras().layers.Bidirectional(recurrent_layer(cell, UNITS, dropout=0.5, seed=3))
    inputs = sequences("bidirectional training")
    with installation.on_device(device):
        inference, training = numpy(layer(inputs)), numpy(layer(inputs, training=True))
    for half, name in ((slice(0, UNITS), "forward"), (slice(UNITS, None), "backward")):
        assert not np.allclose(training[:, half], inference[:, half]), (
            f"the {name} half of Bidirectional({cell}(dropout=0.5)) is the same with training=True as without: "
            f"no dropout reached it\n  Keras: {installation.current().describe()}"
        )


@documents("Bidirectional.layer")
@pytest.mark.parametrize("wrapped", ["Dense", "a string"])
def test_bidirectional_refuses_what_is_not_a_recurrent_layer(wrapped):
    """`layer` must be a recurrent layer, or a Layer with `go_backwards`, `return_sequences` and `return_state`:
    `Bidirectional(Dense(3))` is refused with an error that names Dense and the `go_backwards` it lacks, and
    `Bidirectional("lstm")` with a ValueError that names the Layer it must be."""
    k = keras()
    given, pattern = (k.layers.Dense(3), r"Dense(.|\n)*go_backwards") if wrapped == "Dense" else ("lstm", r"Layer")
    with pytest.raises((ValueError, TypeError)) as refused:
        k.layers.Bidirectional(given)
    assert_names(refused.value, pattern, f"what is wrong with {wrapped}")


@documents("Bidirectional.backward_layer")
@pytest.mark.parametrize("attribute", ["return_sequences", "return_state", "stateful"])
def test_a_backward_layer_unlike_the_forward_one_is_refused(attribute):
    """"the provided backward_layer layer should have properties matching those of the layer argument, in
    particular [...] stateful, return_states, return_sequences [...] A ValueError will be raised if these
    requirements are not met": a backward layer that differs in one of them is refused with a ValueError naming it."""
    backward = recurrent_layer("GRU", UNITS, go_backwards=True, **{attribute: True})
    with pytest.raises(ValueError) as refused:
        keras().layers.Bidirectional(recurrent_layer("GRU", UNITS), backward_layer=backward)
    assert_names(refused.value, attribute, attribute)


# StackedRNNCells and cells


class NoStateSize:
    def call(self, inputs, states):
        return inputs, states


class NoCall:
    state_size = UNITS


@documents("StackedRNNCells.cells", "RNN.cell")
@pytest.mark.parametrize("wrapper, missing", [("StackedRNNCells", "call"), ("StackedRNNCells", "state_size"),
                                              ("RNN", "call"), ("RNN", "state_size")])
def test_a_cell_without_call_or_state_size_is_refused(wrapper, missing):
    """A cell is "a class that has a call method [and] a state_size attribute": `StackedRNNCells([cell])` and
    `RNN(cell)` refuse a cell without either with a ValueError that names what it lacks."""
    cell = NoCall() if missing == "call" else NoStateSize()
    with pytest.raises(ValueError) as refused:
        layer_class(wrapper)([cell] if wrapper == "StackedRNNCells" else cell)
    assert_names(refused.value, missing, missing)


@documents("StackedRNNCells.call(training)", f"{CELL_CLASSES}.dropout", f"{CELL_CLASSES}.call(training)")
@pytest.mark.parametrize("dropping", ["lower", "upper"])
@parametrize_with_cases("cell, device", cases=layer_of)
def test_each_stacked_cell_applies_its_own_dropout(cell, device, dropping):
    """In `RNN([cell(4), cell(3)])` where only the lower (or only the upper) cell has `dropout=0.5`, a call with
    `training=True` returns another output than a call for inference: each cell drops with its own rate."""
    skip_unless_visible(device)
    rates = {"lower": (0.5, 0.0), "upper": (0.0, 0.5)}[dropping]
    cells = [recurrent_layer(f"{cell}Cell", units, dropout=rate, seed=5) for units, rate in zip((4, 3), rates)]
    layer = keras().layers.RNN(cells)
    inputs = sequences("stacked dropout")
    with installation.on_device(device):
        inference, training = numpy(layer(inputs)), numpy(layer(inputs, training=True))
    assert not np.allclose(training, inference), (
        f"RNN([{cell}Cell(4), {cell}Cell(3)]) with dropout=0.5 in the {dropping} cell returns the same with "
        f"training=True as without\n  Keras: {installation.current().describe()}"
    )


@documents(f"{CELL_CLASSES}.get_initial_state()", "StackedRNNCells.get_initial_state()",
           "{LSTM,GRU,SimpleRNN,RNN}.get_initial_state()", "StackedRNNCells.state_size()")
@pytest.mark.parametrize("made_as", ["cell", "layer", "stacked cells"])
@pytest.mark.parametrize("cell", CELLS)
def test_the_initial_state_is_zeros_of_the_state_size(cell, made_as):
    """`get_initial_state(batch_size)` "creates a tensor meant to be fed to call() as the initial state" with "shape
    (batch_size, cell.state_size)": zeros, one (batch, units) tensor per state (LSTM: h and c); a layer gives its
    cell's; StackedRNNCells of a cell of 4 units and one of 3 gives each cell's, in order."""
    k = keras()
    if made_as == "stacked cells":
        cells = k.layers.StackedRNNCells([recurrent_layer(f"{cell}Cell", 4), recurrent_layer(f"{cell}Cell", 3)])
        found, sizes = cells.get_initial_state(BATCH), [[4] * len(STATE_NAMES[cell]), [3] * len(STATE_NAMES[cell])]
        found = [leaves(per_cell) for per_cell in found]
    else:
        made = recurrent_layer(cell if made_as == "layer" else f"{cell}Cell", UNITS)
        found, sizes = [leaves(made.get_initial_state(BATCH))], [[UNITS] * len(STATE_NAMES[cell])]
    shapes = [[tuple(numpy(t).shape) for t in per_cell] for per_cell in found]
    assert shapes == [[(BATCH, size) for size in per_cell] for per_cell in sizes], f"initial states of shapes {shapes}"
    for per_cell in found:
        for state in per_cell:
            assert_identical(numpy(state), np.zeros_like(numpy(state)), "an initial state and zeros", Described(made_as))


@documents("StackedRNNCells.output_size()")
def test_stacked_cells_output_the_last_cells_output():
    """`StackedRNNCells([LSTMCell(4), GRUCell(3)])` has the `output_size` of its last cell, 3."""
    cells = keras().layers.StackedRNNCells([recurrent_layer("LSTMCell", 4), recurrent_layer("GRUCell", 3)])
    assert cells.output_size == 3, f"output_size {cells.output_size}, expected 3"


@documents(f"{CELL_CLASSES}.call()", "{LSTMCell,GRUCell}.call(inputs)", "SimpleRNNCell.call(sequence)",
           f"{CELL_CLASSES}.call(states)", f"{CELL_CLASSES}.units")
@parametrize_with_cases("cell, device", cases=layer_of)
def test_a_cell_called_on_one_step_returns_the_references_step(cell, device):
    """A cell called on one step's inputs (batch, features) and the states returns the output and the new states
    of the reference's step from those states: for LSTMCell h and [h, c], for GRUCell and SimpleRNNCell h and [h]."""
    skip_unless_visible(device)
    layer = recurrent_layer(f"{cell}Cell", UNITS)
    layer.build((None, FEATURES))
    with_distinct_weights(layer, f"one step {cell}")
    step = sequences("one step", (BATCH, FEATURES))
    states = [seeded.inputs((BATCH, UNITS), seed=10 + i) for i, _ in enumerate(STATE_NAMES[cell])]
    with installation.on_device(device):
        returned = [numpy(t) for t in leaves(layer(step, states))]
    output, new_states = recurrent.cell_step(recurrent.CellSpec(cell, UNITS), layer_weights(layer), step, states)
    run = Described(f"{cell}Cell({UNITS}) on {device}, one step")
    for name, actual, wanted in zip(("output", *STATE_NAMES[cell]), returned, (output, *new_states)):
        assert_close(actual, wanted, VERSUS_REFERENCE["float32"], f"the step's {name} and the reference's", run)


# Masks passed on


def as_lists(masks) -> list:
    return [None if mask is None else numpy(mask).tolist() for mask in leaves(masks)]


@documents(f"{LAYERS}.compute_mask()", "RNN.compute_mask()", f"{CONV_LSTM}.compute_mask()")
@pytest.mark.parametrize("return_sequences, return_state", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("cell", [*CELLS, *CONV_LSTM_CLASSES])
def test_compute_mask_passes_the_mask_on_with_the_sequence(cell, return_sequences, return_state):
    """`compute_mask(inputs, mask)`, the mask the next layer receives, is the input mask for a returned sequence
    and None for a last output, and with `return_state` None for each state after it."""
    layer = new_layer(cell, return_sequences=return_sequences, return_state=return_state)
    mask = np.array([[1, 1, 1, 1, 0, 0]] * BATCH, dtype=bool)
    found = layer.compute_mask(sequences("mask", input_shape(cell)), mask)
    output_mask = mask if return_sequences else None
    wanted = [output_mask, *([None] * len(states_of(cell)))] if return_state else output_mask
    assert as_lists(found) == as_lists(wanted), (
        f"{cell}(return_sequences={return_sequences}, return_state={return_state}).compute_mask gives "
        f"{as_lists(found)}, expected {as_lists(wanted)}\n  Keras: {installation.current().describe()}"
    )


@documents("Bidirectional.compute_mask()")
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_compute_mask_passes_the_mask_on_with_the_sequence(return_sequences):
    """`Bidirectional.compute_mask(inputs, mask)` is the input mask when it returns sequences (merged), None when
    it returns last outputs."""
    layer = keras().layers.Bidirectional(recurrent_layer("GRU", UNITS, return_sequences=return_sequences))
    mask = np.array([[1, 1, 1, 1, 0, 0]] * BATCH, dtype=bool)
    found = layer.compute_mask(sequences("mask"), mask)
    found = None if found is None else numpy(found).tolist()
    wanted = mask.tolist() if return_sequences else None
    assert found == wanted, f"compute_mask gives {found}, expected {wanted}"


@documents(f"{LAYERS}.compute_mask()")
@parametrize_with_cases("cell, device", cases=layer_of)
def test_a_layer_stacked_on_a_sequence_is_masked_too(cell, device):
    """In `Masking` → cell(return_sequences=True) → cell, the mask reaches the upper layer: for a sample whose last
    two steps are padding, the stack returns what it returns for the sample without them."""
    skip_unless_visible(device)
    k = keras()
    inputs = k.Input((None, FEATURES))
    lower, upper = recurrent_layer(cell, UNITS, return_sequences=True), recurrent_layer(cell, 3)
    model = k.Model(inputs, upper(lower(k.layers.Masking(0.0)(inputs))))
    with_distinct_weights(model, f"masked stack {cell}")
    padded = sequences("masked stack", (1, STEPS, FEATURES))
    padded[:, -2:] = 0.0
    with installation.on_device(device):
        found, wanted = numpy(model(padded)), numpy(model(padded[:, :-2]))
    run = Described(f"Masking → {cell}(return_sequences=True) → {cell} on {device}")
    assert_close(found, wanted, BETWEEN_IMPLEMENTATIONS, "the padded sample's output and the unpadded one's", run)


# constants


@documents("RNN.cell")
def test_rnn_passes_constants_to_its_cell_at_every_step():
    """"The call method of the cell can also take the optional argument constants": `RNN(cell)(x, constants=[c])`
    calls the cell with the constants at every step; a cell whose state adds each step's inputs and c ends on
    Σx + T·c, computed here in NumPy."""
    k = keras()

    class AddsConstants(k.layers.Layer):
        state_size = FEATURES

        def call(self, inputs, states, constants):
            total = states[0] + inputs + constants[0]
            return total, [total]

    x, c = sequences("constants"), sequences("constants c", (BATCH, FEATURES))
    found = numpy(k.layers.RNN(AddsConstants())(x, constants=[c]))
    wanted = x.astype(np.float64).sum(axis=1) + STEPS * c
    assert_close(found, wanted, VERSUS_REFERENCE["float32"], "the last output and Σx + T·c", Described("RNN(constants)"))

