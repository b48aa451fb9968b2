"""Chapter 15. Exploration: configurations no catalogue lists, drawn by Hypothesis and held against the reference.

Every other chapter checks the configurations its catalogue lists: four shapes, where features never equal units,
units are never 1, at most 10 steps and 4 samples; a handful of masks and argument combinations. A regression that
shows only elsewhere (a square kernel used transposed, a single unit, a long sequence, a large batch, a hole in a
mask, arguments nobody combined) passes them all. Here Hypothesis draws the configurations (spec/strategies.py:
every dimension combined freely with every other) and each is held against the NumPy reference of the cell
equations (`rnnspec.oracle`), its values and its gradients, within the tolerances of the other chapters, grown with
the number of steps where they must (`rnnspec.statements.tolerances.drawn`).

A drawn case that meets a row of the table of known divergences is stated as that divergence. A failure is shrunk
to a minimal configuration and printed with a standalone reproducer (Keras and NumPy alone). The default run draws a
few configurations per statement, the same every run; `--explore=N` draws N (and `--hypothesis-seed` others).

See https://keras.io/api/layers/recurrent_layers/ for what the layers document.
"""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

from rnnspec.installation import DEVICES
from rnnspec.oracle.watching import largest_state, nearest_kink, rounded_states
from rnnspec.statements.assertions import assert_close
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import expected, expected_gradient_values, expected_gradients_of, expected_training
from rnnspec.statements.reproducer import script
from rnnspec.statements.tolerances import LARGEST, ROUNDING, ROUNDINGS_PER_STEP, against_largest, drawn
from spec import strategies

on_every_device = pytest.mark.parametrize("device", DEVICES)


def held(run, statement: str, names, actual, compute, tolerance, dtype: str) -> None:
    """Each array of `actual` within `tolerance` of the reference's, `compute(run)` in float64, compared at the
    array's dtype, its atol held against the array's largest value (`tolerances.against_largest`).

    A configuration states nothing where no implementation in `dtype` could meet the bound, as
    `rnnspec.statements.tolerances` measures it: where the reference overflows the dtype, or one of its states does
    at a step the mask keeps; where a pre-activation whose derivative it takes lies within rounding of a kink (relu's
    0); or where it moves beyond the bound when its inputs, weights and kept states move by the roundings the
    computation makes (an unbounded activation over a long sequence amplifies rounding geometrically). A difference
    prints, for the shrunk configuration, its standalone reproducer."""
    with largest_state() as largest, nearest_kink() as kink:
        wanted = reference(compute, run)
    with rounded_states(ROUNDING[dtype] * ROUNDINGS_PER_STEP):
        moved = reference(compute, rounded(run, dtype))
    assume(largest.value <= LARGEST[dtype])
    assume(kink.distance > ROUNDING[dtype] * drawn.roundings(run.subject))
    with np.errstate(over="ignore", invalid="ignore"):
        compared = [(a.astype(np.float64), w.astype(a.dtype).astype(np.float64)) for a, w in zip(actual, wanted)]
    bounds = [against_largest(tolerance, float(np.max(np.abs(w), initial=0.0))) for _, w in compared]
    assume(all(np.all(np.isfinite(w)) and np.all(np.isfinite(m)) for (_, w), m in zip(compared, moved)))
    assume(all(np.all(np.abs(m - w) <= b.atol + b.rtol * np.abs(w)) for (_, w), m, b in zip(compared, moved, bounds)))
    try:
        for name, (a, w), bound in zip(names, compared, bounds):
            assert_close(a, w, bound, f"{name} and the reference {name}", run)
    except AssertionError:
        note("A standalone reproducer (Keras and NumPy alone):\n\n" + script(run, statement, names, list(wanted), tolerance))
        raise


def rounded(run, dtype: str):
    """The run with its inputs and weights each moved by up to as many roundings of `dtype` as its computation
    makes (`tolerances.Drawn.roundings`, seeded), for the reference's sensitivity to rounding."""
    rng, size = np.random.default_rng(0), ROUNDING[dtype] * drawn.roundings(run.subject)
    moved = lambda a: a * (1 + size * rng.uniform(-1, 1, np.shape(a)))  # noqa: E731
    parts = tuple({name: moved(weights) for name, weights in part.items()} for part in run.parts)
    return replace(run, inputs=moved(run.inputs.astype(np.float64)), parts=parts)


def reference(compute, run):
    """The reference's values for the run, computed without NumPy's warnings of overflow (`held` sets such a
    configuration aside)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return compute(run)


@documents("{LSTM,GRU,SimpleRNN}.call(sequences)", "{LSTM,GRU,SimpleRNN}.call(mask)", "{LSTM,GRU,SimpleRNN}.call(initial_state)",
           "RNN.call(initial_state)", "Bidirectional.call(initial_state)", "ConvLSTM1D.call(initial_state)")
@on_every_device
@given(data=st.data())
def test_a_drawn_configuration_returns_the_reference_output_and_states(device, data, observe, known_divergence):
    """Whatever its cell, units, features, timesteps, batch, output flags, arguments, dtype policy, mask and initial
    state, and through `Bidirectional`, a stack of cells or ConvLSTM1D, a layer returns the output and states the
    reference computes from its weights and inputs, within the tolerance of its dtype and number of steps."""
    subject = data.draw(strategies.called(device), label="subject")
    with known_divergence(subject):
        run = observe(subject, drawn=True)
        count = len(subject.probe.gradient_names(subject))
        names = subject.probe.value_names(subject)
        values = run.arrays[count:]
        held(run, "test_a_drawn_configuration_returns_the_reference_output_and_states", names[: len(values)], values,
             expected_gradient_values, drawn.values(subject), drawn.compute_dtype(subject))


@documents("{LSTM,GRU,SimpleRNN}.call(sequences)", "{LSTM,GRU,SimpleRNN}.call(initial_state)", "RNN.call(initial_state)",
           "Bidirectional.call(initial_state)")
@on_every_device
@given(data=st.data())
def test_a_drawn_configuration_has_the_reference_gradients(device, data, observe, known_divergence):
    """The gradients of a loss over everything the drawn layer returns, with respect to its inputs, its initial
    states and its weights, equal backpropagation through time of the reference, within the tolerance of its dtype
    and number of steps."""
    subject = data.draw(strategies.differentiated(device), label="subject")
    with known_divergence(subject):
        run = observe(subject, drawn=True)
        names = subject.probe.gradient_names(subject)
        held(run, "test_a_drawn_configuration_has_the_reference_gradients", names, run.arrays[: len(names)],
             expected_gradients_of, drawn.gradients(subject), drawn.compute_dtype(subject))


def expected_along_the_path(run):
    (weights,) = run.parts
    return expected(run.subject, weights, run.inputs, mask=run.subject.probe.mask_array, kernel=run.kernel)


@documents("{LSTM,GRU,SimpleRNN}.call(sequences)", "{LSTM,GRU,SimpleRNN}.call(mask)")
@on_every_device
@given(data=st.data())
def test_a_drawn_layer_returns_the_reference_along_every_call_path(device, data, observe, known_divergence):
    """A drawn layer returns the reference's output and states whichever way it is called: the bare layer, a
    functional model, `predict`, and the compiled paths, under a drawn mask where the path takes one."""
    subject = data.draw(strategies.along_call_paths(device), label="subject")
    with known_divergence(subject):
        run = observe(subject, drawn=True)
        held(run, "test_a_drawn_layer_returns_the_reference_along_every_call_path", subject.returned_names, run.arrays,
             expected_along_the_path, drawn.values(subject), drawn.compute_dtype(subject))


@documents("{LSTM,GRU,SimpleRNN}.call(sequences)")
@on_every_device
@given(data=st.data())
def test_drawn_training_steps_move_the_weights_as_sgd_on_the_reference(device, data, observe, known_divergence):
    """Steps of SGD through Keras's own loop (`train_on_batch`, epochs of `fit`) move a drawn layer's weights as SGD
    on the reference's gradients moves them."""
    subject = data.draw(strategies.trained(device), label="subject")
    with known_divergence(subject):
        run = observe(subject, drawn=True)
        held(run, "test_drawn_training_steps_move_the_weights_as_sgd_on_the_reference", subject.weight_names,
             run.arrays, expected_training, drawn.trained(subject), "float32")
