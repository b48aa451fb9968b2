"""Chapter 15 earns its place: regressions that show only outside the catalogue's shapes (a square kernel used
transposed, a single unit, a sequence longer than 10 steps, a batch larger than 4; spec/meta/breakages_exploration.py)
are caught by its drawn configurations, and are not caught by the fixed chapters, whose cases never meet them.

The fixed chapters' side is one run of every fixed chapter with all four breakages at once (each statement's
each-choice cover, which holds every shape of the catalogue): none fails.
"""

from contextlib import nullcontext

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from rnnspec import installation
from rnnspec.installation import options
from rnnspec.probes.observe import observe_fresh
from spec import test_exploration
from spec.meta.breakages_exploration import (
    FIRED,
    OUTSIDE_THE_CATALOGUE,
    large_batch_repeats_its_first_samples,
    long_sequence_forgets_its_start,
    single_unit_reads_its_inputs_halved,
    square_kernel_used_transposed,
)
from spec.meta.catching import statements_of

pytestmark = pytest.mark.meta

# How many configurations the chapter may draw to meet a breakage: each meets one in 2 to 16 draws (its dimension
# at the edge Hypothesis favours); a failure ends the run at once (no shrinking here).
DRAWS = 60


def drawn_anew(statement, examples: int):
    """The chapter's statement as its own Hypothesis test of `examples` draws, generated only, and observed afresh
    (nothing from the session cache, nothing kept)."""
    inner = statement.hypothesis.inner_test
    return settings(max_examples=examples, phases=[Phase.generate], derandomize=True, database=None, deadline=None,
                    print_blob=False)(given(data=st.data())(inner))


def no_divergence(subject):
    """The chapter's `known_divergence` where none applies: the meta-tests draw on the CPU of one backend, and a
    statement caught by a known divergence is caught all the same."""
    return nullcontext()


# Each statement of the chapter with a regression outside the catalogue that it must catch: together, every
# statement and every such regression.
CATCHES = (
    (test_exploration.test_a_drawn_configuration_returns_the_reference_output_and_states, large_batch_repeats_its_first_samples),
    (test_exploration.test_a_drawn_configuration_has_the_reference_gradients, square_kernel_used_transposed),
    (test_exploration.test_a_drawn_layer_returns_the_reference_along_every_call_path, long_sequence_forgets_its_start),
    (test_exploration.test_drawn_training_steps_move_the_weights_as_sgd_on_the_reference, single_unit_reads_its_inputs_halved),
)


@pytest.mark.parametrize(
    "statement, breakage", CATCHES, ids=[f"{s.__name__}-{b.__name__}" for s, b in CATCHES]
)
def test_the_chapter_catches_a_regression_outside_the_catalogue(statement, breakage, monkeypatch):
    """The statement, drawing configurations afresh, fails once the layers are broken where only drawn
    configurations look, and the breakage fired. (That it holds for the real layers is its own run in the chapter.)"""
    if installation.is_keras_2():
        pytest.skip("the breakages patch Keras 3's layers; the meta-tests run on Keras 3")
    drawing = drawn_anew(statement, DRAWS)
    observe = lambda subject, drawn=False: observe_fresh(subject)  # noqa: E731 - as the fixture, uncached
    breakage(monkeypatch)
    FIRED.clear()
    with pytest.raises(AssertionError):
        drawing(device="cpu", observe=observe, known_divergence=no_divergence)
    assert breakage.__name__ in FIRED


def test_without_the_chapter_s_comparison_the_regression_goes_uncaught(monkeypatch):
    """The catch above fails where the chapter compares nothing: the regression is the chapter's to catch, no other
    part of the machinery catches it for it."""
    if installation.is_keras_2():
        pytest.skip("the breakages patch Keras 3's layers; the meta-tests run on Keras 3")
    monkeypatch.setattr(test_exploration, "held", lambda *arguments: None)
    statement, breakage = CATCHES[2]
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        test_the_chapter_catches_a_regression_outside_the_catalogue(statement, breakage, monkeypatch)


def test_every_statement_of_the_chapter_is_caught_and_every_regression_too():
    assert {s.__name__ for s, _ in CATCHES} == statements_of(test_exploration)
    assert {b.__name__ for _, b in CATCHES} == {b.__name__ for b in OUTSIDE_THE_CATALOGUE}


def test_no_fixed_chapter_meets_a_regression_outside_the_catalogue(monkeypatch, request):
    """Every fixed chapter, each statement's each-choice cover of its cases (every shape of the catalogue among
    them), run with the four breakages at once: nothing fails."""
    if installation.is_keras_2():
        pytest.skip("the breakages patch Keras 3's layers; the meta-tests run on Keras 3")
    for breakage in OUTSIDE_THE_CATALOGUE:
        breakage(monkeypatch)
    monkeypatch.setattr(options, "current", options.current)  # the inner run's configuration sets it anew
    FIRED.clear()
    spec = request.config.rootpath / "spec"
    chapters = sorted(str(path) for path in spec.glob("test_*.py") if path.name != "test_exploration.py")
    here = installation.current()
    code = pytest.main([
        *chapters, "-n", "0", "-q", "-p", "no:cacheprovider", "--cases=each-choice",
        f"--keras={here.keras_module}", f"--keras-backend={here.backend}", "--devices=cpu",
    ])
    # Some fixed statements do meet a breakage (TimeDistributed folds its slices into a batch of 12; a benchmark reads
    # long sequences), and state nothing of the values it changes: met, and not caught.
    assert code == pytest.ExitCode.OK, f"the fixed chapters failed under the breakages (exit {code!r}; met: {sorted(FIRED)})"
