"""What a run reports besides pytest's own: the installation in the header and in `--junitxml` reports, a summary at
the end that fits a screen (`RunSummary`), and with `--record-comparisons` every comparison's largest difference."""

import json
from collections import Counter
from pathlib import Path

import pytest

from rnnspec import installation
from rnnspec.divergences import table
from rnnspec.plugin.behaviour_matrix import PROPERTY, BehaviourMatrix, outcome_of
from rnnspec.statements import assertions


def pytest_report_header(config):
    return f"rnnspec: {installation.current().describe()}"


class RunSummary:
    """The end of a run, in a screen: the behaviour matrix and what it counts, one line per known divergence met
    (per-case lines with `-rx`), the skips grouped by reason (per file and line with `-rs`), and the installation
    under test, so that `-q` names it too. Fed by the reports, so that it sums the workers' outcomes under xdist."""

    def __init__(self, cases: str):
        self.cases = cases
        self.matrix = BehaviourMatrix()
        self.outcomes: dict[str, str] = {}  # nodeid -> its outcome
        self.on_the_matrix: set[str] = set()
        self.divergences: Counter = Counter()  # reproducer -> cases met
        self.skips: Counter = Counter()  # reason -> cases

    def pytest_runtest_logreport(self, report):
        self.matrix.record(report)
        outcome = outcome_of(report)
        if outcome is None or self.outcomes.get(report.nodeid) == "failed":
            return
        self.outcomes[report.nodeid] = outcome
        if any(name == PROPERTY for name, _ in report.user_properties):
            self.on_the_matrix.add(report.nodeid)
        if outcome == "xfailed":
            row = next((row for row in table.DIVERGENCES if row.xfail_reason == report.wasxfail), None)
            self.divergences[row.reproducer if row else report.wasxfail] += 1
        elif outcome == "skipped" and isinstance(report.longrepr, tuple):
            self.skips[report.longrepr[2].removeprefix("Skipped: ")] += 1

    def pytest_terminal_summary(self, terminalreporter):
        write = terminalreporter.write_line
        lines = self.matrix.lines()
        if lines:
            terminalreporter.write_sep("=", "rnnspec behaviour matrix: outcomes per configuration")
            for line in lines:
                write(line)
            for line in self.what_the_matrix_counts().splitlines():
                write(line)
        if self.divergences:
            terminalreporter.write_sep("=", f"known divergences met: {sum(self.divergences.values())} strict xfails")
            for name, count in sorted(self.divergences.items(), key=lambda item: (-item[1], item[0])):
                write(divergence_line(name, count))
            write("      (each case with its reason: -rx)")
        if self.skips:
            terminalreporter.write_sep("=", f"skipped: {sum(self.skips.values())}, by reason")
            for reason, count in sorted(self.skips.items(), key=lambda item: (-item[1], item[0])):
                write(f"{count:>5}  {reason}")
            write("      (each file and line: -rs)")
        terminalreporter.write_sep("=", f"rnnspec: {installation.current().describe()} | cases: {self.cases}")

    def what_the_matrix_counts(self) -> str:
        counted, total = len(self.on_the_matrix), len(self.outcomes)
        return (
            f"It counts {counted} of the {total} tests: those held against one configuration (a stack's in each of its"
            f" cells).\nThe other {total - counted} count in the totals alone: GPU cases skipped here, meta-tests, and"
            " statements on errors, stacking and tools."
        )


def divergence_line(name: str, count: int) -> str:
    """A known divergence met, by its reproducer's name: how many cases, how to reproduce it, where it is reported."""
    rows = [row for row in table.DIVERGENCES if row.reproducer == name]
    if not rows:
        return f"{count:>5}  {name}"
    links = ", ".join(sorted({link for row in rows for link in row.upstream})) or "none found"
    return f"{count:>5}  {name}  (python -m rnnspec.divergences.repro {name}; upstream: {links})"


class ComparisonRecorder:
    """Keeps rnnspec.statements.assertions recording while the session runs, each comparison under the test that made it, and
    writes the record with the installation at the end."""

    def __init__(self, path: Path):
        self.path = path
        self.record = assertions.ComparisonRecord()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        self.record.test = item.nodeid
        assertions.recording = self.record
        try:
            return (yield)
        finally:
            assertions.recording = None

    def pytest_sessionfinish(self):
        described = installation.current()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({
            "installation": described.describe(),
            "backend": described.backend,
            "gpus": list(described.gpus),
            "gpu_software": installation.gpu_software(),
            "comparisons": self.record.comparisons,
        }, indent=1))


def pytest_sessionstart(session):
    """The installation under test, in `--junitxml` reports, for the version matrix: written by the process that
    writes the report (under pytest-xdist the main one, which runs no test, so not through a fixture)."""
    from _pytest.junitxml import xml_key  # where pytest's own record_testsuite_property finds the report

    report = session.config.stash.get(xml_key, None)
    if report is not None:
        report.add_global_property("rnnspec.installation", installation.current().describe())
        report.add_global_property("rnnspec.cases", session.config.getoption("--cases"))
