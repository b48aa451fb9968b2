"""The version matrix report, from the JUnit XML files that `nox` leaves behind and the records of
`python -m rnnspec.repro --run --record` beside them. It leads with what differs:

1. a summary per environment: how many cases passed, failed, xfailed (a known divergence) and were skipped (could
   not run there);
2. the statements whose outcome differs between environments, each with the environments grouped by outcome;
3. the behaviour changelog: what changed between consecutive releases of each Keras on each backend;
4. known divergence × environment, by their reproducers;
5. the statements with the same outcome everywhere, folded; then the failures' messages.

    python -m rnnspec.version_matrix RESULTS_DIR OUTPUT_STEM    # writes OUTPUT_STEM.md and OUTPUT_STEM.html
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

from packaging.version import InvalidVersion, Version

OUTCOMES = ("passed", "failed", "xfailed", "skipped")
REPRODUCERS_RECORD = ".reproducers.json"  # beside ENVIRONMENT.xml: what `python -m rnnspec.repro --run` said there
# rnnspec.installation.Installation.describe(): "Keras 3.0.0 on tensorflow | ..." or "Keras 2.21.0 (tf_keras) on ..."
DESCRIBED = re.compile(r"Keras (?P<version>\S+)(?P<tf_keras> \(tf_keras\))? on (?P<backend>\w+)")
LINE_NAMES = {("keras", "tensorflow"): "Keras 3 on TensorFlow", ("keras", "jax"): "Keras 3 on JAX",
              ("keras", "torch"): "Keras 3 on PyTorch", ("tf_keras", "tensorflow"): "tf_keras on TensorFlow"}
FOLD_AFTER = 4  # the largest group of environments with one outcome is named "the N others" past this many


@dataclass
class Environment:
    name: str
    installation: str = "unknown"
    counts: dict = field(default_factory=lambda: defaultdict(Counter))  # statement -> outcome -> count
    failures: list = field(default_factory=list)  # (statement, case id, message)
    skip_reasons: Counter = field(default_factory=Counter)  # why cases were skipped -> how many
    cases: dict = field(default_factory=dict)  # (statement, case id) -> (outcome, message)
    reproducers: list = field(default_factory=list)  # rnnspec.repro.record's entries: name, divergences, outcome...

    @property
    def line(self) -> tuple[str, str]:
        """(the Keras module, the backend): the releases of one line are compared with each other."""
        found = DESCRIBED.match(self.installation)
        return ("tf_keras" if found and found["tf_keras"] else "keras", found["backend"] if found else "unknown")

    @property
    def release(self) -> Version:
        found = DESCRIBED.match(self.installation)
        try:
            return Version(found["version"]) if found else Version("0")
        except InvalidVersion:
            return Version("0")

    def totals(self) -> Counter:
        return sum(self.counts.values(), Counter())

    def cell(self, statement: str) -> str:
        return cell(self.counts.get(statement, Counter()))


# Keras prints its errors' key line in bold: the terminal's escape, as pytest's JUnit writer escapes it.
TERMINAL_STYLE = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*m")


def outcome_of(case) -> tuple[str, str]:
    for tag in ("failure", "error"):
        found = case.find(tag)
        if found is not None:
            return "failed", TERMINAL_STYLE.sub("", (found.get("message") or "") + "\n" + (found.text or ""))
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
        environment.cases[statement, name] = (outcome, message.strip())
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


def natural_order(path: Path) -> list:
    """keras-3.5 before keras-3.10: numbers compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.stem)]


def page_order(environment: Environment) -> tuple:
    """Keras 3 on TensorFlow, JAX, PyTorch, then tf_keras; within each, release by release (nightlies last)."""
    lines = list(LINE_NAMES)
    line = environment.line
    return (lines.index(line) if line in lines else len(lines), line, environment.release, environment.name)


def read_all(results: Path) -> list[Environment]:
    return sorted((read(path) for path in sorted(Path(results).glob("*.xml"), key=natural_order)), key=page_order)


def statements_of(environments: list[Environment]) -> list[str]:
    return sorted({s for e in environments for s in e.counts})


def groups(environments: list[Environment], statement: str) -> list[tuple[str, list[Environment]]]:
    """The environments grouped by the statement's outcome there, the largest group last."""
    by_cell = defaultdict(list)
    for e in environments:
        by_cell[e.cell(statement)].append(e)
    return sorted(by_cell.items(), key=lambda item: len(item[1]))


def differing(environments: list[Environment]) -> list[str]:
    return [s for s in statements_of(environments) if len(groups(environments, s)) > 1]


def lines_of(environments: list[Environment]) -> dict[tuple[str, str], list[Environment]]:
    """Each line's environments, release by release."""
    found = defaultdict(list)
    for e in sorted(environments, key=page_order):
        found[e.line].append(e)
    return dict(found)


def changes(before: Environment, after: Environment) -> list[tuple[str, str, str]]:
    """(statement, its outcome before, after) for every statement whose outcome differs between two releases."""
    return [(s, before.cell(s), after.cell(s)) for s in statements_of([before, after]) if before.cell(s) != after.cell(s)]


def changelog(environments: list[Environment]) -> list[tuple[str, Environment, Environment, list]]:
    """(line name, release before, release after, changes) for each pair of consecutive releases of a line."""
    return [
        (LINE_NAMES.get(line, " on ".join(line)), before, after, changes(before, after))
        for line, members in lines_of(environments).items()
        for before, after in zip(members, members[1:])
    ]


def reproducer_cell(entry: dict | None) -> str:
    """What the reproducer said in an environment: its outcome, "–" where it does not apply, why where it could
    not run; "no record" where the environment has none."""
    if entry is None:
        return "no record"
    outcome = "–" if entry["outcome"] == "not applicable here" else entry["outcome"]
    return f"{outcome} ({entry['why']})" if entry["why"] else outcome


def divergence_rows(environments: list[Environment]) -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    """(reproducer, its divergences, [(what it said, the environments where it said so)]), the largest group last,
    in the order of the newest record."""
    entries = {entry["name"]: entry for e in environments for entry in e.reproducers}
    rows = []
    for name, entry in entries.items():
        said = defaultdict(list)
        for e in environments:
            said[reproducer_cell(next((x for x in e.reproducers if x["name"] == name), None))].append(e.name)
        rows.append((name, "; ".join(entry["divergences"]), sorted(said.items(), key=lambda item: len(item[1]))))
    return rows


def named(names: list[str], total: int, last: bool) -> str:
    """The environments of a group, or "the N others" for the largest of many."""
    if last and len(names) > FOLD_AFTER and len(names) < total:
        return f"the {len(names)} others"
    if len(names) == total and total > 1:
        return f"all {total}"
    return ", ".join(names)


# Markdown

def md_environments(group: list[Environment], statement: str, total: int, last: bool) -> str:
    if last and len(group) > FOLD_AFTER and len(group) < total:
        return f"the {len(group)} others"
    return ", ".join(f"[{e.name}](#{anchor(e.name, statement)})" if e.counts.get(statement, {}).get("failed")
                     else e.name for e in group)


def markdown(environments: list[Environment]) -> str:
    environments = sorted(environments, key=page_order)
    total = len(environments)
    differ = differing(environments)
    same = [s for s in statements_of(environments) if s not in differ]
    lines = [f"# Version matrix ({date.today().isoformat()})", "",
             "`pytest spec` on each environment (CPU builds; `nox` regenerates this page, see the README). "
             "*skipped* is what could not run there; *xfailed* a known divergence, stated as such.", "",
             "## Summary", "", "| environment | installation | passed | failed | xfailed | skipped |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for e in environments:
        totals = e.totals()
        installed = e.installation.split(" | ")[1] if " | " in e.installation else e.installation
        lines.append(f"| {e.name} | {installed} | " + " | ".join(str(totals[o]) for o in OUTCOMES) + " |")
    lines += ["", f"## Statements whose outcome differs ({len(differ)} of {len(differ) + len(same)})", "",
              "Each statement's outcomes (cases by outcome), and where each was seen; a failing environment links to "
              "its messages.", ""]
    for statement in differ:
        found = groups(environments, statement)
        lines += [f"**`{statement}`**", "", "| outcome | environments |", "| --- | --- |"]
        lines += [f"| {outcome} | {md_environments(group, statement, total, i == len(found) - 1)} |"
                  for i, (outcome, group) in enumerate(found)]
        lines.append("")
    lines += ["## Behaviour changelog", "",
              "What changed between consecutive releases of each Keras on each backend (of those in the matrix): "
              "each statement whose outcome changed, before → after. `python -m rnnspec.bisect STATEMENT` names "
              "the release where one changed, with the messages on both sides.", ""]
    for line_name, before, after, changed in changelog(environments):
        heading = f"- **{line_name}: {before.release} → {after.release}**"
        if not changed:
            lines.append(f"{heading}: no change")
            continue
        lines.append(f"{heading} ({before.name} → {after.name}):")
        lines += [f"  - `{s}`: {was} → {now}" for s, was, now in changed]
    rows = divergence_rows(environments)
    if rows:
        lines += ["", "## Known divergences × environment", "",
                  "What each known divergence's minimal reproducer (`python -m rnnspec.repro --run`, "
                  "rnnspec/reproducers) said in each environment: *still diverges*, *fixed* (the table of known "
                  "divergences needs updating), or – where the table does not apply it.", "",
                  "| divergence | reproducer | said: where |", "| --- | --- | --- |"]
        for name, divergences, said in rows:
            where = "; ".join(f"{outcome}: {named(names, total, i == len(said) - 1)}"
                              for i, (outcome, names) in enumerate(said))
            lines.append(f"| {divergences} | `{name}` | {where} |")
    lines += ["", f"## Statements with the same outcome everywhere ({len(same)})", "", "<details><summary>"
              f"{len(same)} statements, one outcome in all {total} environments</summary>", "",
              "| statement | outcome |", "| --- | --- |"]
    lines += [f"| `{s}` | [{environments[0].cell(s)}](#{anchor(environments[0].name, s)}) |"
              if environments[0].counts[s]["failed"] else f"| `{s}` | {environments[0].cell(s)} |" for s in same]
    lines += ["", "</details>", "", "## Failures"]
    for e in environments:
        for statement in sorted({f[0] for f in e.failures}):
            lines += ["", f'<a id="{anchor(e.name, statement)}"></a>', f"### {e.name}: `{statement}`", ""]
            for _, case, message in [f for f in e.failures if f[0] == statement][:3]:
                lines += [f"- `{case}`", "", "  ```", *("  " + line for line in message.splitlines()[:12]), "  ```"]
    return "\n".join(lines) + "\n"


# HTML: the same sections, self-contained, at a laptop's width (no table wider than its text).

def kind(outcome: str) -> str:
    """The colour of an outcome cell: its worst outcome."""
    return next((o for o in ("failed", "xfailed", "passed") if re.search(rf"\b{o}\b", outcome)), "skipped")


# A reproducer's outcome in the page's colours: diverging as a known divergence, fixed and failing as failures
REPRODUCER_CLASSES = {"still diverges": "xfailed", "fixed": "failed", "failed to run": "failed"}


def html_environments(group: list[Environment], statement: str, total: int, last: bool) -> str:
    if last and len(group) > FOLD_AFTER and len(group) < total:
        return f"the {len(group)} others"
    return ", ".join(f'<a href="#{anchor(e.name, statement)}">{html.escape(e.name)}</a>'
                     if e.counts.get(statement, {}).get("failed") else html.escape(e.name) for e in group)


def html_page(environments: list[Environment]) -> str:
    environments = sorted(environments, key=page_order)
    total = len(environments)
    esc = html.escape
    differ = differing(environments)
    same = [s for s in statements_of(environments) if s not in differ]
    summary = "".join(
        f"<tr><th>{esc(e.name)}</th><td class=installation>{esc(e.installation.split(' | ')[1] if ' | ' in e.installation else e.installation)}</td>"
        + "".join(f'<td class="{o if e.totals()[o] else ""} n">{e.totals()[o]}</td>' for o in OUTCOMES) + "</tr>"
        for e in environments)
    differences = "".join(
        f"<h3><code>{esc(s)}</code></h3><table>"
        + "".join(f'<tr><td class="{kind(outcome)} outcome">{esc(outcome)}</td>'
                  f"<td>{html_environments(group, s, total, i == len(found) - 1)}</td></tr>"
                  for i, (outcome, group) in enumerate(found))
        + "</table>"
        for s in differ for found in [groups(environments, s)])
    log = []
    for line_name, before, after, changed in changelog(environments):
        title = f"{esc(line_name)}: {before.release} → {after.release}"
        if not changed:
            log.append(f"<li><b>{title}</b>: no change</li>")
            continue
        items = "".join(f'<li><code>{esc(s)}</code>: <span class="{kind(was)}">{esc(was)}</span> → '
                        f'<span class="{kind(now)}">{esc(now)}</span></li>' for s, was, now in changed)
        log.append(f"<li><b>{title}</b> ({esc(before.name)} → {esc(after.name)})<ul>{items}</ul></li>")
    rows = divergence_rows(environments)
    reproducers = "".join(
        f"<tr><th class=statement>{esc(divergences)}<br><code>{esc(name)}</code></th><td>"
        + "<br>".join(f'<span class="{REPRODUCER_CLASSES.get(outcome.split(" (")[0], "skipped")}">{esc(outcome)}</span>: '
                      f"{esc(named(names, total, i == len(said) - 1))}" for i, (outcome, names) in enumerate(said))
        + "</td></tr>"
        for name, divergences, said in rows)
    reproducers = (f"<h2>Known divergences</h2><table><tr><th>divergence, reproducer</th><th>said: where</th></tr>"
                   f"{reproducers}</table>" if reproducers else "")
    folded = "".join(f'<tr><th class=statement>{esc(s)}</th><td class="{kind(environments[0].cell(s))}">'
                     + (f'<a href="#{anchor(environments[0].name, s)}">{esc(environments[0].cell(s))}</a>'
                        if environments[0].counts[s]["failed"] else esc(environments[0].cell(s)))
                     + "</td></tr>" for s in same)
    details = []
    for e in environments:
        for statement in sorted({f[0] for f in e.failures}):
            cases = "".join(
                f"<h4>{esc(case)}</h4><pre>{esc(message)}</pre>"
                for _, case, message in [f for f in e.failures if f[0] == statement][:3]
            )
            details.append(f'<section id="{anchor(e.name, statement)}"><h3>{esc(e.name)}: '
                           f"{esc(statement)}</h3>{cases}</section>")
    return f"""<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>rnnspec version matrix</title><style>
body{{font-family:sans-serif;margin:2em auto;max-width:72em;padding:0 1em}} table{{border-collapse:collapse;margin:.5em 0}}
td,th{{border:1px solid #ccc;padding:3px 8px;font-size:13px;vertical-align:top}} th{{text-align:left}} td.n{{text-align:right}}
th.statement{{font-family:monospace;font-weight:normal;word-break:break-all}} td.outcome{{white-space:nowrap}}
.passed{{background:#e6f4ea}} .failed{{background:#fce8e6}} .xfailed{{background:#fef7e0}} .skipped{{background:#f1f3f4}}
h3{{font-size:14px;margin:1.2em 0 .2em}} code{{word-break:break-all}} pre{{background:#f6f8fa;padding:8px;overflow:auto}}
</style></head><body><h1>rnnspec version matrix ({date.today().isoformat()})</h1>
<p><code>pytest spec</code> on each environment (CPU builds). <i>skipped</i> is what could not run there; <i>xfailed</i>
a known divergence, stated as such.</p>
<h2>Summary</h2><table><tr><th>environment</th><th>installation</th>{''.join(f'<th>{o}</th>' for o in OUTCOMES)}</tr>{summary}</table>
<h2>Statements whose outcome differs ({len(differ)} of {len(differ) + len(same)})</h2>{differences or '<p>none</p>'}
<h2>Behaviour changelog</h2><p>What changed between consecutive releases of each Keras on each backend; <code>python -m
rnnspec.bisect STATEMENT</code> names the release where one changed, with the messages on both sides.</p><ul>{''.join(log)}</ul>
{reproducers}<h2>Statements with the same outcome everywhere ({len(same)})</h2><details><summary>{len(same)} statements,
one outcome in all {total} environments</summary><table>{folded}</table></details>
<h2>Failures</h2>{''.join(details) or '<p>none</p>'}</body></html>
"""


def main(results: str, output_stem: str) -> None:
    environments = read_all(Path(results))
    if not environments:
        sys.exit(f"no JUnit XML files in {results}: run `nox` first")
    stem = Path(output_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".md").write_text(markdown(environments))
    stem.with_suffix(".html").write_text(html_page(environments))
    print(f"wrote {stem.with_suffix('.md')} and {stem.with_suffix('.html')} for {len(environments)} environments")


if __name__ == "__main__":
    main(*sys.argv[1:3])
