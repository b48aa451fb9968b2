"""python -m rnnspec.tools.bisect: the first release of each line where a statement's outcome changed, with what it said
on both sides, from the recorded results; and which of the matrix's environments would narrow the gap."""

import io

import pytest

from rnnspec.tools import bisect, version_matrix
from spec.meta.test_version_matrix import junit

pytestmark = pytest.mark.meta

FAILS = ('<testcase classname="spec.test_configuration" name="test_dropout[LSTM]"><failure message="AssertionError: '
         '#x1B[1mdropout dropped nothing#x1B[0m">details</failure></testcase>'
         '<testcase classname="spec.test_configuration" name="test_dropout[GRU]"/>')
PASSES = ('<testcase classname="spec.test_configuration" name="test_dropout[LSTM]"/>'
          '<testcase classname="spec.test_configuration" name="test_dropout[GRU]"/>')
RECORDED = {"keras-3.0.0-tensorflow-2.16": ("3.0.0", FAILS), "keras-3.3.3-tensorflow-2.16": ("3.3.3", FAILS),
            "keras-3.5.0-tensorflow-2.17": ("3.5.0", PASSES), "keras-3.15.1-tensorflow-2.21": ("3.15.1", PASSES),
            "keras-3.0.0-jax": ("3.0.0", PASSES)}


@pytest.fixture
def results(tmp_path):
    for name, (version, cases) in RECORDED.items():
        backend = name.split("-")[2]
        (tmp_path / f"{name}.xml").write_text(junit(version, cases, backend=backend))
    return tmp_path


def bisected(results, statement, line=None) -> str:
    out = io.StringIO()
    assert bisect.report(results, statement, line, out)
    return out.getvalue()


def test_the_first_release_where_the_outcome_changed_is_named_with_both_sides(results):
    said = bisected(results, "test_dropout", "tensorflow")
    assert "first changed in 3.5.0 (after 3.3.3): 1 passed, 1 failed -> 2 passed" in said
    assert "before, keras-3.3.3-tensorflow-2.16: failed: test_dropout[LSTM]\n      AssertionError: dropout dropped " \
           "nothing" in said
    assert "after,  keras-3.5.0-tensorflow-2.17: every case passed" in said
    assert "on Keras 3 on JAX" not in said


def test_each_line_is_bisected_on_its_own(results):
    said = bisected(results, "test_configuration::test_dropout")
    assert "on Keras 3 on TensorFlow" in said and "on Keras 3 on JAX:" in said
    assert "no change across 1 release(s)" in said


def test_a_case_is_bisected_alone(results):
    assert "first changed in 3.5.0 (after 3.3.3): failed -> passed" in bisected(results, "test_dropout[LSTM]")
    assert "no change across 4 release(s)" in bisected(results, "test_dropout[GRU]", "tensorflow")


def test_an_unknown_statement_says_so(results, capsys):
    with pytest.raises(SystemExit) as stopped:
        bisect.main(["test_nothing", "--results", str(results)])
    assert stopped.value.code == 2 and "no recorded environment" in capsys.readouterr().err


def test_the_unrecorded_releases_between_the_two_sides_are_those_of_the_matrix_on_that_line(results):
    environments = version_matrix.read_all(results)
    before, after = bisect.first_change(version_matrix.lines_of(environments)[("keras", "tensorflow")], "test_dropout")
    matrix = ["keras-3.3.3-tensorflow-2.16.2", "keras-3.4.1-tensorflow-2.17.1", "keras-3.4.1-jax",
              "keras-3.5.0-tensorflow-2.17.1", "keras-nightly-tensorflow", "tf-keras-2.21.0"]
    assert bisect.unrecorded_between(before, after, matrix) == ["keras-3.4.1-tensorflow-2.17.1"]


def test_the_releases_of_the_matrix_left_unrecorded_between_the_two_sides_are_named(results):
    matrix = ["keras-3.4.1-tensorflow-2.17.1", "keras-3.4.1-jax"]
    said = io.StringIO()
    bisect.report(results, "test_dropout", "tensorflow", said, matrix=matrix)
    assert "not recorded in between (--run runs them): keras-3.4.1-tensorflow-2.17.1" in said.getvalue()


def test_a_statement_that_only_gains_cases_has_not_changed(tmp_path):
    """A release where the suite states more cases (an API it needs is new) is no change, as on the page."""
    one = '<testcase classname="spec.test_configuration" name="test_dropout[LSTM]"/>'
    (tmp_path / "keras-3.0.0-tensorflow-2.16.xml").write_text(junit("3.0.0", one))
    (tmp_path / "keras-3.5.0-tensorflow-2.17.xml").write_text(junit("3.5.0", PASSES))
    assert "no change across 2 release(s)" in bisected(tmp_path, "test_dropout")
