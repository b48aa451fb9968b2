"""What a run shows a user: a summary that fits a screen and names the installation, no framework start-up notices,
and no green run on a GPU image that sees no GPU."""

import sys

import pytest

from rnnspec import installation
from rnnspec.divergences import table
from rnnspec.divergences.conditions import EVERY_KERAS, case_has
from rnnspec.divergences.table import Divergence
from rnnspec.installation import options

pytestmark = pytest.mark.meta

STATEMENTS = """
import pytest


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "SimpleRNN"])
def test_diverges(cell):
    assert cell == "LSTM", "Keras does otherwise"


@pytest.mark.parametrize("n", range(3))
def test_cannot_run_here(n):
    pytest.skip("no GPU visible")


def test_holds():
    pass
"""


def run(pytester, monkeypatch, *arguments, rows=()):
    """The statements above under the plugin, with `rows` as the table of known divergences."""
    monkeypatch.setattr(table, "DIVERGENCES", tuple(rows))
    monkeypatch.setattr(options, "current", options.current)  # the inner run's configuration sets it anew
    pytester.makepyfile(test_statements=STATEMENTS)
    here = installation.current()
    return pytester.runpytest_inprocess(
        "-p", "rnnspec.plugin", "-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "no:xdist", "-rfE",
        f"--keras={here.keras_module}", f"--keras-backend={here.backend}", *arguments,
    )


def test_the_summary_counts_each_divergence_and_each_skip_reason_once_and_names_the_installation(pytester, monkeypatch):
    """Two xfailed cases of one divergence make one line with their count and its reproducer's command; three skips
    of one reason one line with their count; and the last line before the totals names the installation, under -q
    too, while no per-case XFAIL or SKIPPED line is printed."""
    row = Divergence(("test_statements.py::test_diverges",), ~case_has(cell="LSTM"), "Keras does otherwise",
                     seen_on="a meta-test", reproducer="made_up_reproducer", upstream=("https://example.org/1",))
    result = run(pytester, monkeypatch, "-q", rows=[row])
    result.assert_outcomes(passed=2, xfailed=2, skipped=3)
    result.stdout.fnmatch_lines([
        "*known divergences met: 2 strict xfails*",
        "    2  made_up_reproducer  (python -m rnnspec.divergences.repro made_up_reproducer; upstream: https://example.org/1)",
        "*skipped: 3, by reason*",
        "    3  no GPU visible",
        f"*rnnspec: {installation.current().describe()} | cases: all*",
    ])
    assert not [line for line in result.outlines if line.startswith(("XFAIL", "SKIPPED"))]


def test_per_case_lines_come_back_when_asked(pytester, monkeypatch):
    """`-rx` and `-rs` list each xfailed and skipped case, as pytest does."""
    row = Divergence(("test_statements.py::test_diverges",), ~case_has(cell="LSTM"), "Keras does otherwise",
                     seen_on="a meta-test", reproducer="made_up_reproducer")
    result = run(pytester, monkeypatch, "-rxs", rows=[row])
    result.stdout.fnmatch_lines(["XFAIL*test_diverges*GRU*Keras does otherwise*", "SKIPPED*no GPU visible"])


def test_a_gpu_build_that_sees_no_gpu_stops_the_run_unless_the_cpu_alone_is_stated(pytester, monkeypatch):
    """Where the framework under test is built for a GPU (simulated) and sees none, the run stops before collecting
    with a usage error saying so and how to state the CPU alone; with `--devices=cpu` it runs."""
    monkeypatch.setattr(installation, "built_for_gpu", lambda backend: "CUDA 12.9")
    stopped = run(pytester, monkeypatch, "-q", rows=[row_never()])
    assert stopped.ret == pytest.ExitCode.USAGE_ERROR
    stopped.stderr.fnmatch_lines(["*built for CUDA 12.9 but sees no GPU*--devices=cpu*"])
    assert "collected" not in stopped.stdout.str()
    stated = run(pytester, monkeypatch, "-q", "--devices=cpu", rows=[row_never()])
    stated.assert_outcomes(passed=2, failed=2, skipped=3)


def row_never() -> Divergence:
    return Divergence(("test_statements.py::test_holds",), EVERY_KERAS & case_has(cell="none"), "-", seen_on="-",
                      reproducer="none")


def test_a_frameworks_start_up_notices_are_left_out_and_anything_else_passes(tmp_path, monkeypatch, capfd):
    """Importing through installation.import_quietly drops TensorFlow's start-up notices written to stderr by its
    C++ libraries, and keeps any other line."""
    (tmp_path / "noisy_framework.py").write_text(
        "import os\n"
        "os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n')\n"
        "os.write(2, b'I0000 00:00:1796607328.828448   20331 port.cc:153] oneDNN custom operations are on.\\n')\n"
        "os.write(2, b'I0000 00:00:1796607328.879162   20331 cpu_feature_guard.cc:227] This TensorFlow binary\\n')\n"
        "os.write(2, b'a real warning\\n')\n"
    )
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delitem(sys.modules, "noisy_framework", raising=False)
    installation.import_quietly("noisy_framework")
    assert capfd.readouterr().err == "a real warning\n"
