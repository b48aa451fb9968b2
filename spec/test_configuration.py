"""Chapter 9. Configuration: dropout, unroll, defaults and weights, saving, dtype policies, and bad input.

From the LSTM, GRU and SimpleRNN pages of https://keras.io/api/layers/recurrent_layers/: "dropout: Float between 0
and 1. Fraction of the units to drop for the linear transformation of the inputs"; "recurrent_dropout: [...] for
the linear transformation of the recurrent state"; the `training` call argument, "Only relevant if `dropout` or
`recurrent_dropout` is used"; "unroll: [...] Unrolling can speed-up an RNN, although it tends to be more
memory-intensive"; the documented default of every argument; the weights as kernel, recurrent_kernel and bias.
Saving: https://keras.io/api/models/model_saving_apis/. Mixed precision:
https://keras.io/api/mixed_precision/policy/.

What a user passes wrongly should be refused with an error that says what is wrong. Where Keras does not do so,
the statement says what it should do, and the table of known divergences (`rnnspec.divergences`) makes it a strict
xfail stating what Keras does instead.
"""

from dataclasses import replace

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.oracle import recurrent
from rnnspec.oracle.recurrent import GATE_COUNT, STATE_NAMES
from rnnspec.probes.observe import call, layer_weights, twin
from rnnspec.statements.assertions import Described, assert_close, assert_identical
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import cell_spec, expected
from rnnspec.statements.shared import assert_names, skip_unless_visible
from rnnspec.statements.tolerances import BETWEEN_IMPLEMENTATIONS, VERSUS_REFERENCE
from rnnspec.subjects import seeded
from rnnspec.subjects.layers import CELLS, LayerSubject, layer_configuration, recurrent_layer
from rnnspec.subjects.shapes import SHAPES
from spec.cases import layer_of, variant_dtype
from spec.cases_wrappers import (
    activation_argument_of,
    default_of,
    dropout_both,
    dropout_input_only,
    dropout_recurrent_only,
    saved_as,
    state_count_wrong,
    stateful_under,
    unrolled_layer,
    weights_of,
)


def assert_equals_the_reference(returned, weights, inputs):
    reference_returns = expected(returned.subject, weights, inputs)
    for name, actual, wanted in zip(returned.subject.returned_names, returned.arrays, reference_returns):
        assert_close(actual, wanted, VERSUS_REFERENCE["float32"], f"{name} and the reference's (no dropout)", returned)


def assert_differs_from_the_reference(returned, weights, inputs):
    """Dropout at rate 0.5 moves values by tenths, far beyond the float32 tolerance."""
    actual, wanted = returned.output, expected(returned.subject, weights, inputs)[0]
    tolerance = VERSUS_REFERENCE["float32"]
    assert not np.allclose(actual, wanted, rtol=tolerance.rtol, atol=tolerance.atol), (
        f"the output equals the reference's without dropout within {tolerance}: dropout dropped nothing"
        f"\n  configuration: {returned.describe()}"
    )


# Dropout


@documents("{LSTM,GRU,SimpleRNN}.call(training)")
@parametrize_with_cases("subject", cases=dropout_both)
def test_dropout_changes_nothing_at_inference(subject, build):
    """A layer with `dropout=0.5` and `recurrent_dropout=0.5`, called for inference (by default, or with
    `training=False`), returns the reference's values, which have no dropout."""
    built = build(subject)
    for note, arguments in (("called without training", {}), ("training=False", {"training": False})):
        returned = call(subject, built.layer, built.inputs, note=note, **arguments)
        assert_equals_the_reference(returned, layer_weights(built.layer), built.inputs)


@documents("{LSTM,GRU,SimpleRNN,RNN}.call(training)", "{LSTM,GRU,SimpleRNN}.dropout", "{LSTMCell,GRUCell,SimpleRNNCell}.dropout")
@parametrize_with_cases("subject", cases=dropout_input_only)
def test_dropout_changes_the_output_in_training(subject, build):
    """With `dropout=0.5` (and no recurrent dropout), a call with `training=True` returns other values than the
    reference's, which have no dropout."""
    built = build(subject)
    returned = call(subject, built.layer, built.inputs, note="training=True", training=True)
    assert_differs_from_the_reference(returned, layer_weights(built.layer), built.inputs)


@documents("{LSTM,GRU,SimpleRNN}.recurrent_dropout", "{LSTMCell,GRUCell,SimpleRNNCell}.recurrent_dropout")
@parametrize_with_cases("subject", cases=dropout_recurrent_only)
def test_recurrent_dropout_alone_changes_the_output_in_training(subject, build):
    """`recurrent_dropout` applies at its own rate: with `dropout=0` and `recurrent_dropout=0.5`, a call with
    `training=True` returns other values than the reference's, which have no dropout."""
    built = build(subject)
    returned = call(subject, built.layer, built.inputs, note="training=True", training=True)
    assert_differs_from_the_reference(returned, layer_weights(built.layer), built.inputs)


@parametrize_with_cases("subject", cases=dropout_recurrent_only)
def test_recurrent_dropout_drops_nothing_of_the_inputs(subject, build):
    """`recurrent_dropout` drops units of the previous state only: on a one-step sequence, which starts from zero
    states, a call with `training=True` returns the reference's values."""
    built = build(subject)
    first_step = built.inputs[:, :1]
    returned = call(subject, built.layer, first_step, note="one step, training=True", training=True)
    assert_equals_the_reference(returned, layer_weights(built.layer), first_step)


# unroll


@documents("{LSTM,GRU,SimpleRNN}.unroll")
@parametrize_with_cases("subject", cases=unrolled_layer)
def test_unroll_returns_what_the_loop_returns(subject, build):
    """`unroll=True` returns the output and states that the symbolic loop (`unroll=False`) returns with the same
    weights."""
    built = build(subject)
    by_loop = call(replace(subject, options=()), twin(built, unroll=False), built.inputs)
    unrolled = call(subject, built.layer, built.inputs)
    for name, actual, wanted in zip(subject.returned_names, unrolled.arrays, by_loop.arrays):
        assert_close(actual, wanted, BETWEEN_IMPLEMENTATIONS, f"the unrolled and the looped {name}", unrolled)


# Defaults and weights


@parametrize_with_cases("cell, argument, value", cases=default_of)
def test_an_argument_left_out_takes_its_documented_default(cell, argument, value):
    """A layer created without an argument is configured as one given the documented default, e.g. LSTM's
    `recurrent_activation="sigmoid"` and `unit_forget_bias=True`, GRU's `reset_after=True`."""
    units = 4
    left_out = layer_configuration(recurrent_layer(cell, units))
    given = layer_configuration(recurrent_layer(cell, units, **{argument: value}))
    assert left_out[argument] == given[argument], (
        f"{cell}({units}) has {argument}={left_out[argument]!r}; the documented default {value!r} gives "
        f"{given[argument]!r}\n  Keras: {installation.current().describe()}"
    )


@documents("{LSTM,GRU,SimpleRNN,RNN}.build()", "{LSTM,GRU,SimpleRNN}.use_bias", "GRU.reset_after")
@parametrize_with_cases("cell, arguments", cases=weights_of)
def test_weights_are_kernel_recurrent_kernel_and_bias_in_that_order(cell, arguments):
    """A built layer's `weights` and `get_weights()` are, in order: kernel (features, gates × units),
    recurrent_kernel (units, gates × units), and with `use_bias` the bias, (gates × units,), or (2, 3 units) for GRU
    with `reset_after=True` (input row, recurrent row); gates: 4 for LSTM (i, f, c, o), 3 for GRU (z, r, h), 1 for
    SimpleRNN."""
    features, units = 5, 4
    width = GATE_COUNT[cell] * units
    wanted = [("kernel", (features, width)), ("recurrent_kernel", (units, width))]
    if arguments.get("use_bias", True):
        two_rows = cell == "GRU" and arguments.get("reset_after", True)
        wanted.append(("bias", (2, width) if two_rows else (width,)))
    layer = recurrent_layer(cell, units, **arguments)
    layer.build((None, 6, features))
    found = [(w.name.split("/")[-1].split(":")[0], tuple(w.shape)) for w in layer.weights]
    values = [tuple(v.shape) for v in layer.get_weights()]
    where = f"\n  {cell}({units}, {arguments}) on inputs of {features} features, {installation.current().describe()}"
    assert found == wanted, f"weights {found}, expected {wanted}{where}"
    assert values == [shape for _, shape in wanted], f"get_weights() shapes {values}, expected those of {wanted}{where}"


SAVED_LAYERS = (*CELLS, "Bidirectional(LSTM)")


def recurrent_model():
    """A functional model with each recurrent layer side by side, all returning sequences: those of SAVED_LAYERS."""
    keras = installation.keras()
    s = SHAPES["batch"]
    inputs = keras.Input(shape=(s.timesteps, s.features))
    layers = [recurrent_layer(cell, s.units, return_sequences=True) for cell in CELLS]
    layers.append(keras.layers.Bidirectional(recurrent_layer("LSTM", s.units, return_sequences=True)))
    return keras.Model(inputs, [layer(inputs) for layer in layers])


def reloaded(model, saving_format: str, directory):
    """The model saved and loaded back: from a .keras file, or as a new model loading a .weights.h5 file."""
    keras = installation.keras()
    if saving_format == "keras":
        model.save(directory / "model.keras")
        return keras.saving.load_model(directory / "model.keras")
    model.save_weights(directory / "model.weights.h5")
    fresh = recurrent_model()  # initialised at random: only the file can give it the saved weights
    fresh.load_weights(directory / "model.weights.h5")
    return fresh


@parametrize_with_cases("saving_format", cases=saved_as)
def test_a_saved_model_reloads_to_identical_outputs(saving_format, tmp_path):
    """A model of recurrent layers (LSTM, GRU, SimpleRNN, Bidirectional) saved with `model.save` to a .keras file
    and loaded with `keras.saving.load_model`, or saved with `save_weights` to a .weights.h5 file and loaded into a
    new model of the same layers, returns exactly what it returned before."""
    model = recurrent_model()
    seed = seeded.seed_for("saved model")
    seeded.give_distinct_weights(model, seed)
    inputs = seeded.inputs(SHAPES["batch"].input_shape, seed)
    before = [installation.to_numpy(t) for t in model(inputs)]
    after = [installation.to_numpy(t) for t in reloaded(model, saving_format, tmp_path)(inputs)]
    run = Described(f"a model of {', '.join(SAVED_LAYERS)} saved as .{saving_format}")
    for name, again, first in zip(SAVED_LAYERS, after, before):
        assert_identical(again, first, f"the {name} output after reloading and before saving", run)


# dtype policies

COMPUTE_DTYPES = {"float64": "float64", "mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
VARIABLE_DTYPES = {"float64": "float64", "mixed_float16": "float32", "mixed_bfloat16": "float32"}


@parametrize_with_cases("subject", cases=variant_dtype)
def test_under_a_dtype_policy_output_and_states_have_its_compute_dtype(subject, observe):
    """Under a layer's dtype policy the output and every state have the policy's compute dtype: float16 under
    "mixed_float16", bfloat16 under "mixed_bfloat16", float64 under "float64"."""
    run = observe(subject)
    policy = dict(subject.options)["dtype"]
    wrong = {n: d for n, d in zip(subject.returned_names, run.dtypes) if d != COMPUTE_DTYPES[policy]}
    assert not wrong, f"not {COMPUTE_DTYPES[policy]}: {wrong}\n  configuration: {run.describe()}"


@parametrize_with_cases("subject", cases=variant_dtype)
def test_weights_are_kept_in_the_policys_variable_dtype(subject, observe):
    """Under a mixed policy the weights are kept in float32 (the policy's variable dtype), while the layer
    computes in float16 or bfloat16; under "float64" they are float64."""
    run = observe(subject)
    policy = dict(subject.options)["dtype"]
    wrong = {n: str(w.dtype) for n, w in zip(run.weight_names, run.weights) if w.dtype != VARIABLE_DTYPES[policy]}
    assert not wrong, f"weights not {VARIABLE_DTYPES[policy]}: {wrong}\n  configuration: {run.describe()}"


@parametrize_with_cases("cell, policy, device", cases=stateful_under)
def test_a_stateful_layer_carries_its_states_under_a_mixed_policy(cell, policy, device, build):
    """A stateful layer under a mixed policy, called on the first half of a sequence and then on the second,
    returns for the second call the reference's output and states for the whole sequence, within the tolerance of
    its compute dtype."""
    subject = LayerSubject(cell, False, True, device, SHAPES["batch"], options=(("dtype", policy), ("stateful", True)))
    built = build(subject)
    layer, inputs = built.layer, built.inputs
    for variable in layer.states:  # from zero states, whatever ran before
        variable.assign(np.zeros(variable.shape, dtype=installation.dtype_name(variable)))
    half = subject.shape.timesteps // 2
    call(subject, layer, inputs[:, :half], note="first half")
    second = call(subject, layer, inputs[:, half:], note=f"{policy}, second half after the first")
    _, states = recurrent.run_sequence(cell_spec(subject), layer_weights(layer), inputs)
    tolerance = VERSUS_REFERENCE[COMPUTE_DTYPES[policy]]
    for name, actual, wanted in zip(subject.returned_names, second.arrays, (states[0], *states)):
        wanted = wanted.astype(actual.dtype).astype(np.float64)
        what = f"{name} and the whole sequence's reference {name}"
        assert_close(actual.astype(np.float64), wanted, tolerance, what, second)


# Bad input


@parametrize_with_cases("cell, device", cases=layer_of)
def test_a_built_layer_refuses_inputs_of_another_feature_size(cell, device):
    """A layer built for inputs of 5 features refuses inputs of 7 with a ValueError that names both sizes."""
    skip_unless_visible(device)
    layer = recurrent_layer(cell, 4)
    layer.build((None, 6, 5))
    with installation.on_device(device), pytest.raises(ValueError) as refused:
        layer(seeded.inputs((3, 6, 7), seed=0))
    assert_names(refused.value, r"5(.|\n)*7|7(.|\n)*5", "the sizes 5 and 7")


@pytest.mark.parametrize("mask_shape", [(3, 5), (2, 6)], ids=["mask=fewer_steps", "mask=another_batch"])
@parametrize_with_cases("cell, device", cases=layer_of)
def test_a_mask_of_another_shape_is_refused(cell, device, mask_shape):
    """A mask that is not (batch, timesteps) of the input (3, 6, features) is refused with a ValueError that names
    the mask."""
    skip_unless_visible(device)
    layer = recurrent_layer(cell, 4)
    with installation.on_device(device), pytest.raises(ValueError) as refused:
        layer(seeded.inputs((3, 6, 5), seed=0), mask=np.ones(mask_shape, dtype=bool))
    assert_names(refused.value, r"(?i)mask", "the mask")


@pytest.mark.parametrize("wrong", ["units", "batch"])
@parametrize_with_cases("cell, device", cases=layer_of)
def test_an_initial_state_of_another_shape_is_refused(cell, device, wrong):
    """An initial state that is not (batch, units), here (3, 4), is refused with a ValueError that names the
    initial state."""
    skip_unless_visible(device)
    layer = recurrent_layer(cell, 4)
    shape = (3, 5) if wrong == "units" else (2, 4)
    states = [installation.as_tensor(np.zeros(shape, dtype="float32")) for _ in STATE_NAMES[cell]]
    with installation.on_device(device), pytest.raises(ValueError) as refused:
        layer(seeded.inputs((3, 6, 5), seed=0), initial_state=states)
    assert_names(refused.value, r"(?i)initial.?state", "the initial state")


@parametrize_with_cases("cell, count, device", cases=state_count_wrong)
def test_an_initial_state_of_another_number_of_tensors_is_refused(cell, count, device):
    """An initial_state list with more or fewer tensors than the layer has states (LSTM: 2, GRU and SimpleRNN: 1)
    is refused with a ValueError that names the initial state."""
    skip_unless_visible(device)
    layer = recurrent_layer(cell, 4)
    states = [installation.as_tensor(np.zeros((3, 4), dtype="float32")) for _ in range(count)]
    with installation.on_device(device), pytest.raises(ValueError) as refused:
        layer(seeded.inputs((3, 6, 5), seed=0), initial_state=states)
    assert_names(refused.value, r"(?i)initial.?state", "the initial state")


@parametrize_with_cases("cell, device", cases=layer_of)
def test_a_stateful_layer_needs_a_fixed_batch_size(cell, device):
    """A stateful layer in a model whose Input leaves the batch size open is refused with a ValueError saying that
    a stateful layer needs a fixed ("static") batch size."""
    skip_unless_visible(device)
    keras = installation.keras()
    with installation.on_device(device), pytest.raises(ValueError) as refused:
        inputs = keras.Input(shape=(6, 5))
        keras.Model(inputs, recurrent_layer(cell, 4, stateful=True)(inputs))
    assert_names(refused.value, r"(?i)stateful(.|\n)*batch size", "stateful and the batch size")


@documents("{LSTM,GRU,SimpleRNN}.units")
@pytest.mark.parametrize("units", [0, -1])
@parametrize_with_cases("cell, device", cases=layer_of)
def test_units_must_be_positive(cell, device, units):
    """`units` of zero or less is refused when the layer is created, with a ValueError that names `units` and the
    value given."""
    skip_unless_visible(device)
    with pytest.raises(ValueError) as refused:
        recurrent_layer(cell, units)
    assert_names(refused.value, rf"units(.|\n)*{units}", f"units and {units}")


@parametrize_with_cases("cell, argument", cases=activation_argument_of)
def test_an_unknown_activation_is_refused(cell, argument):
    """An activation that Keras does not know, for `activation` or `recurrent_activation`, is refused when the
    layer is created, with a ValueError that names it."""
    with pytest.raises(ValueError) as refused:
        recurrent_layer(cell, 4, **{argument: "no_such_activation"})
    assert_names(refused.value, "no_such_activation", "the activation given")


@documents("Bidirectional.merge_mode")
def test_an_unknown_merge_mode_is_refused():
    """`Bidirectional` refuses a `merge_mode` other than "concat", "sum", "mul", "ave" and None with a ValueError
    that names the mode given."""
    with pytest.raises(ValueError) as refused:
        installation.keras().layers.Bidirectional(recurrent_layer("LSTM", 4), merge_mode="max")
    assert_names(refused.value, r"(?i)merge(.|\n)*max", "merge_mode and the mode given")


@documents("Bidirectional.backward_layer")
@parametrize_with_cases("cell, device", cases=layer_of)
def test_a_backward_layer_reading_forwards_is_refused(cell, device):
    """A `backward_layer=` that does not read backwards (`go_backwards=False`) is refused with a ValueError that
    names `go_backwards`, as the Bidirectional page says."""
    skip_unless_visible(device)
    with pytest.raises(ValueError) as refused:
        installation.keras().layers.Bidirectional(
            recurrent_layer(cell, 4), backward_layer=recurrent_layer(cell, 4)
        )
    assert_names(refused.value, "go_backwards", "go_backwards")


@pytest.mark.parametrize("given, kept", [(1.5, 1.0), (-0.5, 0.0)])
@parametrize_with_cases("cell, device", cases=layer_of)
def test_a_dropout_rate_outside_0_and_1_is_clamped_without_an_error(cell, device, given, kept):
    """Documented as "Float between 0 and 1", a `dropout` or `recurrent_dropout` outside [0, 1] raises no error: the
    layer clamps it into [0, 1]."""
    skip_unless_visible(device)
    layer = recurrent_layer(cell, 4, dropout=given, recurrent_dropout=given)
    assert (layer.dropout, layer.recurrent_dropout) == (kept, kept), (
        f"{cell}(4, dropout={given}, recurrent_dropout={given}) kept ({layer.dropout}, {layer.recurrent_dropout}), "
        f"expected ({kept}, {kept})\n  Keras: {installation.current().describe()}"
    )
