"""The version matrix report, from the JUnit XML files that `nox` leaves behind and the records of
`python -m rnnspec.divergences.repro --run --record` beside them. It leads with what differs:

1. a summary per environment: how many cases passed, failed, xfailed (a known divergence) and were skipped (could
   not run there);
2. the statements whose outcome differs where they ran (one of their cases has two outcomes among the environments
   where it ran, skipped cases aside), each with the environments grouped by their cases' outcomes;
3. the behaviour changelog: between consecutive releases of each Keras on each backend, case by case, the cases
   stated on both sides whose outcome changed, counted per statement (a case that could not run before and runs now
   worded apart); the cases stated on one side only are counted, not compared;
4. known divergence × environment, by their reproducers;
5. the statements with one outcome wherever they ran, folded (they differ only by skipped cases or by how many cases
   are stated), with their cases' outcomes per environment; then the failures' messages.

    python -m rnnspec.tools.version_matrix RESULTS_DIR OUTPUT_STEM    # writes OUTPUT_STEM.md and OUTPUT_STEM.html
"""

import argparse
import html
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby, pairwise
from pathlib import Path
from xml.etree import ElementTree

from packaging.version import InvalidVersion, Version

OUTCOMES = ("passed", "failed", "xfailed", "skipped")
RAN = ("passed", "failed", "xfailed")  # a skipped case did not run: it says nothing of the behaviour
REPRODUCERS_RECORD = ".reproducers.json"  # beside ENVIRONMENT.xml: what `python -m rnnspec.divergences.repro --run` said there
# rnnspec.installation.Installation.describe(): "Keras 3.0.0 on tensorflow | ..." or "Keras 2.21.0 (tf_keras) on ..."
DESCRIBED = re.compile(r"Keras (?P<version>\S+)(?P<tf_keras> \(tf_keras\))? on (?P<backend>\w+)")
LINE_NAMES = {("keras", "tensorflow"): "Keras 3 on TensorFlow", ("keras", "jax"): "Keras 3 on JAX",
              ("keras", "torch"): "Keras 3 on PyTorch", ("tf_keras", "tensorflow"): "tf_keras on TensorFlow"}
MESSAGE_LINES = 12  # of a failure's message on the page: what differed and where; the rest is pytest's traceback
FOLD_AFTER = 4  # the largest group of environments with one outcome is named "the N others" past this many
# What differs between two runs of the same failure (an object's address, pytest's numbered temporary folder, Keras's
# counter of symbolic tensors), written the same way on the page so that a rerun changes only what changed.
RUN_SPECIFIC = ((re.compile(r"\b0x[0-9a-f]{6,}\b"), "0x…"), (re.compile(r"/pytest-(\d+)/"), "/pytest-N/"),
                (re.compile(r"\bkeras_tensor_\d+\b"), "keras_tensor_N"))


@dataclass
class Environment:
    name: str
    installation: str = "unknown"
    selection: str = "all"  # pytest's --cases there: all, or each-choice (each statement's each-choice cover)
    counts: dict = field(default_factory=lambda: defaultdict(Counter))  # statement -> outcome -> count
    failures: list = field(default_factory=list)  # (statement, case id, message)
    skip_reasons: Counter = field(default_factory=Counter)  # why cases were skipped -> how many
    cases: dict = field(default_factory=dict)  # (statement, case id) -> (outcome, message)
    reproducers: list = field(default_factory=list)  # rnnspec.divergences.repro.record's entries: name, divergences, outcome...
    seconds: float = 0.0  # what pytest took there, as its JUnit report records it

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
    environment.seconds = sum(float(suite.get("time") or 0) for suite in root.iter("testsuite"))
    for prop in root.iter("property"):
        if prop.get("name") == "rnnspec.installation":
            environment.installation = prop.get("value")
        elif prop.get("name") == "rnnspec.cases":
            environment.selection = prop.get("value")
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


def excerpt(message: str) -> str:
    """A failure's message as the page shows it: its first lines, with what is particular to the run written the
    same way every run."""
    shown = "\n".join(message.splitlines()[:MESSAGE_LINES])
    for pattern, written in RUN_SPECIFIC:
        shown = pattern.sub(written, shown)
    return shown


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


def read_all(*folders: Path) -> list[Environment]:
    """The environments recorded in the folders: one run's `.nox-results`, or the shards of a matrix run one job per
    environment (CI) or on several machines, merged. Where two folders hold one environment, the later one's wins."""
    found = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.xml"), key=natural_order):
            found[path.stem] = read(path)
    return sorted(found.values(), key=page_order)


def runners_needed(environments: list[Environment], runners: int) -> tuple[float, float]:
    """(the wall time, the total) of pytest's recorded time over the environments, run `runners` at a time, the
    longest first (each runner takes the next environment as it frees)."""
    loads = [0.0] * max(1, runners)
    for environment in sorted(environments, key=lambda e: -e.seconds):
        loads[loads.index(min(loads))] += environment.seconds
    return max(loads), sum(e.seconds for e in environments)


def statements_of(environments: list[Environment]) -> list[str]:
    return sorted({s for e in environments for s in e.counts})


def groups(environments: list[Environment], statement: str) -> list[tuple[str, list[Environment]]]:
    """The environments grouped by the statement's outcome there, the largest group last."""
    by_cell = defaultdict(list)
    for e in environments:
        by_cell[e.cell(statement)].append(e)
    return sorted(by_cell.items(), key=lambda item: len(item[1]))


def differing(environments: list[Environment]) -> list[str]:
    """The statements one of whose cases has two outcomes (passed, failed, xfailed) among the environments where it
    ran. Case by case, not by counts: a statement that states more cases on a newer release (an API the suite needs
    is new there, rnnspec.installation.compat) or is skipped where its API is missing (tf_keras) behaves alike wherever it ran;
    and a case stated in one environment only has nothing to differ from."""
    seen = defaultdict(lambda: defaultdict(set))  # statement -> case id -> its outcomes where it ran
    for e in environments:
        for (statement, case), (outcome, _) in e.cases.items():
            if outcome in RAN:
                seen[statement][case].add(outcome)
    return [s for s in statements_of(environments) if any(len(found) > 1 for found in seen[s].values())]


def lines_of(environments: list[Environment]) -> dict[tuple[str, str], list[Environment]]:
    """Each line's environments, release by release."""
    found = defaultdict(list)
    for e in sorted(environments, key=page_order):
        found[e.line].append(e)
    return dict(found)


def changes(before: Environment, after: Environment) -> dict[str, Counter]:
    """statement -> (outcome before, after) -> how many of its cases went so, over the cases stated on both sides
    whose outcome changed."""
    found = defaultdict(Counter)
    for key in before.cases.keys() & after.cases.keys():
        was, now = before.cases[key][0], after.cases[key][0]
        if was != now:
            found[key[0]][was, now] += 1
    return dict(sorted(found.items()))


def stated_on_one_side(before: Environment, after: Environment) -> tuple[list[str], list[str]]:
    """(the statements with cases stated only after, those with cases stated only before): not compared."""
    return (sorted({s for s, _ in after.cases.keys() - before.cases.keys()}),
            sorted({s for s, _ in before.cases.keys() - after.cases.keys()}))


@dataclass
class ReleasePair:
    """What changed between two consecutive releases of a line, case by case."""
    line_name: str
    before: Environment
    after: Environment
    changed: dict  # changes(before, after)

    def _where(self, wanted) -> dict[str, Counter]:
        """The changes whose (outcome before, after) is wanted, by statement."""
        found = {s: Counter({t: n for t, n in transitions.items() if wanted(*t)})
                 for s, transitions in self.changed.items()}
        return {s: transitions for s, transitions in found.items() if transitions}

    @property
    def behaviour(self) -> dict[str, Counter]:
        """The cases that ran on both sides with another outcome."""
        return self._where(lambda was, now: was in RAN and now in RAN)

    @property
    def runs_now(self) -> dict[str, Counter]:
        """The cases skipped before (they could not run) that ran after: something became possible."""
        return self._where(lambda was, now: was == "skipped")

    @property
    def skipped_now(self) -> dict[str, Counter]:
        """The cases that ran before and were skipped after."""
        return self._where(lambda was, now: now == "skipped")

    def stated_apart(self) -> str:
        """One sentence for the statements with cases stated on one side only, or ""."""
        more, fewer = stated_on_one_side(self.before, self.after)
        if not (more or fewer):
            return ""
        counted = [f"{len(s)} {'statement states' if len(s) == 1 else 'statements state'} {how} cases here"
                   for s, how in ((more, "more"), (fewer, "fewer")) if s]
        return (" and ".join(counted) + f" than in {self.before.release} (an API the suite needs is new or gone, or "
                "the suite grew between the two runs): those cases are not compared")


def releases(members: list[Environment]) -> list[Environment]:
    """A line's environments, one per release: the first of those that share a release (another installs extras
    beside it, as the export environment does, which is no other release)."""
    return [next(group) for _, group in groupby(members, key=lambda e: e.release)]


def changelog(environments: list[Environment]) -> list[ReleasePair]:
    """Each pair of consecutive releases of a line, with what changed between them."""
    return [
        ReleasePair(LINE_NAMES.get(line, " on ".join(line)), before, after, changes(before, after))
        for line, members in lines_of(environments).items()
        for before, after in pairwise(releases(members))
    ]


def ordered(transitions: Counter) -> list[tuple[tuple[str, str], int]]:
    """((outcome before, after), how many cases), the most cases first."""
    return sorted(transitions.items(), key=lambda item: (-item[1], item[0]))


def worded(transitions: Counter) -> str:
    """The transitions in words: 3 failed → passed; 1 passed → failed."""
    return "; ".join(f"{n} {was} → {now}" for (was, now), n in ordered(transitions))


def reproducer_cell(entry: dict | None) -> str:
    """What the reproducer said in an environment: its outcome, "–" where it does not apply, why where it could
    not run; "no record" where the environment has none."""
    if entry is None:
        return "no record"
    outcome = "–" if entry["outcome"] == "not applicable here" else entry["outcome"]
    return f"{outcome} ({entry['why']})" if entry["why"] else outcome


def ran_reproducers(environments: list[Environment]) -> list[Environment]:
    """The environments that ran the reproducers (the noxfile runs them in some)."""
    return [e for e in environments if e.reproducers]


def divergence_rows(environments: list[Environment]) -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    """(reproducer, its divergences, [(what it said, the environments where it said so)]), the largest group last,
    in the order of the newest record; over the environments that ran the reproducers."""
    ran = ran_reproducers(environments)
    entries = {entry["name"]: entry for e in ran for entry in e.reproducers}
    rows = []
    for name, entry in entries.items():
        said = defaultdict(list)
        for e in ran:
            said[reproducer_cell(next((x for x in e.reproducers if x["name"] == name), None))].append(e.name)
        rows.append((name, "; ".join(entry["divergences"]), sorted(said.items(), key=lambda item: len(item[1]))))
    return rows


def folded_phrase(size: int, total: int, last: bool) -> str | None:
    """How a group of environments is named by its number: all N (every environment), the N others (the largest of
    many groups); None where its environments are named."""
    if size == total and total > 1:
        return f"all {total}"
    if last and size > FOLD_AFTER:
        return f"the {size} others"
    return None


def named(names: list[str], total: int, last: bool) -> str:
    """The environments of a group, or how many they are."""
    return folded_phrase(len(names), total, last) or ", ".join(names)


def failing(group: list[Environment], statement: str) -> list[Environment]:
    return [e for e in group if e.counts.get(statement, {}).get("failed")]


def installed(environment: Environment) -> str:
    """The framework's version, from the installation's description."""
    parts = environment.installation.split(" | ")
    return parts[1] if len(parts) > 1 else environment.installation


SELECTION_NOTE = (
    "The cases column: each-choice where the environment ran `pytest --cases=each-choice` (the matrix's default): of "
    "each statement's cases, a few that together give every parameter its every value, about a sixth of them; "
    "all where it ran every case.")
CHANGELOG_INTRO = (
    "What changed between consecutive releases of each Keras on each backend (of those in the matrix), case by case: "
    "for the cases stated in both releases, each statement whose cases changed outcome, with how many went which way; "
    "then the cases that could not run before (skipped) and run now, and those skipped now. Cases stated in one "
    "release only are counted, not compared. `python -m rnnspec.tools.bisect STATEMENT` names the release where one "
    "changed, with the messages on both sides.")
DIFFERS_INTRO = (
    "A statement differs when one of its cases has two outcomes (passed, failed, xfailed) among the environments "
    "where it ran. Each statement's cases counted by outcome, and where each count was seen; a failing environment "
    "links to its messages.")
SAME_SUMMARY = (
    "{n} statements: each case has one outcome wherever it ran; the environments differ, if at all, only by skipped "
    "cases or by how many cases are stated")


# Markdown

def md_environments(group: list[Environment], statement: str, total: int, last: bool) -> str:
    """The group's environments, a failing one linked to its messages; a group named by its number links to its first
    failing environment's."""
    fails = failing(group, statement)
    phrase = folded_phrase(len(group), total, last)
    if phrase:
        return f"[{phrase}](#{anchor(fails[0].name, statement)})" if fails else phrase
    return ", ".join(f"[{e.name}](#{anchor(e.name, statement)})" if e in fails else e.name for e in group)


def md_changelog(pair: ReleasePair) -> list[str]:
    heading = f"- **{pair.line_name}: {pair.before.release} → {pair.after.release}**"
    items = [f"  - `{s}`: {worded(transitions)}" for s, transitions in pair.behaviour.items()]
    for wording, found in (("runs now, skipped before", pair.runs_now), ("skipped now, ran before", pair.skipped_now)):
        if found:
            items.append(f"  - {wording}: " + ", ".join(f"`{s}` ({worded(t)})" for s, t in found.items()))
    apart = pair.stated_apart()
    if not items:
        return [f"{heading}: no change" + (f" in the cases both state\n  - {apart}" if apart else "")]
    return [f"{heading} ({pair.before.name} → {pair.after.name}):", *items] + [f"  - {apart}"] * bool(apart)


def markdown(environments: list[Environment]) -> str:
    environments = sorted(environments, key=page_order)
    total = len(environments)
    differ = differing(environments)
    same = [s for s in statements_of(environments) if s not in differ]
    lines = [f"# Version matrix ({date.today().isoformat()})", "",
             ("`pytest spec` on each environment (CPU builds; `nox` regenerates this page, see the README). "
              "*skipped* is what could not run there; *xfailed* a known divergence, stated as such."), "",
             "## Summary", "", SELECTION_NOTE, "",
             "| environment | installation | cases | passed | failed | xfailed | skipped |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for e in environments:
        totals = e.totals()
        lines.append(f"| {e.name} | {installed(e)} | {e.selection} | "
                     + " | ".join(str(totals[o]) for o in OUTCOMES) + " |")
    lines += ["", f"## Statements whose outcome differs where they ran ({len(differ)} of {len(differ) + len(same)})",
              "", DIFFERS_INTRO, ""]
    for statement in differ:
        found = groups(environments, statement)
        lines += [f"**`{statement}`**", "", "| outcome | environments |", "| --- | --- |"]
        lines += [f"| {outcome} | {md_environments(group, statement, total, i == len(found) - 1)} |"
                  for i, (outcome, group) in enumerate(found)]
        lines.append("")
    lines += ["## Behaviour changelog", "", CHANGELOG_INTRO, ""]
    for pair in changelog(environments):
        lines += md_changelog(pair)
    rows, ran = divergence_rows(environments), len(ran_reproducers(environments))
    if rows:
        lines += ["", "## Known divergences × environment", "",
                  ("What each known divergence's minimal reproducer (`python -m rnnspec.divergences.repro --run`, "
                   "rnnspec/divergences/reproducers) said in each environment that ran them (the quick matrix, the nightlies, "
                   "the export environment): *still diverges*, *fixed* (the table of known divergences needs "
                   "updating), or – where the table does not apply it."), "",
                  "| divergence | reproducer | said: where |", "| --- | --- | --- |"]
        for name, divergences, said in rows:
            where = "; ".join(f"{outcome}: {named(names, ran, i == len(said) - 1)}"
                              for i, (outcome, names) in enumerate(said))
            lines.append(f"| {divergences} | `{name}` | {where} |")
    lines += ["", f"## Statements with one outcome wherever they ran ({len(same)})", "",
              f"<details><summary>{SAME_SUMMARY.format(n=len(same))}</summary>", "",
              "| statement | cases by outcome: environments |", "| --- | --- |"]
    for statement in same:
        found = groups(environments, statement)
        lines.append(f"| `{statement}` | " + "; ".join(
            f"{outcome}: {md_environments(group, statement, total, i == len(found) - 1)}"
            for i, (outcome, group) in enumerate(found)) + " |")
    lines += ["", "</details>", "", "## Failures"]
    for e in environments:
        for statement in sorted({f[0] for f in e.failures}):
            lines += ["", f'<a id="{anchor(e.name, statement)}"></a>', f"### {e.name}: `{statement}`", ""]
            for _, case, message in [f for f in e.failures if f[0] == statement][:3]:
                lines += [f"- `{case}`", "", "  ```", *("  " + line for line in excerpt(message).splitlines()), "  ```"]
    return "\n".join(lines) + "\n"


# HTML: the same sections, self-contained, at a laptop's width (no table wider than its text).

def kind(outcome: str) -> str:
    """The colour of an outcome cell: its worst outcome."""
    return next((o for o in ("failed", "xfailed", "passed") if re.search(rf"\b{o}\b", outcome)), "skipped")


# A reproducer's outcome in the page's colours: diverging as a known divergence, fixed and failing as failures
REPRODUCER_CLASSES = {"still diverges": "xfailed", "fixed": "failed", "failed to run": "failed"}


def html_text(text: str) -> str:
    """A sentence of this page's Markdown in HTML: escaped, `code` as code."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(text))


def html_environments(group: list[Environment], statement: str, total: int, last: bool) -> str:
    fails = failing(group, statement)
    phrase = folded_phrase(len(group), total, last)
    if phrase:
        return f'<a href="#{anchor(fails[0].name, statement)}">{phrase}</a>' if fails else phrase
    return ", ".join(f'<a href="#{anchor(e.name, statement)}">{html.escape(e.name)}</a>' if e in fails
                     else html.escape(e.name) for e in group)


def html_worded(transitions: Counter) -> str:
    """worded(), each outcome in its colour."""
    return "; ".join(f'{n} <span class="{was}">{was}</span> → <span class="{now}">{now}</span>'
                     for (was, now), n in ordered(transitions))


def html_changelog(pair: ReleasePair) -> str:
    esc = html.escape
    title = f"<b>{esc(pair.line_name)}: {pair.before.release} → {pair.after.release}</b>"
    items = [f"<li><code>{esc(s)}</code>: {html_worded(t)}</li>" for s, t in pair.behaviour.items()]
    for wording, found in (("runs now, skipped before", pair.runs_now), ("skipped now, ran before", pair.skipped_now)):
        if found:
            items.append(f"<li><i>{wording}</i>: "
                         + ", ".join(f"<code>{esc(s)}</code> ({html_worded(t)})" for s, t in found.items()) + "</li>")
    apart = pair.stated_apart()
    if not items:
        return (f"<li>{title}: no change" + (f" in the cases both state<ul><li>{esc(apart)}</li></ul>" if apart else "")
                + "</li>")
    items += [f"<li class=apart>{esc(apart)}</li>"] * bool(apart)
    return f"<li>{title} ({esc(pair.before.name)} → {esc(pair.after.name)})<ul>{''.join(items)}</ul></li>"


def html_groups(environments: list[Environment], statement: str, total: int) -> list[tuple[str, str]]:
    """(an outcome, the environments where the statement had it, in HTML) for each group, the largest last."""
    found = groups(environments, statement)
    return [(outcome, html_environments(group, statement, total, i == len(found) - 1))
            for i, (outcome, group) in enumerate(found)]


def html_page(environments: list[Environment]) -> str:
    environments = sorted(environments, key=page_order)
    total = len(environments)
    esc = html.escape
    differ = differing(environments)
    same = [s for s in statements_of(environments) if s not in differ]
    summary = "".join(
        f"<tr><th>{esc(e.name)}</th><td class=installation>{esc(installed(e))}</td><td>{esc(e.selection)}</td>"
        + "".join(f'<td class="{o if e.totals()[o] else ""} n">{e.totals()[o]}</td>' for o in OUTCOMES) + "</tr>"
        for e in environments)
    differences = "".join(
        f"<h3><code>{esc(s)}</code></h3><table>"
        + "".join(f'<tr><td class="{kind(outcome)} outcome">{esc(outcome)}</td><td>{where}</td></tr>'
                  for outcome, where in html_groups(environments, s, total))
        + "</table>"
        for s in differ)
    log = "".join(html_changelog(pair) for pair in changelog(environments))
    rows, ran = divergence_rows(environments), len(ran_reproducers(environments))
    reproducers = "".join(
        f"<tr><th class=divergence>{html_text(divergences)}<br><code>{esc(name)}</code></th><td>"
        + "<br>".join(f'<span class="{REPRODUCER_CLASSES.get(outcome.split(" (")[0], "skipped")}">{esc(outcome)}</span>: '
                      f"{esc(named(names, ran, i == len(said) - 1))}"
                      for i, (outcome, names) in enumerate(said))
        + "</td></tr>"
        for name, divergences, said in rows)
    reproducers = (f"<h2>Known divergences</h2><table><tr><th>divergence, reproducer</th><th>said: where</th></tr>"
                   f"{reproducers}</table>" if reproducers else "")
    folded = "".join(
        f"<tr><th class=statement>{esc(s)}</th><td>"
        + "<br>".join(f'<span class="{kind(outcome)}">{esc(outcome)}</span>: {where}'
                      for outcome, where in html_groups(environments, s, total))
        + "</td></tr>"
        for s in same)
    details = []
    for e in environments:
        for statement in sorted({f[0] for f in e.failures}):
            cases = "".join(
                f"<h4>{esc(case)}</h4><pre>{esc(excerpt(message))}</pre>"
                for _, case, message in [f for f in e.failures if f[0] == statement][:3]
            )
            details.append(f'<section id="{anchor(e.name, statement)}"><h3>{esc(e.name)}: '
                           f"{esc(statement)}</h3>{cases}</section>")
    return f"""<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>rnnspec version matrix</title><style>
body{{font-family:sans-serif;margin:2em auto;max-width:72em;padding:0 1em}} table{{border-collapse:collapse;margin:.5em 0}}
td,th{{border:1px solid #ccc;padding:3px 8px;font-size:13px;vertical-align:top;overflow-wrap:anywhere}}
th{{text-align:left}} td.n{{text-align:right}} td.outcome{{white-space:nowrap}}
th.statement{{font-family:monospace;font-weight:normal;word-break:break-all}} th.divergence{{font-weight:normal;width:55%}}
li{{margin:.15em 0;font-size:14px}} li.apart{{color:#555}}
.passed{{background:#e6f4ea}} .failed{{background:#fce8e6}} .xfailed{{background:#fef7e0}} .skipped{{background:#f1f3f4}}
h3{{font-size:14px;margin:1.2em 0 .2em}} code{{word-break:break-all}}
pre{{background:#f6f8fa;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere}}
</style></head><body><h1>rnnspec version matrix ({date.today().isoformat()})</h1>
<p><code>pytest spec</code> on each environment (CPU builds). <i>skipped</i> is what could not run there; <i>xfailed</i>
a known divergence, stated as such.</p>
<h2>Summary</h2><p>{html_text(SELECTION_NOTE)}</p>
<table><tr><th>environment</th><th>installation</th><th>cases</th>{''.join(f'<th>{o}</th>' for o in OUTCOMES)}</tr>{summary}</table>
<h2>Statements whose outcome differs where they ran ({len(differ)} of {len(differ) + len(same)})</h2>
<p>{html_text(DIFFERS_INTRO)}</p>{differences or '<p>none</p>'}
<h2>Behaviour changelog</h2><p>{html_text(CHANGELOG_INTRO)}</p><ul>{log}</ul>
{reproducers}<h2>Statements with one outcome wherever they ran ({len(same)})</h2>
<details><summary>{esc(SAME_SUMMARY.format(n=len(same)))}</summary><table>{folded}</table></details>
<h2>Failures</h2>{''.join(details) or '<p>none</p>'}</body></html>
"""


def main(argv=None, prog="python -m rnnspec.tools.version_matrix") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Write the version matrix's page, Markdown and HTML, from "
                                     "the results its environments recorded (the noxfile runs them): one folder, or "
                                     "the shards of a run spread over CI jobs or machines, merged.")
    parser.add_argument("results", type=Path, nargs="*", default=[Path(".nox-results")],
                        help="folders of recorded results (default: the noxfile's .nox-results)")
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/version-matrix"),
                        help="the page to write, without suffix (default: docs/version-matrix)")
    parser.add_argument("--cost", type=int, metavar="RUNNERS",
                        help="print instead what the recorded environments take run RUNNERS at a time")
    arguments = parser.parse_args(argv)
    environments = read_all(*arguments.results)
    if not environments:
        shown = " ".join(map(str, arguments.results))
        parser.error(f"no results in {shown}: run the version matrix first (nox; docs/version-matrix-guide.md)")
    if arguments.cost:
        wall, total = runners_needed(environments, arguments.cost)
        print(f"{len(environments)} environments, {total / 60:.1f} min of pytest in all; on {arguments.cost} runners "
              f"side by side, {wall / 60:.1f} min (the longest alone: {max(e.seconds for e in environments) / 60:.1f})")
        return 0
    stem = arguments.output
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".md").write_text(markdown(environments))
    stem.with_suffix(".html").write_text(html_page(environments))
    print(f"wrote {stem.with_suffix('.md')} and {stem.with_suffix('.html')} for {len(environments)} environments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
