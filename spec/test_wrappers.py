"""Chapter 8. Bidirectional, TimeDistributed and RNN over cells: recurrent layers made of other layers.

`Bidirectional` (https://keras.io/api/layers/recurrent_layers/bidirectional/) runs a copy of the wrapped layer
forwards and another backwards (or the `backward_layer=` given), flips the backward output sequence back into input
order, and merges the two outputs by `merge_mode` ("concat", "sum", "mul", "ave", or None for both apart). With
`return_state` the forward layer's states follow the output(s), then the backward layer's. "When
`return_sequences` is `True`, the output of the masked timestep will be zero regardless of the layer's original
`zero_output_for_mask` value."

`TimeDistributed` (https://keras.io/api/layers/recurrent_layers/time_distributed/) applies one layer, the same
instance and so the same weights, "to every temporal slice of an input" of at least 3 dimensions, (batch, time, ...):
around a recurrent layer, each slice (batch, inner steps, features) is a sequence the layer reads alone. `training`
and a `mask` of shape "(samples, timesteps)" are "passed to the wrapped layer".

`RNN` (https://keras.io/api/layers/recurrent_layers/rnn/) runs a cell over time: one of Keras's cells, a list of
cells stacked into one, or "a class that has a `call(input_at_t, states_at_t)` method [...] and a `state_size`
attribute". Values are held against the NumPy reference, `rnnspec.oracle.recurrent`.
"""

import re

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.oracle.recurrent import GATE_COUNT, STATE_NAMES
from rnnspec.probes.observe import call, layer_weights, weight_name
from rnnspec.statements.assertions import Described, assert_close, assert_identical, assert_shape
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import (
    expected,
    expected_bidirectional,
    expected_custom_cell,
    expected_stack,
    expected_time_distributed,
)
from rnnspec.statements.shared import assert_names, returned_container, skip_unless_visible
from rnnspec.statements.tolerances import BETWEEN_IMPLEMENTATIONS, VERSUS_REFERENCE
from rnnspec.subjects import seeded
from rnnspec.subjects.calls import Call
from rnnspec.subjects.cells import STACK_UNITS, CustomCellSubject
from rnnspec.subjects.layers import (
    LayerSubject,
    TimeDistributedSubject,
    layer_class,
    layer_configuration,
    recurrent_layer,
)
from rnnspec.subjects.masks import BATCH_MASK, SLICE_MASK, STEP_MASK
from rnnspec.subjects.shapes import Shape
from spec.cases_wrappers import (
    BIDIRECTIONAL,
    device_any,
    functional_model,
    halves_of_sequences,
    layer_plain,
    stack_masked,
    stack_unmasked,
    time_distributed_dropout,
    time_distributed_mask_of_slices,
    time_distributed_mask_of_steps,
    time_distributed_plain,
    variant_backward_layer,
    variant_masked,
    variant_wrapped_arguments,
)
from spec.vocabulary import Tag

VARIANTS = (variant_wrapped_arguments, variant_backward_layer, variant_masked)


def output_count(subject) -> int:
    return 2 if subject.merge_mode is None else 1


def states_of(run) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """(forward states, backward states) of what the wrapper returned with return_state."""
    states = run.arrays[output_count(run.subject) :]
    half = len(states) // 2
    return states[:half], states[half:]


def as_returned(run, index, expected):
    """The returned tensor and the expected value rounded to its dtype, both in float64, with their tolerance."""
    actual = run.arrays[index]
    rounded = expected.astype(actual.dtype).astype(np.float64)
    return actual.astype(np.float64), rounded, VERSUS_REFERENCE[run.dtypes[index]]


# Bidirectional


@parametrize_with_cases("subject", cases=BIDIRECTIONAL, has_tag=Tag.NO_STATES)
def test_bidirectional_without_return_state_returns_the_merged_output_alone(subject, observe):
    """Without `return_state` the wrapper returns one tensor, the merged output; with `merge_mode=None`, the two
    directions' outputs, as a tuple in Keras 3 and a list in Keras 2."""
    run = observe(subject)
    if subject.merge_mode is None:
        expected = returned_container()
        assert run.container is expected and len(run.arrays) == 2, (
            f"returned a {run.container.__name__} of {len(run.arrays)}; expected a {expected.__name__} of the forward "
            f"and the backward output\n  configuration: {run.describe()}"
        )
    else:
        assert run.container not in (tuple, list), (
            f"returned a {run.container.__name__} of {len(run.arrays)} where one tensor was expected"
            f"\n  configuration: {run.describe()}"
        )


@parametrize_with_cases("subject", cases=BIDIRECTIONAL, has_tag=Tag.STATES)
def test_bidirectional_with_return_state_returns_the_outputs_then_both_directions_states(subject, observe):
    """With `return_state` the wrapper returns the output (two with `merge_mode=None`), then the forward layer's
    final states, then the backward layer's: for LSTM (output, forward h, forward c, backward h, backward c)."""
    run = observe(subject)
    expected = returned_container()
    count = output_count(subject) + 2 * len(subject.state_names)
    assert run.container is expected and len(run.arrays) == count, (
        f"returned a {run.container.__name__} of {len(run.arrays)} tensors; expected a {expected.__name__} of {count}"
        f"\n  configuration: {run.describe()}"
    )


@parametrize_with_cases("subject", cases=BIDIRECTIONAL)
def test_bidirectional_shapes_follow_merge_mode_and_return_sequences(subject, observe):
    """The output is (batch, [timesteps,] 2 units) with `merge_mode="concat"` and (batch, [timesteps,] units) with
    the other modes, each direction's output too with `merge_mode=None`; every state is (batch, units)."""
    run = observe(subject)
    s = subject.shape
    width = 2 * s.units if subject.merge_mode == "concat" else s.units
    output = (s.batch, s.timesteps, width) if subject.return_sequences else (s.batch, width)
    for index in range(output_count(subject)):
        assert_shape(run.arrays[index], output, f"output {index}", run)
    for index in range(output_count(subject), len(run.arrays)):
        assert_shape(run.arrays[index], (s.batch, s.units), f"state {index - output_count(subject)}", run)


@documents("Bidirectional.layer", "Bidirectional.merge_mode", "Bidirectional.call(sequences)", "Bidirectional.call()")
@parametrize_with_cases("subject", cases=(*BIDIRECTIONAL, *VARIANTS))
def test_bidirectional_output_equals_the_reference(subject, observe):
    """The output equals the reference's forward run merged with its backward run flipped back into input order,
    on the same weights and inputs (with a mask: masked steps of a sequence are zeros)."""
    run = observe(subject)
    expected = expected_bidirectional(run)
    for index in range(output_count(subject)):
        actual, wanted, tolerance = as_returned(run, index, expected[index])
        assert_close(actual, wanted, tolerance, f"output {index} and the reference's", run)


@parametrize_with_cases("subject", cases=(*BIDIRECTIONAL, *VARIANTS), has_tag=Tag.STATES)
def test_bidirectional_states_are_the_forward_then_the_backward_final_states(subject, observe):
    """The returned states equal the reference's final states of the forward run, then of the backward run, each
    in the cell's order (LSTM: h, c)."""
    run = observe(subject)
    expected = expected_bidirectional(run)
    names = [f"{direction} {name}" for direction in ("forward", "backward") for name in subject.state_names]
    for index, name in enumerate(names, start=output_count(subject)):
        actual, wanted, tolerance = as_returned(run, index, expected[index])
        assert_close(actual, wanted, tolerance, f"the {name} and the reference's", run)


@parametrize_with_cases("subject", cases=halves_of_sequences)
def test_bidirectional_sequence_holds_the_forward_h_last_and_the_backward_h_first(subject, observe):
    """With `return_sequences` the backward half is flipped back into input order, so the forward final h is the
    last step of the forward half, `y[:, -1, :units]`, and the backward final h the first step of the backward half,
    `y[:, 0, units:]` (with `merge_mode=None`: the last step of the forward output, the first of the backward)."""
    run = observe(subject)
    units = subject.shape.units
    if subject.merge_mode is None:
        forward_half, backward_half = run.arrays[0], run.arrays[1]
    else:
        forward_half, backward_half = run.output[..., :units], run.output[..., units:]
    (forward_h, *_), (backward_h, *_) = states_of(run)
    assert_identical(forward_half[:, -1], forward_h, "the forward half's last step and the forward final h", run)
    assert_identical(backward_half[:, 0], backward_h, "the backward half's first step and the backward final h", run)


MERGES = {
    "concat": lambda forward, backward: np.concatenate([forward, backward], axis=-1),
    "sum": lambda forward, backward: forward + backward,
    "mul": lambda forward, backward: forward * backward,
    "ave": lambda forward, backward: (forward + backward) / np.asarray(2, forward.dtype),
}


@parametrize_with_cases("subject", cases=BIDIRECTIONAL, has_tag=[Tag.LAST_OUTPUT, Tag.STATES])
def test_bidirectional_last_output_merges_the_two_final_h(subject, observe):
    """Without `return_sequences` the output is the merge of the forward and the backward final h: exactly
    [h_f, h_b] with "concat", h_f + h_b, h_f * h_b, (h_f + h_b) / 2, or the pair (h_f, h_b) with None."""
    run = observe(subject)
    (forward_h, *_), (backward_h, *_) = states_of(run)
    if subject.merge_mode is None:
        assert_identical(run.arrays[0], forward_h, "the forward output and the forward final h", run)
        assert_identical(run.arrays[1], backward_h, "the backward output and the backward final h", run)
    else:
        merged = MERGES[subject.merge_mode](forward_h, backward_h)
        assert_identical(run.output, merged, f"the output and the {subject.merge_mode} of the two final h", run)


# What the wrapper sets on its copies itself: their names, go_backwards, and (documented) zero_output_for_mask.
SET_BY_THE_WRAPPER = ("name", "go_backwards", "zero_output_for_mask")


@parametrize_with_cases("subject", cases=variant_wrapped_arguments)
def test_bidirectional_both_directions_take_the_wrapped_layers_arguments(subject):
    """Both directions are configured as the wrapped layer is (activations, use_bias, reset_after, use_cudnn, ...):
    they differ from it only in name, in `go_backwards` (True for the backward copy alone) and in
    `zero_output_for_mask`, which the wrapper sets to `return_sequences`."""
    skip_unless_visible(subject.device)
    wrapped = recurrent_layer(subject.cell, subject.shape.units, **subject.layer_arguments)
    wrapper = installation.keras().layers.Bidirectional(wrapped)
    wanted = {k: v for k, v in layer_configuration(wrapped).items() if k not in SET_BY_THE_WRAPPER}
    for direction, backwards in ((wrapper.forward_layer, False), (wrapper.backward_layer, True)):
        found = {k: v for k, v in layer_configuration(direction).items() if k not in SET_BY_THE_WRAPPER}
        differing = {k: (wanted.get(k), found.get(k)) for k in wanted | found if wanted.get(k) != found.get(k)}
        assert not differing, (
            f"the {direction.name} layer differs from the wrapped {subject.cell} in (wrapped, copy): {differing}"
            f"\n  configuration: {subject.describe()}"
        )
        assert direction.go_backwards is backwards, (
            f"the {direction.name} layer has go_backwards={direction.go_backwards}"
            f"\n  configuration: {subject.describe()}"
        )


@documents("Bidirectional.backward_layer")
@parametrize_with_cases("subject", cases=variant_backward_layer)
def test_bidirectional_backward_layer_computes_the_backward_direction(subject, observe):
    """Given `backward_layer=` (here the documentation's example, the same layer with activation="relu"), the
    backward direction is that layer: the output and states equal the reference run with its arguments backwards."""
    run = observe(subject)
    for index, wanted in enumerate(expected_bidirectional(run)):
        actual, wanted, tolerance = as_returned(run, index, wanted)
        assert_close(actual, wanted, tolerance, f"returned tensor {index} and the reference's", run)


@documents("Bidirectional.call(mask)")
@parametrize_with_cases("subject", cases=variant_masked)
def test_bidirectional_masked_steps_of_the_sequence_are_zeros(subject, observe):
    """Under a mask, with `return_sequences`, every masked step of the output is zero, each direction writing zeros
    there, although the wrapped layer keeps `zero_output_for_mask=False` (it would repeat the last valid output)."""
    run = observe(subject)
    masked = ~BATCH_MASK
    for index in range(output_count(subject)):
        padded = run.arrays[index][masked]
        assert_identical(padded, np.zeros_like(padded), f"output {index} at the masked steps and zeros", run)


@documents("Bidirectional.compute_output_shape()")
@parametrize_with_cases("subject", cases=BIDIRECTIONAL)
def test_bidirectional_compute_output_shape_agrees_with_the_tensors(subject, observe):
    """`compute_output_shape(input_shape)` gives the shapes of the tensors the wrapper returns, in order."""
    run = observe(subject)
    returned = tuple(a.shape for a in run.arrays)
    assert run.computed_shapes == returned, (
        f"compute_output_shape says {run.computed_shapes}, the wrapper returned {returned}"
        f"\n  configuration: {run.describe()}"
    )


@parametrize_with_cases("subject", cases=functional_model)
def test_bidirectional_in_a_functional_model_has_the_shapes_it_returns(subject, observe):
    """In a functional model, the wrapper's symbolic outputs have the returned tensors' shapes, with None for the
    batch and for a time dimension the Input leaves open."""
    run = observe(subject)
    expected = tuple((None, None, *a.shape[2:]) if a.ndim == 3 else (None, *a.shape[1:]) for a in run.arrays)
    assert run.symbolic_shapes == expected, (
        f"symbolic output shapes {run.symbolic_shapes}, expected {expected}\n  configuration: {run.describe()}"
    )


# TimeDistributed


def wrapped_reference(run, step_mask=None) -> tuple[np.ndarray, np.ndarray, object]:
    """The wrapper's output and the reference's, slice by slice, both in float64, with their tolerance."""
    (weights,) = run.parts
    return as_returned(run, 0, expected_time_distributed(run.subject, weights, run.inputs, step_mask=step_mask))


@documents("TimeDistributed.layer", "TimeDistributed.call(inputs)", "TimeDistributed.call()")
@parametrize_with_cases("subject", cases=time_distributed_plain)
def test_time_distributed_output_equals_the_reference_on_each_slice_alone(subject, observe):
    """The output at time t is the reference's output of the wrapped layer on the slice `inputs[:, t]` alone (its
    last output, or its sequence with `return_sequences`), computed with the wrapped layer's one set of weights for
    every slice."""
    run = observe(subject)
    actual, wanted, tolerance = wrapped_reference(run)
    assert_close(actual, wanted, tolerance, "the output and the reference's slice by slice", run)


@parametrize_with_cases("subject", cases=time_distributed_plain)
def test_time_distributed_returns_one_output_of_the_wrapped_layer_per_slice(subject, observe):
    """The output is (batch, timesteps, units), or (batch, timesteps, inner timesteps, units) with
    `return_sequences`: the wrapped layer's output for each of the input's time slices, in a new axis 1."""
    run = observe(subject)
    s = subject.shape
    inner = (s.inner_timesteps,) if subject.return_sequences else ()
    assert_shape(run.output, (s.batch, s.timesteps, *inner, s.units), "the output", run)


@documents("TimeDistributed.compute_output_shape()")
@parametrize_with_cases("subject", cases=time_distributed_plain)
def test_time_distributed_compute_output_shape_agrees_with_the_tensor(subject, observe):
    """`compute_output_shape(input_shape)` gives the shape of the tensor the wrapper returns, and a functional
    model's symbolic output has it too, with None for the batch."""
    run = observe(subject)
    returned = run.output.shape
    assert run.computed_shapes == (returned,), (
        f"compute_output_shape says {run.computed_shapes}, the wrapper returned {returned}"
        f"\n  configuration: {run.describe()}"
    )
    assert run.symbolic_shapes == ((None, *returned[1:]),), (
        f"symbolic output shape {run.symbolic_shapes}, the wrapper returned {returned}"
        f"\n  configuration: {run.describe()}"
    )


@documents("TimeDistributed.build()")
@parametrize_with_cases("subject", cases=time_distributed_plain)
def test_time_distributed_holds_the_wrapped_layers_weights_alone(subject, observe):
    """"The same set of weights are used at each timestamp": built on (batch, timesteps, inner timesteps,
    features), the wrapper holds the wrapped layer's weights and no others, built for one slice: kernel
    (features, gates × units), recurrent_kernel (units, gates × units), bias."""
    run = observe(subject)
    (wrapped,) = run.parts
    found = [(weight_name(name), value.shape) for name, value in zip(run.weight_names, run.weights)]
    width = GATE_COUNT[subject.cell] * subject.shape.units
    bias = (2, width) if subject.cell == "GRU" else (width,)  # GRU's reset_after=True: an input and a recurrent row
    wanted = [
        ("kernel", (subject.shape.features, width)), ("recurrent_kernel", (subject.shape.units, width)), ("bias", bias),
    ]
    assert found == wanted, f"the wrapper's weights are {found}, expected {wanted}\n  configuration: {run.describe()}"
    for (name, _), value in zip(found, run.weights):
        assert_identical(value, wrapped[name], f"the wrapper's {name} and the wrapped layer's", run)


@documents("TimeDistributed.call(training)")
@parametrize_with_cases("subject", cases=time_distributed_dropout)
def test_time_distributed_passes_training_to_the_wrapped_layer(subject, build):
    """`training` reaches the wrapped layer: with dropout, the output in inference (`training=False`) equals the
    reference without dropout, and in training (`training=True`) every slice's output differs from it."""
    built = build(subject)
    inference = call(subject, built.layer, built.inputs, "training=False", training=False)
    training = call(subject, built.layer, built.inputs, "training=True", training=True)
    wanted = expected_time_distributed(subject, layer_weights(built.layer.layer), built.inputs)
    tolerance = VERSUS_REFERENCE[inference.dtypes[0]]
    assert_close(inference.output.astype(np.float64), wanted, tolerance, "the inference output and the reference's", inference)
    alike = [t for t in range(subject.shape.timesteps) if np.array_equal(training.output[:, t], inference.output[:, t])]
    assert not alike, (
        f"with training=True the output of slices {alike} equals the inference output: dropout was not applied"
        f"\n  configuration: {training.describe()}"
    )


@documents("TimeDistributed.call(mask)")
@parametrize_with_cases("subject", cases=time_distributed_mask_of_steps)
def test_time_distributed_masks_each_slices_steps_under_a_mask_of_steps(subject, observe):
    """A mask of each slice's steps, (batch, timesteps, inner timesteps), as a `Masking` layer before the wrapper
    gives it, is passed slice by slice to the wrapped layer: each slice's output is the reference's on that slice
    under its own mask."""
    run = observe(subject)
    actual, wanted, tolerance = wrapped_reference(run, step_mask=STEP_MASK)
    assert_close(actual, wanted, tolerance, "the output and the reference's under each slice's mask", run)


@documents("TimeDistributed.call(mask)")
@parametrize_with_cases("subject", cases=time_distributed_mask_of_slices)
def test_time_distributed_takes_the_documented_mask_of_samples_and_timesteps(subject, observe):
    """The documented mask, "of shape `(samples, timesteps)` indicating whether a given timestep should be
    masked", is taken: every slice it leaves valid outputs the reference's output on that slice alone. (What a
    masked slice outputs the documentation leaves open.)"""
    run = observe(subject)
    actual, wanted, tolerance = wrapped_reference(run)
    assert_close(actual[SLICE_MASK], wanted[SLICE_MASK], tolerance, "the valid slices' output and the reference's", run)


# A batch of documents of 4 sentences of 5 words (2 features each), padded with zeros: each sentence valid for its
# length in words, every sample with a sentence that is all padding, one sample with two.
SENTENCE_LENGTHS = np.array([[5, 2, 0, 0], [3, 0, 1, 4], [1, 5, 5, 2]])
WORDS, SENTENCE_UNITS, DOCUMENT_UNITS = 5, 6, 3


@documents("TimeDistributed.call(mask)")
def test_time_distributed_passes_a_mask_of_its_slices_to_the_layer_above():
    """A hierarchical model, `Masking` → `TimeDistributed(LSTM)` → `GRU` (words into sentences, sentences into a
    document), on documents padded with empty sentences: the wrapper's output, one vector per sentence, is masked where
    a sentence has no valid word, so that the GRU reads the valid sentences alone. Its output is the reference GRU's
    over the reference LSTM's sentence vectors, under that mask."""
    k = installation.keras()
    words = np.arange(WORDS) < SENTENCE_LENGTHS[..., None]
    inputs = np.where(words[..., None], seeded.inputs((*words.shape, 2), seeded.seed_for("documents")), 0).astype("float32")
    sentences = k.layers.TimeDistributed(recurrent_layer("LSTM", SENTENCE_UNITS))
    document = recurrent_layer("GRU", DOCUMENT_UNITS)
    padded = k.Input(inputs.shape[1:])
    model = k.Model(padded, document(sentences(k.layers.Masking(0.0)(padded))))
    for part, layer in (("sentences", sentences.layer), ("document", document)):
        seeded.give_distinct_weights(layer, seeded.seed_for("documents", part))
    run = Described(f"Masking → TimeDistributed(LSTM({SENTENCE_UNITS})) → GRU({DOCUMENT_UNITS}) on {inputs.shape} documents")
    sentence = TimeDistributedSubject("LSTM", False, False, "cpu")
    vectors = expected_time_distributed(sentence, layer_weights(sentences.layer), inputs, step_mask=words)
    reader = LayerSubject("GRU", False, False, "cpu", Shape("document", *vectors.shape, DOCUMENT_UNITS))
    (wanted,) = expected(reader, layer_weights(document), vectors, mask=words.any(axis=-1))
    actual = np.asarray(installation.to_numpy(model(inputs)), dtype=np.float64)
    assert_close(actual, wanted, VERSUS_REFERENCE["float32"], "the document vectors and the reference's", run)


# What is not a layer, by what it is: a layer's name, its class, a number.
NOT_LAYERS = {"a_name": lambda: "LSTM", "a_layer_class": lambda: layer_class("LSTM"), "a_number": lambda: 4}


@documents("TimeDistributed.layer")
@pytest.mark.parametrize("what", list(NOT_LAYERS))
def test_time_distributed_refuses_what_is_not_a_layer(what):
    """`layer` is "a `keras.layers.Layer` instance": anything else (a layer's name, its class, a number) is
    refused with a ValueError that names the Layer it should be and what it was given."""
    given = NOT_LAYERS[what]()
    with pytest.raises(ValueError) as refused:
        installation.keras().layers.TimeDistributed(given)
    assert_names(refused.value, rf"layers\.Layer(.|\n)*{re.escape(str(given))}", f"the Layer it should be and {given}")


@documents("TimeDistributed.call(inputs)")
def test_time_distributed_refuses_an_input_of_fewer_than_three_dimensions():
    """"Every input should be at least 3D": a 2-D input (batch, features) is refused with a ValueError that names
    the 3 dimensions."""
    wrapper = installation.keras().layers.TimeDistributed(recurrent_layer("LSTM", 4))
    with pytest.raises(Exception) as refused:  # whichever: an error from deeper in (the slicing) fails the statement
        wrapper(np.zeros((3, 5), dtype="float32"))
    assert refused.type is ValueError, f"refused with {refused.type.__name__} where a ValueError was expected: {refused.value}"
    assert_names(refused.value, r"(?i)3 dimensions|3D", "the 3 dimensions an input needs")


# RNN over cells


@documents("RNN.cell", "RNN.call(sequences)", "RNN.return_sequences", "RNN.return_state", "RNN.call()")
@parametrize_with_cases("subject", cases=layer_plain)
def test_rnn_over_a_cell_equals_the_layer_of_that_cell(subject, build):
    """`RNN(LSTMCell(units))` returns what `LSTM(units)` returns with the same weights, and likewise GRUCell and
    GRU, SimpleRNNCell and SimpleRNN: the output sequence and each final state."""
    built = build(subject)
    with installation.on_device(subject.device):
        over_cell = installation.keras().layers.RNN(
            recurrent_layer(f"{subject.cell}Cell", subject.shape.units), return_sequences=True, return_state=True
        )
        over_cell.build(built.inputs.shape)
        over_cell.set_weights(built.layer.get_weights())
    by_layer = call(subject, built.layer, built.inputs)
    by_cell = call(subject, over_cell, built.inputs, note=f"RNN({subject.cell}Cell) against {subject.cell}")
    for name, actual, wanted in zip(("output", *subject.state_names), by_cell.arrays, by_layer.arrays):
        what = f"{name} of RNN({subject.cell}Cell) and of {subject.cell}"
        assert_close(actual, wanted, BETWEEN_IMPLEMENTATIONS, what, by_cell)


@documents("StackedRNNCells.cells", "StackedRNNCells.call()", "StackedRNNCells.call(inputs)", "StackedRNNCells.call(states)", "RNN.call(mask)")
@parametrize_with_cases("subject", cases=(stack_unmasked, stack_masked))
def test_a_stack_of_cells_computes_what_the_stacked_layers_compute(subject, observe):
    """`RNN([lower_cell, upper_cell])` outputs what the upper cell's layer outputs when it reads the lower cell's
    layer's output sequence; under a mask, the same mask applies to both."""
    run = observe(subject)
    output, _ = expected_stack(run)
    assert_close(run.output, output, VERSUS_REFERENCE["float32"], "the output sequence and the reference's", run)


@documents("StackedRNNCells.state_size()")
@parametrize_with_cases("subject", cases=(stack_unmasked, stack_masked))
def test_stacked_cells_return_each_cells_final_states_in_cell_order(subject, observe):
    """With `return_state`, the states follow the output cell by cell, the lower cell's first, each equal to the
    reference's final states of that cell's layer (under a mask too)."""
    run = observe(subject)
    _, expected = expected_stack(run)
    returned, wanted = run.states, [state for states in expected for state in states]
    names = [f"{cell}Cell's {name}" for cell in subject.cells for name in STATE_NAMES[cell]]
    assert len(returned) == len(wanted), (
        f"{len(returned)} states returned, expected {names}\n  configuration: {run.describe()}"
    )
    for index, (name, actual, state) in enumerate(zip(names, returned, wanted)):
        assert_close(actual, state, VERSUS_REFERENCE["float32"], f"state {index}, the {name}, and the reference's", run)


def nesting(structure) -> str:
    """The structure of what was returned, with its tensors as their shapes: tuple(array(3, 4), list(...))."""
    if isinstance(structure, (tuple, list)):
        return f"{type(structure).__name__}({', '.join(nesting(part) for part in structure)})"
    return f"array{tuple(structure.shape)}"


@pytest.mark.parametrize("call_path", ["model", "layer"])
@parametrize_with_cases("subject", cases=stack_unmasked)
def test_stacked_cells_nest_each_cells_states_as_its_state_size(subject, call_path, observe):
    """With `return_state`, `RNN([cells])` returns the output and then one entry per cell, in cell order: a list
    [h, c] for a cell whose `state_size` lists two sizes (LSTMCell), the tensor h itself for a cell whose
    `state_size` is one number (GRUCell, SimpleRNNCell), as `compute_output_shape` has it. The whole is a tuple in
    Keras 3 and a list in Keras 2."""
    run = observe(subject.with_probe(call_path=call_path))
    s = subject.shape
    per_cell = [
        f"list(array{(s.batch, units)}, array{(s.batch, units)})" if cell == "LSTM" else f"array{(s.batch, units)}"
        for cell, units in zip(subject.cells, STACK_UNITS)
    ]
    output = f"array{(s.batch, s.timesteps, STACK_UNITS[-1])}"
    expected = f"{returned_container().__name__}({', '.join([output, *per_cell])})"
    assert nesting(run.structure) == expected, (
        f"returned {nesting(run.structure)}, expected {expected}\n  configuration: {run.describe()}"
    )


@parametrize_with_cases("device", cases=device_any)
def test_a_custom_cell_returns_its_own_output_and_its_state(device, observe):
    """`RNN(cell)` over a cell written as a Keras layer, whose output ([h, x K], twice as wide) is not its state
    (h), returns the cell's outputs as the output sequence and the cell's state as the final state."""
    run = observe(CustomCellSubject("WideOutputCell", device))
    outputs, h = expected_custom_cell(run)
    assert_close(run.arrays[0], outputs, VERSUS_REFERENCE["float32"], "the output sequence and the cell's outputs", run)
    assert_close(run.arrays[1], h, VERSUS_REFERENCE["float32"], "the final state and the cell's h", run)


@parametrize_with_cases("device", cases=device_any)
def test_a_masked_step_of_a_custom_cell_repeats_its_previous_output(device, observe):
    """Under a mask, a masked step of a custom cell outputs exactly the previous step's output (zeros before the
    first valid step): not its state, nor an output computed at that step."""
    run = observe(CustomCellSubject("WideOutputCell", device, Call(mask="batch")))
    output = run.arrays[0]
    for sample, step in zip(*np.nonzero(~BATCH_MASK)):
        previous = output[sample, step - 1] if step else np.zeros_like(output[sample, step])
        what = "zeros" if step == 0 else f"its step {step - 1}"
        assert_identical(output[sample, step], previous, f"sample {sample}'s masked step {step} and {what}", run)


@parametrize_with_cases("device", cases=device_any)
def test_a_cell_that_is_not_a_keras_layer_runs_in_rnn(device, observe):
    """`RNN` runs a cell that is a plain Python class with `call(input_at_t, states_at_t)` and `state_size`, as the
    RNN page describes a cell: its output sequence is the cell's h at every step."""
    run = observe(CustomCellSubject("PlainCell", device))
    outputs, _ = expected_custom_cell(run)
    units = run.subject.shape.units
    assert_close(run.arrays[0], outputs[..., :units], VERSUS_REFERENCE["float32"], "the output sequence and h", run)
