"""The version matrix report: statement × environment, from the JUnit XML files that `nox` leaves behind, and
known divergence × environment, from the records of `python -m rnnspec.repro --run --record` beside them.

    python -m rnnspec.version_matrix RESULTS_DIR OUTPUT_STEM    # writes OUTPUT_STEM.md and OUTPUT_STEM.html

A cell counts the statement's cases by outcome in that environment; every failure links to its message. For each
known divergence, a cell says what its minimal reproducer said there: still diverges, fixed, not applicable.
"""

import html
import json
import re
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

OUTCOMES = ("passed", "failed", "xfailed", "skipped")
REPRODUCERS_RECORD = ".reproducers.json"  # beside ENVIRONMENT.xml: what `python -m rnnspec.repro --run` said there


@dataclass
class Environment:
    name: str
    installation: str = "unknown"
    counts: dict = field(default_factory=lambda: defaultdict(Counter))  # statement -> outcome -> count
    failures: list = field(default_factory=list)  # (statement, case id, message)
    skip_reasons: Counter = field(default_factory=Counter)  # why cases were skipped -> how many
    reproducers: list = field(default_factory=list)  # rnnspec.repro.record's entries: name, divergences, outcome...


def outcome_of(case) -> tuple[str, str]:
    for tag in ("failure", "error"):
        found = case.find(tag)
        if found is not None:
            return "failed", (found.get("message") or "") + "\n" + (found.text or "")
    skipped = case.find("skipped")
    if skipped is not None:
        return ("xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"), skipped.get("message") or ""
    return "passed", ""


def read(path: Path) -> Environment:
    environment = Environment(path.stem)
    root = ElementTree.parse(path).getroot()
    for prop in root.iter("property"):
        if prop.get("name") == "rnnspec.installation":
            environment.installation = prop.get("value")
    for case in root.iter("testcase"):
        name = case.get("name", "")
        statement = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{name.split('[')[0]}"
        outcome, message = outcome_of(case)
        environment.counts[statement][outcome] += 1
        if outcome == "failed":
            environment.failures.append((statement, name, message.strip()))
        elif outcome == "skipped":
            environment.skip_reasons[message] += 1
    record = path.with_name(path.stem + REPRODUCERS_RECORD)
    if record.is_file():
        environment.reproducers = json.loads(record.read_text())["reproducers"]
    return environment


def cell(counts: Counter) -> str:
    return ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts[o]) or "–"


def anchor(environment: str, statement: str) -> str:
    return "fail-" + "".join(c if c.isalnum() else "-" for c in f"{environment}-{statement}").lower()


def reproducer_cell(entry: dict | None) -> str:
    """What the reproducer said in an environment: its outcome, "–" where it does not apply, why where it could
    not run; "no record" where the environment has none."""
    if entry is None:
        return "no record"
    outcome = "–" if entry["outcome"] == "not applicable here" else entry["outcome"]
    return f"{outcome} ({entry['why']})" if entry["why"] else outcome


def divergence_rows(environments: list[Environment]) -> list[tuple[str, str, list[str]]]:
    """(reproducer, its divergences, a cell per environment), in the order of the newest record."""
    entries = {entry["name"]: entry for e in environments for entry in e.reproducers}
    return [
        (name, "; ".join(entry["divergences"]),
         [reproducer_cell(next((x for x in e.reproducers if x["name"] == name), None)) for e in environments])
        for name, entry in entries.items()
    ]


def markdown(environments: list[Environment]) -> str:
    statements = sorted({s for e in environments for s in e.counts})
    lines = [f"# Version matrix ({date.today().isoformat()})", "",
             "Statement × environment: how many cases passed, failed, xfailed (a known divergence, stated as "
             "such) or were skipped (cannot run there, e.g. GPU cases). `nox` regenerates this page; see the "
             "README for how to read it.", "", "| environment | installation |", "| --- | --- |"]
    lines += [f"| {e.name} | {e.installation.replace('|', '·')} |" for e in environments]
    lines += ["", "| statement | " + " | ".join(e.name for e in environments) + " |",
              "| --- |" + " --- |" * len(environments)]
    for statement in statements:
        cells = []
        for e in environments:
            text = cell(e.counts.get(statement, Counter()))
            cells.append(f"[{text}](#{anchor(e.name, statement)})" if e.counts.get(statement, {}).get("failed") else text)
        lines.append(f"| `{statement}` | " + " | ".join(cells) + " |")
    rows = divergence_rows(environments)
    if rows:
        meaning = ("What each known divergence's minimal reproducer (`python -m rnnspec.repro --run`, "
                   "rnnspec/reproducers) said in each environment: *still diverges*, *fixed* (the table of known "
                   "divergences needs updating), or – where the table does not apply it.")
        lines += ["", "## Known divergences × environment", "", meaning, "",
                  "| divergence | reproducer | " + " | ".join(e.name for e in environments) + " |",
                  "| --- | --- |" + " --- |" * len(environments)]
        lines += [f"| {divergences} | `{name}` | " + " | ".join(cells) + " |" for name, divergences, cells in rows]
    for e in environments:
        for statement in sorted({f[0] for f in e.failures}):
            lines += ["", f'<a id="{anchor(e.name, statement)}"></a>', f"### {e.name}: `{statement}`", ""]
            for _, case, message in [f for f in e.failures if f[0] == statement][:3]:
                lines += [f"- `{case}`", "", "  ```", *("  " + line for line in message.splitlines()[:12]), "  ```"]
    return "\n".join(lines) + "\n"


# A reproducer's outcome in the page's colours: diverging as a known divergence, fixed and failing as failures
REPRODUCER_CLASSES = {"still diverges": "xfailed", "fixed": "failed", "failed to run": "failed"}


def html_page(environments: list[Environment]) -> str:
    statements = sorted({s for e in environments for s in e.counts})
    head = "".join(f"<th>{html.escape(e.name)}</th>" for e in environments)
    rows = []
    for statement in statements:
        cells = []
        for e in environments:
            counts = e.counts.get(statement, Counter())
            text = html.escape(cell(counts))
            kind = "failed" if counts["failed"] else ("xfailed" if counts["xfailed"] else ("passed" if counts["passed"] else "skipped"))
            link = f'<a href="#{anchor(e.name, statement)}">{text}</a>' if counts["failed"] else text
            cells.append(f'<td class="{kind}">{link}</td>')
        rows.append(f"<tr><th class=statement>{html.escape(statement)}</th>{''.join(cells)}</tr>")
    details = []
    for e in environments:
        for statement in sorted({f[0] for f in e.failures}):
            cases = "".join(
                f"<h4>{html.escape(case)}</h4><pre>{html.escape(message)}</pre>"
                for _, case, message in [f for f in e.failures if f[0] == statement]
            )
            details.append(f'<section id="{anchor(e.name, statement)}"><h3>{html.escape(e.name)}: '
                           f"{html.escape(statement)}</h3>{cases}</section>")
    reproducer_rows = "".join(
        f"<tr><th class=statement>{html.escape(divergences)}<br><code>{html.escape(name)}</code></th>"
        + "".join(f'<td class="{REPRODUCER_CLASSES.get(cell.split(" (")[0], "skipped")}">{html.escape(cell)}</td>'
                  for cell in cells)
        + "</tr>"
        for name, divergences, cells in divergence_rows(environments)
    )
    reproducers = (f"<h2>Known divergences</h2><table><tr><th>divergence, reproducer</th>{head}</tr>{reproducer_rows}"
                   "</table>" if reproducer_rows else "")
    installations = "".join(f"<li><b>{html.escape(e.name)}</b>: {html.escape(e.installation)}</li>" for e in environments)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>rnnspec version matrix</title><style>
body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:4px 8px;font-size:13px}}
th.statement{{text-align:left;font-family:monospace;font-weight:normal}} td.passed{{background:#e6f4ea}} td.failed{{background:#fce8e6}}
td.xfailed{{background:#fef7e0}} td.skipped{{background:#f1f3f4}} pre{{background:#f6f8fa;padding:8px;overflow:auto}}
</style></head><body><h1>rnnspec version matrix ({date.today().isoformat()})</h1><ul>{installations}</ul>
<table><tr><th>statement</th>{head}</tr>{''.join(rows)}</table>{reproducers}<h2>Failures</h2>{''.join(details) or '<p>none</p>'}</body></html>
"""


def natural_order(path: Path) -> list:
    """keras-3.5 before keras-3.10: numbers compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.stem)]


def main(results: str, output_stem: str) -> None:
    environments = [read(path) for path in sorted(Path(results).glob("*.xml"), key=natural_order)]
    if not environments:
        sys.exit(f"no JUnit XML files in {results}: run `nox` first")
    stem = Path(output_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".md").write_text(markdown(environments))
    stem.with_suffix(".html").write_text(html_page(environments))
    print(f"wrote {stem.with_suffix('.md')} and {stem.with_suffix('.html')} for {len(environments)} environments")


if __name__ == "__main__":
    main(*sys.argv[1:3])
