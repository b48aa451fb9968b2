"""`rnnspec report NAME`: an upstream-ready text for a known divergence or a statement failing on a nightly, with
what an issue needs, and the first release affected from the version matrix's results."""

import pytest

from rnnspec.divergences import table
from rnnspec.tools import nightly_check, upstream_report
from spec.meta.test_version_matrix import junit

pytestmark = pytest.mark.meta

STATEMENT = "test_arguments.py::test_a_layer_stacked_on_a_sequence_is_masked_too"
PASSES = ('<testcase classname="spec.test_arguments" name="test_a_layer_stacked_on_a_sequence_is_masked_too'
          '[layer_of-device=cpu-cell=LSTM]"/>')
FAILS = ('<testcase classname="spec.test_arguments" name="test_a_layer_stacked_on_a_sequence_is_masked_too'
         '[layer_of-device=cpu-cell=LSTM]"><failure message="AssertionError: the padded sample\'s output differs">'
         "details</failure></testcase>")


@pytest.fixture
def results(tmp_path):
    recorded = {"keras-3.14.1-tensorflow": ("3.14.1", PASSES), "keras-3.15.1-tensorflow": ("3.15.1", PASSES),
                "keras-nightly-tensorflow": ("3.16.0.dev2026102704", FAILS)}
    for name, (version, cases) in recorded.items():
        (tmp_path / f"{name}.xml").write_text(junit(version, cases))
    return tmp_path


def test_a_divergences_report_holds_what_an_issue_needs(results):
    """Its title is the row's reason; then where it was seen, the whole reproducer, the documentation it quotes with
    its page, what Keras does instead, and the first release affected by the recorded results."""
    text = upstream_report.report("stacked_layer_loses_the_mask", results)
    assert text.startswith("## In `Masking` → a recurrent layer returning sequences")
    assert "**Environment.** Seen on keras-nightly 3.16.0.dev2026102704" in text
    assert "```python\n# Seen on keras-nightly" in text and "raise SystemExit(int(worst > 1e-5))\n```" in text
    assert "(https://keras.io/api/layers/core_layers/masking/)" in text
    assert "**Observed behaviour.** In `Masking`" in text
    assert "Keras 3 on TensorFlow: Keras 3.16.0.dev2026102704 on tensorflow" in text and "before it, Keras 3.15.1" in text


def test_a_failing_statements_report_takes_what_it_said_from_the_results(results):
    """The environment is where a case failed, not where the statement was skipped; the observed behaviour is what
    the failing case said."""
    skipped = PASSES.replace('"/>', '"><skipped type="pytest.skip" message="no tf_keras here"/></testcase>')
    (results / "tf-keras-2.21.0.xml").write_text(junit("2.21.0", skipped, tf_keras=True))
    text = upstream_report.report(STATEMENT, results)
    assert text.startswith("## In `Masking` → cell(return_sequences=True) → cell, the mask reaches the upper layer")
    assert "Seen in the version matrix's results: Keras 3.16.0.dev2026102704 on tensorflow | tensorflow 9.9" in text
    assert "tf_keras" not in text.split("**Documented")[0]
    assert "the padded sample's output differs" in text


def test_without_results_the_report_says_how_to_get_them(tmp_path):
    text = upstream_report.report("stacked_layer_loses_the_mask", tmp_path / "none")
    assert "run the version matrix, `nox -t full`" in text


def test_the_nightly_check_fails_where_the_nightly_breaks_what_the_newest_release_holds(results, capsys):
    """`rnnspec nightly RESULTS` exits 1 naming the statement that holds on 3.15.1 and fails on the nightly, with the
    command that writes its report; where the nightly holds it too, it exits 0."""
    assert nightly_check.main([str(results)]) == 1
    said = capsys.readouterr().out
    assert f"`{STATEMENT}` on keras-nightly-tensorflow" in said and f"`rnnspec report {STATEMENT}`" in said
    (results / "keras-nightly-tensorflow.xml").write_text(junit("3.16.0.dev2026102704", PASSES))
    assert nightly_check.main([str(results)]) == 0


def test_the_nightly_check_lists_a_known_regression_of_the_next_release_apart(results, capsys):
    """A statement the table of divergences marks on the nightly (a strict xfail naming a row) is not new: the check
    exits 0 and lists it apart, with the command that writes the row's report."""
    row = next(row for row in table.DIVERGENCES if row.reproducer == "stacked_layer_loses_the_mask")
    xfails = PASSES.replace('"/>', f'"><skipped type="pytest.xfail" message="{row.reason}"/></testcase>')
    (results / "keras-nightly-tensorflow.xml").write_text(junit("3.16.0.dev2026102704", xfails))
    assert nightly_check.main([str(results)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("No statement that holds on the newest release fails on a nightly.")
    assert (f"- `{STATEMENT}` on keras-nightly-tensorflow (1 xfailed; keras-3.15.1-tensorflow: 1 passed): "
            "`rnnspec report stacked_layer_loses_the_mask`") in said
