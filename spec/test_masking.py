"""Chapter 3. Masking: padded steps are skipped.

A mask marks which time steps of each sample are real. At a masked step the layer does not update its states;
with `return_sequences` the output of a masked step repeats the last valid output (zeros before the first one),
unless `zero_output_for_mask=True`, which writes zeros there. Masks reach a layer as `mask=`, from a `Masking`
layer, or from `Embedding(mask_zero=True)`. See https://keras.io/guides/understanding_masking_and_padding/ and
the `zero_output_for_mask` argument at https://keras.io/api/layers/recurrent_layers/rnn/.

Values are held against the NumPy reference, run with the same mask. The padding holds random values, so that a
layer which ignored the mask could not pass. The kernel that ran (see the devices chapter) decides one thing: the
generic kernel repeats the last valid output at padded steps, the cuDNN kernel writes zeros there, and each
statement expects what its kernel is known to do.
"""

from dataclasses import replace

import numpy as np
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.probes.kernels import CUDNN
from rnnspec.probes.observe import call, layer_weights
from rnnspec.statements.assertions import assert_close, assert_identical
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import expected, padded_steps_expected
from rnnspec.statements.tolerances import FLOAT32_REARRANGED, VERSUS_REFERENCE
from rnnspec.subjects.masks import MASK_VALUE, MASKS, for_masking_layer, lengths
from spec.cases_time import MASKED, RIGHT_PADDED, ZERO_OUTPUT_FOR_MASK, masked_any_way
from spec.vocabulary import Tag

RIGHT_PADDED_MASK = "right_padded"


def masked_call(subject, built, mask_name, **arguments):
    return call(subject, built.layer, built.inputs, note=f"mask {mask_name}", mask=MASKS[mask_name], **arguments)


def assert_equals_reference(returned, built, mask_name, initial_state=None):
    weights = layer_weights(built.layer)
    reference = expected(
        returned.subject, weights, built.inputs, mask=MASKS[mask_name], initial_state=initial_state,
        kernel=returned.kernel,
    )
    for name, actual, wanted in zip(returned.names, returned.arrays, reference):
        assert_close(actual, wanted, VERSUS_REFERENCE["float32"], f"{name} and the reference {name}", returned)


@documents("{LSTM,GRU,SimpleRNN}.call(mask)")
@parametrize_with_cases("subject, mask_name", cases=MASKED)
def test_a_masked_call_equals_the_reference(subject, mask_name, build):
    """Under a mask, the output and states equal the reference: states held across masked steps, the output of a
    masked step repeating the last valid output (zeros before the first valid step)."""
    built = build(subject)
    assert_equals_reference(masked_call(subject, built, mask_name), built, mask_name)


@parametrize_with_cases("subject", cases=RIGHT_PADDED, has_tag=Tag.STATES)
def test_the_final_state_of_a_right_padded_sample_is_that_of_its_unpadded_sequence(subject, build):
    """For right-padded samples, the returned states equal those of each sample's unpadded sequence run alone."""
    built = build(subject)
    padded = masked_call(subject, built, RIGHT_PADDED_MASK)
    for sample, length in enumerate(lengths(MASKS[RIGHT_PADDED_MASK])):
        alone = call(subject, built.layer, built.inputs[sample : sample + 1, :length], note=f"sample {sample} alone")
        for name, batched, single in zip(subject.state_names, padded.states, alone.states):
            assert_close(batched[sample : sample + 1], single, FLOAT32_REARRANGED, f"sample {sample}'s {name}", padded)


@parametrize_with_cases("subject", cases=RIGHT_PADDED, has_tag=Tag.SEQUENCES)
def test_padded_steps_repeat_the_last_valid_output(subject, build):
    """With `return_sequences`, each padded step of a right-padded sample repeats the sample's last valid output
    exactly (generic kernel; the cuDNN kernel writes zeros there, a known kernel difference)."""
    built = build(subject)
    returned = masked_call(subject, built, RIGHT_PADDED_MASK)
    for sample, length in enumerate(lengths(MASKS[RIGHT_PADDED_MASK])):
        wanted = padded_steps_expected(returned.output, sample, length, returned.kernel)
        assert_identical(returned.output[sample, length:], wanted, f"sample {sample}'s padded steps", returned)


@parametrize_with_cases("subject", cases=RIGHT_PADDED, has_tag=Tag.STATES)
def test_under_a_mask_the_output_still_ends_with_the_final_h(subject, build):
    """Under a right-padding mask the output (or its last step, with `return_sequences`) is still exactly h
    (with `return_sequences` under the cuDNN kernel, only for samples that are not padded: the others end in zeros)."""
    built = build(subject)
    returned = masked_call(subject, built, RIGHT_PADDED_MASK)
    last = returned.output[:, -1] if subject.return_sequences else returned.output
    wanted = returned.state["h"].copy()
    if subject.return_sequences and returned.kernel == CUDNN:
        wanted[lengths(MASKS[RIGHT_PADDED_MASK]) < subject.shape.timesteps] = 0.0
    assert_identical(last, wanted, "the last output and the final h", returned)


@parametrize_with_cases("subject", cases=RIGHT_PADDED, has_tag=Tag.STATES)
def test_a_fully_masked_sample_keeps_its_initial_state_and_outputs_zeros(subject, build):
    """A sample masked at every step returns the initial states it was given, unchanged, and zeros as output."""
    built = build(subject)
    mask_name = "one_sample_fully_masked"
    empty = int(np.flatnonzero(lengths(MASKS[mask_name]) == 0)[0])
    rng = np.random.default_rng(5)
    initial = [rng.uniform(-0.9, 0.9, size=(len(built.inputs), subject.shape.units)).astype("float32") for _ in subject.state_names]
    returned = masked_call(subject, built, mask_name, initial_state=[installation.as_tensor(s) for s in initial])
    for name, state, start in zip(subject.state_names, returned.states, initial):
        assert_identical(state[empty], start[empty], f"the fully masked sample's {name} and its initial {name}", returned)
    assert_identical(returned.output[empty], np.zeros_like(returned.output[empty]), "its output and zeros", returned)


# The mask's sources, held on the eager call: the compiled call path meets the mask in the statements above, and
# compiling the three models of each case here would cost seconds for nothing the call path changes.
@parametrize_with_cases("subject, mask_name", cases=masked_any_way)
def test_a_masking_layer_and_an_embedding_give_the_same_result_as_mask(subject, mask_name, build):
    """A mask from a `Masking` layer, or from `Embedding(mask_zero=True)`, gives exactly what the same mask given
    as `mask=` gives."""
    keras = installation.keras()
    built = build(subject)
    mask = MASKS[mask_name]
    with installation.on_device(subject.device):
        sequences = keras.Input(shape=(subject.shape.timesteps, subject.shape.features))
        masking = keras.Model(sequences, built.layer(keras.layers.Masking(mask_value=MASK_VALUE)(sequences)))
        ids = keras.Input(shape=(subject.shape.timesteps,), dtype="int32")
        embedding = keras.layers.Embedding(7, subject.shape.features, mask_zero=True)
        embedded = keras.Model(ids, built.layer(embedding(ids)))
        token_ids = np.where(mask, 1 + np.arange(mask.size).reshape(mask.shape) % 6, 0).astype("int32")
        vectors = installation.to_numpy(embedding(token_ids))
    as_argument = masked_call(subject, built, mask_name)
    by_masking = call(subject, masking, for_masking_layer(built.inputs, mask), note="Masking layer")
    by_embedding = call(subject, embedded, token_ids, note="Embedding(mask_zero=True)")
    from_vectors = call(subject, built.layer, vectors, note=f"mask {mask_name}", mask=mask)
    for name, argument, masked in zip(as_argument.names, as_argument.arrays, by_masking.arrays):
        assert_identical(masked, argument, f"{name} from a Masking layer and from mask=", by_masking)
    for name, argument, masked in zip(from_vectors.names, from_vectors.arrays, by_embedding.arrays):
        assert_identical(masked, argument, f"{name} from Embedding(mask_zero=True) and from mask=", by_embedding)


def processing_order(subject, mask: np.ndarray) -> np.ndarray:
    """The mask in the order the layer reads the steps, which is the order of its output sequence."""
    return mask[:, ::-1] if dict(subject.options).get("go_backwards") else mask


@documents("RNN.zero_output_for_mask")
@parametrize_with_cases("subject", cases=ZERO_OUTPUT_FOR_MASK, has_tag=Tag.SEQUENCES)
def test_zero_output_for_mask_writes_zeros_at_masked_steps(subject, build):
    """With `zero_output_for_mask=True` and `return_sequences`, every masked step of the output is exactly zero,
    and the rest of the output and the states are the reference's."""
    built = build(subject)
    returned = masked_call(subject, built, "mid_sequence")
    masked_steps = returned.output[~processing_order(subject, MASKS["mid_sequence"])]
    assert_identical(masked_steps, np.zeros_like(masked_steps), "the masked steps and zeros", returned)
    assert_equals_reference(returned, built, "mid_sequence")


@documents("RNN.zero_output_for_mask")
@parametrize_with_cases("subject", cases=ZERO_OUTPUT_FOR_MASK, has_tag=Tag.LAST_OUTPUT)
def test_zero_output_for_mask_has_no_effect_without_return_sequences(subject, build):
    """`zero_output_for_mask` is "only used when return_sequences is True" (Keras docs): without
    `return_sequences`, a sample whose last step read is padding outputs its last valid output, as without the flag."""
    built = build(subject)
    padding_read_last = "left_padded" if dict(subject.options)["go_backwards"] else RIGHT_PADDED_MASK
    returned = masked_call(subject, built, padding_read_last)
    without_flag = replace(subject, options=tuple((k, v) for k, v in subject.options if k != "zero_output_for_mask"))
    wanted = expected(without_flag, layer_weights(built.layer), built.inputs, mask=MASKS[padding_read_last])
    assert_close(returned.output, wanted[0], VERSUS_REFERENCE["float32"], "the output and the last valid output", returned)
