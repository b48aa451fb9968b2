"""What a run shows a user: a summary that fits a screen and names the installation, no framework start-up notices,
and no green run on a GPU image that sees no GPU."""

import json
import sys
from pathlib import Path

import pytest

from rnnspec import installation
from rnnspec.divergences.conditions import EVERY_KERAS, case_has
from rnnspec.divergences.table import Divergence
from spec.meta.inner_run import run_plugin

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
    return run_plugin(pytester, monkeypatch, STATEMENTS, rows, "-rfE", *arguments)


def test_the_summary_counts_each_divergence_and_each_skip_reason_once_and_names_the_installation(pytester, monkeypatch):
    """Two xfailed cases of one divergence make one line with their count and its upstream report (the heading
    says how to reproduce one); three skips
    of one reason one line with their count; and the last line before the totals names the installation, under -q
    too, while no per-case XFAIL or SKIPPED line is printed."""
    row = Divergence(("test_statements.py::test_diverges",), ~case_has(cell="LSTM"), "Keras does otherwise",
                     seen_on="a meta-test", reproducer="made_up_reproducer", upstream=("https://example.org/1",))
    result = run(pytester, monkeypatch, "-q", rows=[row])
    result.assert_outcomes(passed=2, xfailed=2, skipped=3)
    result.stdout.fnmatch_lines([
        "*known divergences met: 2 strict xfails; rnnspec repro NAME reproduces one*",
        "    2  made_up_reproducer  (https://example.org/1)",
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


OWN_DIVERGENCES = """
[[divergence]]
statements = ["test_statements.py::test_diverges"]
where = { cell = "GRU" }
reason = "our GRU does otherwise"
link = "https://example.org/our-issue"

[[divergence]]
statements = ["test_statements.py::test_holds"]
backend = "jax"
reason = "only on JAX, which is not under test here"
"""


def test_a_users_own_known_divergences_are_strict_xfails_and_a_row_meeting_no_case_is_reported(pytester, monkeypatch):
    """`--known-divergences FILE` makes the cases its rows name strict xfails, counts them in the summary under the
    file's name, and reports the row that met no case."""
    pytester.path.joinpath("ours.toml").write_text(OWN_DIVERGENCES)
    result = run(pytester, monkeypatch, "-q", "--known-divergences=ours.toml")
    result.assert_outcomes(passed=2, failed=1, xfailed=1, skipped=3)  # SimpleRNN still fails: no row names it
    result.stdout.fnmatch_lines([
        "*known divergences met: 1 strict xfails*", "    1  ours.toml#1  (https://example.org/our-issue)",
        "*known divergences of ours.toml that matched no case*", "ours.toml#2: test_statements.py::test_holds",
    ])


@pytest.mark.parametrize("text, says", [
    ("[[divergence]]\nreason = 'no statements'\n", "needs statements"),
    ("[[divergence]]\nstatements = ['test_a.py::test_b']\nreason = 'r'\ncolour = 'blue'\n", "unknown keys*colour"),
    ("[[divergence]\n", "is not TOML"),
])
def test_a_file_of_divergences_that_cannot_be_used_stops_the_run_saying_why(pytester, monkeypatch, text, says):
    pytester.path.joinpath("ours.toml").write_text(text)
    result = run(pytester, monkeypatch, "-q", "--known-divergences=ours.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --known-divergences: *{says}*"])


def test_cells_selects_the_cases_of_those_cells_and_keeps_those_of_none(pytester, monkeypatch):
    """`--cells=LSTM,GRU` runs the cases whose cell is LSTM or GRU, and those that name no cell; an unknown cell
    stops the run, listing the valid ones."""
    result = run(pytester, monkeypatch, "-q", "--cells=LSTM,GRU")
    result.assert_outcomes(passed=2, failed=1, skipped=3)  # test_diverges[LSTM], [GRU]; test_holds; the skips
    unknown = run(pytester, monkeypatch, "-q", "--cells=LSTMCell")
    assert unknown.ret == pytest.ExitCode.USAGE_ERROR
    unknown.stderr.fnmatch_lines(["*--cells='LSTMCell' names LSTMCell; choose among: LSTM, GRU, SimpleRNN, ConvLSTM1D*"])


@pytest.mark.parametrize("given", ["0", "many"])
def test_explore_takes_a_positive_number_and_says_so_in_one_line(pytester, monkeypatch, given):
    """`--explore=N` (chapter 15's draws per statement) refuses anything but a positive number, in one line."""
    result = run(pytester, monkeypatch, "-q", f"--explore={given}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --explore='{given}': give the number of configurations to draw per statement*"])


def test_the_json_report_follows_its_schema_and_counts_what_the_run_counted(pytester, monkeypatch):
    """`--report-json PATH` writes the installation, each test's outcome with the divergence it is a strict xfail
    of, and the totals, as docs/report.schema.json describes them."""
    row = Divergence(("test_statements.py::test_diverges",), case_has(cell="GRU"), "Keras does otherwise",
                     seen_on="a meta-test", reproducer="made_up_reproducer")
    run(pytester, monkeypatch, "-q", "--report-json=out/report.json", rows=[row])
    report = json.loads((pytester.path / "out" / "report.json").read_text())
    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "report.schema.json").read_text())
    assert not violations(report, schema), violations(report, schema)
    assert report["totals"] == {"passed": 2, "failed": 1, "xfailed": 1, "skipped": 3}
    assert report["installation"]["described"] == installation.current().describe()
    assert {t["nodeid"].split("::")[1]: t["divergence"] for t in report["tests"] if t["divergence"]} == {
        "test_diverges[cell=GRU]": "made_up_reproducer"}
    assert [(d["name"], d["cases"]) for d in report["divergences_met"]] == [("made_up_reproducer", 1)]


def test_the_schema_check_finds_what_is_wrong():
    """The check below is able to fail: a missing key, a wrong type and a value out of its enumeration are found."""
    schema = {"type": "object", "required": ["a"], "additionalProperties": False,
              "properties": {"a": {"type": "integer"}, "b": {"enum": ["x"]}}}
    assert violations({"a": 1, "b": "x"}, schema) == []
    assert len(violations({"b": "y", "c": 1}, schema)) == 3


def violations(value, schema: dict, where: str = "report") -> list[str]:
    """What in `value` breaks `schema`, for the part of JSON Schema docs/report.schema.json uses (type, enum,
    required, properties, additionalProperties, items). Written here rather than depending on `jsonschema`, which
    the suite needs for this one check."""
    found = []
    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "null": type(None)}
    wanted = schema.get("type")
    if wanted and not any(isinstance(value, types[t]) and not (t == "integer" and isinstance(value, bool))
                          for t in ([wanted] if isinstance(wanted, str) else wanted)):
        return [f"{where} is {type(value).__name__}, not {wanted}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where} is {value!r}, none of {schema['enum']}")
    if isinstance(value, dict):
        found += [f"{where} lacks {key}" for key in schema.get("required", ()) if key not in value]
        properties, others = schema.get("properties", {}), schema.get("additionalProperties", True)
        for key, part in value.items():
            if key in properties:
                found += violations(part, properties[key], f"{where}.{key}")
            elif others is False:
                found.append(f"{where} has {key}, which the schema does not allow")
            elif isinstance(others, dict):
                found += violations(part, others, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, part in enumerate(value):
            found += violations(part, schema["items"], f"{where}[{index}]")
    return found
