"""What a run reports besides pytest's own: the installation in the header and in `--junitxml` reports, a summary at
the end that fits a screen (`RunSummary`), and with `--record-comparisons` every comparison's largest difference."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from rnnspec import installation
from rnnspec.divergences import table
from rnnspec.plugin.behaviour_matrix import OUTCOMES, PROPERTY, BehaviourMatrix, outcome_of
from rnnspec.statements import assertions


def pytest_report_header(config):
    return f"rnnspec: {installation.current().describe()}"


class RunSummary:
    """The end of a run, in a screen: the behaviour matrix and what it counts, one line per known divergence met
    (per-case lines with `-rx`), the skips grouped by reason (per file and line with `-rs`), the rows of a user's
    file of known divergences that matched no case, and the installation under test, so that `-q` names it too; and
    with `--report-json` the same as JSON (docs/report.md). Fed by the reports, so that it sums the workers' outcomes
    under xdist."""

    def __init__(self, cases: str, rows=None, own_file: Path | None = None, report_path: Path | None = None):
        self.cases = cases
        self.rows = table.DIVERGENCES if rows is None else rows
        self.own_file, self.report_path = own_file, report_path
        self.matrix = BehaviourMatrix()
        self.outcomes: dict[str, str] = {}  # nodeid -> its outcome
        self.met: dict[str, object] = {}  # nodeid -> the row it is a strict xfail of
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
            row = next((row for row in self.rows if row.xfail_reason == report.wasxfail), None)
            if row:
                self.met[report.nodeid] = row
            self.divergences[row.reproducer if row else report.wasxfail] += 1
        elif outcome == "skipped" and isinstance(report.longrepr, tuple):
            self.skips[report.longrepr[2].removeprefix("Skipped: ")] += 1

    def unmatched(self) -> list:
        """The rows of the user's file that no case met."""
        own = [row for row in self.rows if self.own_file and row.seen_on == self.own_file.name]
        return [row for row in own if row not in set(self.met.values())]

    def pytest_terminal_summary(self, terminalreporter):
        write = terminalreporter.write_line
        lines = self.matrix.lines()
        if lines:
            terminalreporter.write_sep("=", "rnnspec behaviour matrix: outcomes per configuration")
            for line in lines:
                write(line)
            for line in self.what_the_matrix_counts().splitlines():
                write(line)
        width = getattr(terminalreporter._tw, "fullwidth", 120)  # pytest's own short summary fits lines so too
        fitted = lambda line: line if len(line) <= width else line[: width - 3] + "..."
        if self.divergences:
            met = sum(self.divergences.values())
            terminalreporter.write_sep("=", f"known divergences met: {met} strict xfails; rnnspec repro NAME reproduces one")
            for name, count in sorted(self.divergences.items(), key=lambda item: (-item[1], item[0])):
                write(fitted(divergence_line(name, count, self.rows)))
        if self.unmatched():
            terminalreporter.write_sep("=", f"known divergences of {self.own_file} that matched no case")
            for row in self.unmatched():
                write(fitted(f"{row.reproducer}: {', '.join(row.statements)}"))
        if self.skips:
            terminalreporter.write_sep("=", f"skipped: {sum(self.skips.values())}, by reason")
            for reason, count in sorted(self.skips.items(), key=lambda item: (-item[1], item[0])):
                write(fitted(f"{count:>5}  {reason}"))
        if self.divergences or self.skips:
            write("(each xfailed case with its reason: -rx; each skipped one with its file and line: -rs)")
        terminalreporter.write_sep("=", f"rnnspec: {installation.current().describe()} | cases: {self.cases}")

    def pytest_sessionfinish(self, session, exitstatus):
        if self.report_path:
            self.report_path.parent.mkdir(parents=True, exist_ok=True)
            self.report_path.write_text(json.dumps(self.as_json(session.config, int(exitstatus)), indent=1))

    def as_json(self, config, exitstatus: int) -> dict:
        """The run as docs/report.schema.json describes it."""
        here = installation.current()
        totals = Counter(self.outcomes.values())
        by_name = {}
        for row in self.met.values():
            by_name.setdefault(row.reproducer, row)
        return {
            "format": REPORT_FORMAT,
            "exit_status": exitstatus,
            "installation": {
                "described": here.describe(), "keras": here.keras_module, "keras_version": here.keras_version,
                "backend": here.backend, "frameworks": here.framework_versions, "gpus": list(here.gpus),
            },
            "options": {"cases": self.cases, "devices": list(config.getoption("--devices").split(","))
                        if config.getoption("--devices") else ["cpu", "gpu"],
                        "cells": config.getoption("--cells").split(",") if config.getoption("--cells") else None},
            "totals": {outcome: totals[outcome] for outcome in OUTCOMES},
            "tests": [
                {"nodeid": nodeid, "statement": statement_of(nodeid), "outcome": outcome,
                 "divergence": self.met[nodeid].reproducer if nodeid in self.met else None}
                for nodeid, outcome in self.outcomes.items()
            ],
            "behaviour_matrix": [
                {"cell": cell, "return_sequences": sequences, "return_state": state, "device": device,
                 "outcomes": dict(Counter(outcomes.values()))}
                for (cell, sequences, state, device), outcomes in sorted(self.matrix.outcomes.items(), key=str)
            ],
            "divergences_met": [
                {"name": name, "cases": self.divergences[name], "reason": row.reason, "upstream": list(row.upstream)}
                for name, row in sorted(by_name.items())
            ],
            "unmatched_known_divergences": [
                {"name": row.reproducer, "statements": list(row.statements), "reason": row.reason}
                for row in self.unmatched()
            ],
        }

    def what_the_matrix_counts(self) -> str:
        counted, total = len(self.on_the_matrix), len(self.outcomes)
        return (
            f"It counts {counted} of the {total} tests: those held against one configuration (a stack's in each of its"
            f" cells).\nThe other {total - counted} count in the totals alone: GPU cases skipped here, meta-tests, and"
            " statements on errors, stacking and tools."
        )


REPORT_FORMAT = "rnnspec-report-1"


def statement_of(nodeid: str) -> str:
    """chapter.py::test_name, as the table of known divergences names a statement."""
    path, _, test = nodeid.partition("::")
    return f"{path.rsplit('/', 1)[-1]}::{test.split('[', 1)[0]}"


def divergence_line(name: str, count: int, rows=None) -> str:
    """A known divergence met, by its reproducer's name: how many cases, and where it is reported upstream."""
    rows = [row for row in (table.DIVERGENCES if rows is None else rows) if row.reproducer == name]
    if not rows:
        return f"{count:>5}  {name}"
    links = ", ".join(sorted({short_link(link) for row in rows for link in row.upstream})) or "not reported upstream"
    return f"{count:>5}  {name}  ({links})"


def short_link(url: str) -> str:
    """keras-team/keras#17596 for https://github.com/keras-team/keras/issues/17596, as GitHub writes it."""
    found = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)/(?:issues|pull)/(\d+)", url)
    return f"{found[1]}#{found[2]}" if found else url


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
