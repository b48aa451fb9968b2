"""What the README and the pages under docs/ show is what the code does: outputs generated from a command are that
command's output today, the end of a run shown is in the form a run prints it, every local link leads somewhere,
and the README stays short."""

import re
from pathlib import Path

import pytest

from rnnspec.plugin.reporting import RunSummary
from rnnspec.tools import cli

pytestmark = pytest.mark.meta

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]


def shown_block(text: str, marker: str) -> str:
    """The fenced block right after the HTML comment that starts with `marker`."""
    start = text.index(marker)
    found = re.compile(r"```\w*\n(.*?)\n```", re.S).search(text, start)
    return found[1]


def test_the_readme_fits_a_first_reading():
    lines = len(README.read_text().splitlines())
    assert lines <= 200, f"README.md has {lines} lines; move detail to a page under docs/"


def test_the_command_lines_help_shown_is_what_it_prints(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # as the marker says it was generated
    shown = shown_block(README.read_text(), "<!-- output of `COLUMNS=100 rnnspec --help`")
    assert shown == cli.parser().format_help().rstrip("\n"), (
        "README.md's `rnnspec --help` is not what the command prints; paste `COLUMNS=100 rnnspec --help` again"
    )


def test_the_end_of_a_run_shown_is_in_the_form_a_run_prints():
    """The README's end of a run has the sections the plugin's summary writes, in its order, and ends on the line
    that names the installation and the cases, as RunSummary writes it."""
    shown = shown_block(README.read_text(), "<!-- the end of a real run:").splitlines()
    headings = [line.strip("= ") for line in shown if line.startswith("=")]
    expected = ["rnnspec behaviour matrix: outcomes per configuration", "known divergences met", "skipped"]
    found = [next((h for h in headings if h.startswith(e)), None) for e in expected]
    assert None not in found and found == sorted(found, key=headings.index), headings
    assert re.fullmatch(r"rnnspec: Keras [\d.]+ on \w+ \| .+ \| devices: [\w, ]+ \| cases: (all|each-choice)", headings[-2])
    assert re.fullmatch(r"\d+ passed, .* in [\d.]+s \(\d+:\d+:\d+\)", headings[-1]), headings[-1]
    assert "what_the_matrix_counts" in dir(RunSummary)  # the sentence below the matrix: shown as the run writes it
    assert any(line.startswith("It counts ") for line in shown)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_local_link_leads_somewhere(page):
    text = page.read_text()
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    missing = [link for link in links if not link.startswith(("http://", "https://", "mailto:"))
               and not (page.parent / link).exists()]
    assert not missing, f"{page.relative_to(ROOT)} links to what is not there: {missing}"
