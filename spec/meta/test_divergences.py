"""The table of known divergences: the plugin applies its rows as strict xfails, reports rows that name no test,
and the README shows the table it generates."""

import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from rnnspec import installation
from rnnspec.divergences import conditions, page, table
from rnnspec.divergences.conditions import EVERY_KERAS, case_has, on_backend
from rnnspec.divergences.table import Divergence
from rnnspec.plugin import marking
from spec.meta.inner_run import run_plugin

pytestmark = pytest.mark.meta
ROOT = Path(__file__).resolve().parents[2]

STATEMENTS = """
import pytest
from types import SimpleNamespace
from pytest_cases import THIS_MODULE, parametrize_with_cases


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_diverges(cell):
    assert False, "Keras does otherwise"


def test_holds():
    pass


def test_cannot_run_here():
    pytest.skip("no GPU visible")


def test_raises_attribute_error():
    raise AttributeError("no compute_dtype")


def subject_gru_float64():
    return SimpleNamespace(cell="GRU", options=(("dtype", "float64"),))


def subject_gru_float32():
    return SimpleNamespace(cell="GRU", options=(("dtype", "float32"),))


@parametrize_with_cases("subject", cases=THIS_MODULE, prefix="subject_")
def test_subject_diverges(subject):
    assert False, "Keras does otherwise"


def pair_gru_cpu():
    return "GRU", "cpu"


def pair_lstm_cpu():
    return "LSTM", "cpu"


@parametrize_with_cases("cell, device", cases=THIS_MODULE, prefix="pair_")
def test_pair_diverges(cell, device):
    assert False, "Keras does otherwise"
"""


def keras_on(backend: str) -> installation.Installation:
    return installation.Installation("keras", "3.15.1", backend, {}, ())


def row(*tests: str, condition=EVERY_KERAS, raises=None) -> Divergence:
    statements = tuple(f"test_statements.py::{test}" for test in tests)
    return Divergence(
        statements, condition, "Keras does otherwise", seen_on="a meta-test", reproducer="none", raises=raises
    )


def elsewhere(statement: str, reason: str) -> Divergence:
    """A row naming a statement of another chapter than test_statements.py."""
    return Divergence((statement,), EVERY_KERAS, reason, seen_on="-", reproducer="none")


def run_with_table(pytester, monkeypatch, rows, *tests: str):
    """Run the statements named (all, if none) under the plugin, with `rows` as the table of known divergences."""
    return run_plugin(pytester, monkeypatch, STATEMENTS, rows, "-rxXs", *(f"test_statements.py::{t}" for t in tests))


def test_a_row_whose_condition_holds_makes_the_case_a_strict_xfail(pytester, monkeypatch):
    rows = [row("test_diverges", condition=case_has(cell="GRU"))]
    result = run_with_table(pytester, monkeypatch, rows, "test_diverges")
    result.assert_outcomes(xfailed=1, failed=1)
    reason = "Keras does otherwise (seen on a meta-test; upstream: none found)"
    result.stdout.fnmatch_lines([f"XFAIL*test_diverges?cell=GRU?*{reason}"])


def test_a_row_whose_installation_condition_fails_leaves_the_statement_alone(pytester, monkeypatch):
    elsewhere = ~on_backend(installation.current().backend)
    result = run_with_table(pytester, monkeypatch, [row("test_diverges", condition=elsewhere)], "test_diverges")
    result.assert_outcomes(failed=2)


def test_a_statement_that_holds_under_a_row_fails_and_one_that_cannot_run_is_skipped(pytester, monkeypatch):
    result = run_with_table(
        pytester, monkeypatch, [row("test_holds", "test_cannot_run_here")], "test_holds", "test_cannot_run_here"
    )
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*_ test_holds _*", "[[]XPASS(strict)[]] Keras does otherwise*"])


def test_a_row_with_raises_expects_that_exception_only(pytester, monkeypatch):
    rows = [row("test_raises_attribute_error", "test_diverges", raises=AttributeError)]
    result = run_with_table(pytester, monkeypatch, rows, "test_raises_attribute_error", "test_diverges")
    result.assert_outcomes(xfailed=1, failed=2)


def test_a_case_of_pytest_cases_is_read_by_its_arguments_and_its_subjects_fields_and_options(pytester, monkeypatch):
    rows = [
        row("test_subject_diverges", condition=case_has(cell="GRU", dtype="float64")),
        row("test_pair_diverges", condition=case_has(cell="GRU", device="cpu")),
    ]
    result = run_with_table(pytester, monkeypatch, rows, "test_subject_diverges", "test_pair_diverges")
    result.assert_outcomes(xfailed=2, failed=2)
    result.stdout.fnmatch_lines(["XFAIL*test_subject_diverges?gru_float64?*", "XFAIL*test_pair_diverges?gru_cpu?*"])


def test_a_row_naming_no_collected_statement_is_reported(pytester, monkeypatch):
    pytester.makepyfile(test_left_out="def test_elsewhere():\n    pass\n")
    rows = [
        row("test_renamed"),
        elsewhere("test_gone.py::test_holds", "a whole chapter gone"),
        elsewhere("test_left_out.py::test_elsewhere", "not in this run"),
    ]
    result = run_with_table(pytester, monkeypatch, rows, "test_holds")
    result.assert_outcomes(passed=1, warnings=2)
    result.stdout.fnmatch_lines([
        "*StaleDivergenceWarning: rnnspec.divergences.table names test_statements.py::test_renamed, which is no test*",
        "*StaleDivergenceWarning: rnnspec.divergences.table names test_gone.py::test_holds, which is no test*",
    ])


def test_every_row_names_a_test_of_its_chapter():
    chapters = {path.name: importlib.import_module(f"spec.{path.stem}") for path in (ROOT / "spec").glob("test_*.py")}
    assert table.stale_statements(chapters) == []


def test_a_condition_states_itself_in_words():
    gru_on_jax = on_backend("jax") & case_has(cell="GRU")
    condition = case_has(device="cpu") & (on_backend("torch") | gru_on_jax) & ~case_has(cell="LSTM", mask="none")
    assert condition.words == (
        "`device=cpu` and (the PyTorch backend or (the JAX backend and `cell=GRU`)) and not (`cell=LSTM` and "
        "`mask=none`)"
    )


def test_the_installation_decides_a_condition_in_three_values_and_rules_out_what_no_case_could_meet():
    """What the installation alone decides of a condition: False or True, or None where it depends on the case."""
    gru_on_jax = on_backend("jax") & case_has(cell="GRU")
    condition = case_has(device="cpu") & (on_backend("torch") | gru_on_jax)
    backends = ("tensorflow", "jax", "torch")
    assert [condition.decided_by(keras_on(backend)) for backend in backends] == [False, None, None]
    assert [condition.could_hold(keras_on(backend)) for backend in backends] == [False, True, True]
    assert (on_backend("torch") | case_has(cell="GRU")).decided_by(keras_on("torch")) is True
    assert (~on_backend("torch")).decided_by(keras_on("torch")) is False
    assert (~case_has(cell="GRU")).decided_by(keras_on("torch")) is None


def test_the_divergences_page_shows_the_table_it_is_generated_from():
    text = (ROOT / page.PAGE).read_text()
    assert page.shown_table(text) == page.markdown_table(), (
        f"{page.PAGE}'s table of known divergences is not the one rnnspec/divergences/table.py generates; regenerate "
        f"it with `rnnspec divergences --update {page.PAGE}`"
    )


def test_the_gradients_every_backend_agrees_on_are_those_no_row_of_the_training_chapter_touches():
    """rnnspec.probes.gradients.every_backend_agrees, which chooses what the backend parity of gradients and the behaviour
    snapshot hold, agrees with the table: a gradient subject of the training chapter is left out exactly where a row
    naming a statement of that chapter applies to it on some backend."""
    from dataclasses import replace

    from rnnspec.subjects.layers import CELLS
    from rnnspec.subjects.readings import READINGS, every_backend_agrees, gradient_subject

    here = installation.current()
    rows = [row for row in table.DIVERGENCES if any(s.startswith("test_training.py::") for s in row.statements)]
    for subject in (
        gradient_subject(cell, "cpu", reading, return_sequences=sequences, return_state=state)
        for cell in CELLS for sequences in (False, True) for state in (False, True) for reading in READINGS
    ):
        case = conditions.Case({"subject": subject})
        touched = [backend for row in rows for backend in installation.BACKENDS
                   if row.condition.holds(replace(here, backend=backend), case)]
        assert every_backend_agrees(subject) == (not touched), f"{subject.describe()}: rows apply on {touched}"


class DrawnItem:
    """What `stated_as_known` reads of a chapter 15 statement's item: its statement, and the rows its run knows."""

    path, originalname = Path("test_drawn.py"), "test_a_drawn_statement"

    def __init__(self, rows):
        self.config = SimpleNamespace(stash={marking.KNOWN_ROWS: rows})


DRAWN_ROW = Divergence(("test_drawn.py::test_a_drawn_statement",), EVERY_KERAS & case_has(cell="GRU"),
                       "a GRU does otherwise", seen_on="here", reproducer="none")


def drawn_statement(cell: str, body):
    """A Hypothesis test of one example whose body runs within `stated_as_known` for a drawn subject of `cell`."""
    @settings(max_examples=1, database=None)
    @given(st.just(cell))
    def statement(drawn_cell):
        with marking.stated_as_known(DrawnItem((DRAWN_ROW,)), SimpleNamespace(cell=drawn_cell)):
            body()

    return statement


def fails():
    raise AssertionError("Keras does otherwise")


def test_a_drawn_case_a_row_applies_to_fails_as_that_divergence():
    drawn_statement("GRU", fails)()


def test_a_drawn_case_no_row_applies_to_fails():
    with pytest.raises(AssertionError, match="Keras does otherwise"):
        drawn_statement("LSTM", fails)()


def test_a_drawn_case_set_aside_is_not_stated_as_a_divergence_though_a_row_applies():
    """A configuration the statement sets aside (`assume`) is no example of the divergence, nor one that held:
    Hypothesis draws another, and finding none, says so."""
    with pytest.raises(Unsatisfiable):
        drawn_statement("GRU", lambda: assume(False))()
