"""What a run reports besides pytest's own: the installation in the header and in `--junitxml` reports, the
behaviour matrix at the end, and with `--record-comparisons` every comparison's largest difference."""

import json
from pathlib import Path

import pytest

from rnnspec import installation
from rnnspec.plugin.behaviour_matrix import BehaviourMatrix
from rnnspec.statements import assertions


def pytest_report_header(config):
    return f"rnnspec: {installation.current().describe()}"


class MatrixReporter:
    def __init__(self):
        self.matrix = BehaviourMatrix()

    def pytest_runtest_logreport(self, report):
        self.matrix.record(report)

    def pytest_terminal_summary(self, terminalreporter):
        lines = self.matrix.lines()
        if lines:
            terminalreporter.write_sep("=", "rnnspec behaviour matrix (outcomes of the statements per configuration)")
            for line in lines:
                terminalreporter.write_line(line)


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
