"""The version matrix's page, from the JUnit XML files that `nox` leaves behind (one folder, or the shards of a run
spread over CI jobs or machines) and the records of `rnnspec repro --run --record` beside them. One model of the
results, written as Markdown and rendered to HTML by markdown-it; it leads with what changed:

1. the compatibility grid: for each line (Keras 3 on each backend, tf_keras), a row per statement whose cases differ
   or fail, a column per release, a symbol per cell (holds, fails, known divergence, skipped, not stated), and the
   first release where it changed;
2. what changed between consecutive releases of each line, case by case: regressions first, then fixes, then the
   rest, each step saying whether Keras, the framework or both moved;
3. each distinct failure once: its message once, with the environments where it shows;
4. known divergence × environment, by their reproducers; the environments' totals;
5. folded, the statements with one outcome wherever they ran.

    rnnspec matrix RESULTS [RESULTS ...] --output STEM    # writes STEM.md and STEM.html
"""

import argparse
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
                (re.compile(r"\bkeras_tensor_\d+\b"), "keras_tensor_N"),
                # a statement's "configuration:" line ends with the installation, which the page names apart
                (re.compile(r"^(\s*configuration: .*?), Keras \d\S*( \(tf_keras\))? on .*$", re.M), r"\1"))
# Two failures of a statement are one where their messages differ only in numbers, whitespace and configuration.
INCIDENTAL = ((re.compile(r"^\s*configuration: .*$", re.M), ""), (re.compile(r"-?\d+(\.\d+)?(e-?\d+)?"), "N"),
              (re.compile(r"\s+"), " "))


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
    # what its cases took there, as JUnit records each (a chapter's reused results keep their run's times): the
    # work of a CI job, less its installs, imports and collection
    seconds: float = 0.0

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
        if found is not None:  # the exception's message; pytest's traceback beside it says nothing of the behaviour
            lines = [line for line in (found.text or "").splitlines() if line.strip()]
            return "failed", TERMINAL_STYLE.sub("", found.get("message") or (lines[-1] if lines else ""))
    skipped = case.find("skipped")
    if skipped is not None:
        return ("xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"), skipped.get("message") or ""
    return "passed", ""


def read(path: Path) -> Environment:
    environment = Environment(path.stem)
    root = ElementTree.parse(path).getroot()
    environment.seconds = sum(float(case.get("time") or 0) for case in root.iter("testcase"))
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


def anchor(statement: str) -> str:
    """The id of a statement's failures on the page, which the grid's row links to."""
    return "failures-" + "".join(c if c.isalnum() else "-" for c in statement).lower()


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
    """(the wall time, the total) of the cases' recorded times over the environments, run `runners` at a time, the
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


def line_name(line: tuple[str, str]) -> str:
    return LINE_NAMES.get(line, " on ".join(line))


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
        ReleasePair(line_name(line), before, after, changes(before, after))
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


def installed(environment: Environment) -> str:
    """The framework's version, from the installation's description."""
    parts = environment.installation.split(" | ")
    return parts[1] if len(parts) > 1 else environment.installation


SELECTION_NOTE = (
    "The cases column: each-choice where the environment ran `pytest --cases=each-choice` (the matrix's default): of "
    "each statement's cases, a few that together give every parameter its every value, about a sixth of them; "
    "all where it ran every case.")
CHANGELOG_INTRO = (
    "Between consecutive releases of each line, case by case over the cases stated in both, the statements whose "
    "cases changed outcome: regressions first, then fixes, then other changes; each step says whether Keras, the "
    "framework or both moved. `rnnspec bisect STATEMENT` narrows one down with the messages on both sides; `rnnspec "
    "report NAME` writes it up for an upstream issue.")
SAME_SUMMARY = (
    "{n} statements: each case has one outcome wherever it ran; the environments differ, if at all, only by skipped "
    "cases or by how many cases are stated")
# A statement's cell in the grid: what its cases did in one environment, the worst first.
SYMBOLS = {"failed": "✗", "xfailed": "◐", "passed": "✓", "skipped": "–"}
LEGEND = ("✓ every case that ran passed · ✗ a case failed (the failures below) · ◐ a known divergence, stated as a "
          "strict xfail · – skipped there (could not run) · blank: not stated there")
SECTIONS = {"compatibility": "Compatibility", "changes": "What changed", "failures": "Failures",
            "divergences": "Known divergences × environment", "environments": "Environments",
            "unchanged": "One outcome everywhere"}


def symbol(environment: Environment, statement: str) -> str:
    counts = environment.counts.get(statement)
    return next((SYMBOLS[o] for o in SYMBOLS if counts and counts[o]), "")


def column(environment: Environment) -> str:
    """A release's column heading: its version, or "nightly"; and what an environment beside a release adds (the
    export runtimes, the newest pytest)."""
    version = "nightly" if environment.release.is_prerelease else str(environment.release)
    rest = environment.name.split(version, 1)[1] if version in environment.name else ""
    extra = re.sub(r"^-(tensorflow|jax|torch)(-[\d.]+)?", "", rest).strip("-")
    return f"{version} {extra}".strip()


def first_change(members: list[Environment], statement: str) -> str:
    """The first release of the line whose symbol for the statement differs from the release before, and how."""
    stated = [(e, symbol(e, statement)) for e in members if symbol(e, statement) not in ("", "–")]
    for (before, was), (after, now) in pairwise(stated):
        if was != now:
            return f"{column(after)}: {was} → {now}"
    return ""


def anchored(key: str, title: str, level: int = 2) -> list[str]:
    """A heading with an anchor of its own: the page's links work on GitHub and in the HTML alike."""
    return [f'<a id="{key}"></a>', "", f"{'#' * level} {title}", ""]


def moved(before: Environment, after: Environment) -> str:
    """Which moved between two releases of a line: Keras, the framework, or both."""
    keras = before.release != after.release
    framework = installed(before) != installed(after)
    return {(True, True): "Keras and the framework moved", (True, False): "Keras moved",
            (False, True): "the framework moved"}.get((keras, framework), "the same installation")


def failure_groups(environments: list[Environment]) -> dict[str, list[tuple[str, int, list[Environment]]]]:
    """Each distinct failure once, by statement: (its message as one case said it, how many cases said it, the
    environments where it shows)."""
    found = defaultdict(lambda: ["", 0, []])
    for e in environments:
        for statement, _, message in e.failures:
            shown = excerpt(message)
            kind = shown
            for pattern, written in INCIDENTAL:
                kind = pattern.sub(written, kind)
            group = found[statement, kind]
            group[0] = group[0] or shown
            group[1] += 1
            if not group[2] or group[2][-1] is not e:
                group[2].append(e)
    by_statement = defaultdict(list)
    for (statement, _), (shown, cases, members) in sorted(found.items(), key=lambda item: item[0]):
        by_statement[statement].append((shown, cases, members))
    return dict(by_statement)


def where(members: list[Environment]) -> str:
    """Environments named by line and release: "Keras 3 on JAX 3.10.0, nightly; tf_keras on TensorFlow 2.21.0"."""
    return "; ".join(f"{line_name(line)} {', '.join(column(e) for e in group)}"
                     for line, group in lines_of(members).items())


def grid(environments: list[Environment], statements: list[str]) -> list[str]:
    """A table per line: a row per statement that differs, its first change beside it (seen without scrolling past
    thirty releases), a column per release."""
    lines = []
    for line, members in lines_of(environments).items():
        lines += [f"### {line_name(line)}", "",
                  "| statement | first change | " + " | ".join(column(e) for e in members) + " |",
                  "| --- | --- | " + " | ".join(":-:" for _ in members) + " |"]
        for statement in statements:
            cells = [symbol(e, statement) for e in members]
            if set(cells) - {"", "✓"} or len(set(cells) - {""}) > 1:  # not "holds everywhere on this line"
                link = f"[`{statement}`](#{anchor(statement)})" if "✗" in cells else f"`{statement}`"
                lines.append(f"| {link} | {first_change(members, statement)} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def changes_of(pair: ReleasePair) -> list[str]:
    """A release step's changes: regressions first, then fixes, then the rest."""
    def kind_of(was: str, now: str) -> int:
        return 0 if (was, now) in (("passed", "failed"), ("xfailed", "failed")) else 1 if now == "passed" else 2

    found = sorted(((kind_of(*transition), statement, transition, n) for statement, transitions in pair.behaviour.items()
                    for transition, n in transitions.items()), key=lambda item: item[:2])
    words = ("regression", "fix", "change")
    lines = [f"  - {words[k]}: `{statement}`: {n} {was} → {now}" for k, statement, (was, now), n in found]
    for wording, apart in (("runs now, skipped before", pair.runs_now), ("skipped now, ran before", pair.skipped_now)):
        lines += [f"  - {wording}: `{statement}`: {worded(transitions)}" for statement, transitions in apart.items()]
    return lines + ([f"  - {pair.stated_apart()}"] if pair.stated_apart() else [])


def markdown(environments: list[Environment]) -> str:
    environments = sorted(environments, key=page_order)
    total = len(environments)
    differ = differing(environments)
    same = [s for s in statements_of(environments) if s not in differ]
    failing = sorted({statement for e in environments for statement, _, _ in e.failures})
    rows = sorted(set(differ) | set(failing))
    shown = {key: title for key, title in SECTIONS.items() if key != "divergences" or ran_reproducers(environments)}
    contents = " · ".join(f"[{title}](#{key})" for key, title in shown.items())
    lines = [f"# Version matrix ({date.today().isoformat()})", "",
             (f"`pytest spec` in {total} environments (CPU builds; `nox` regenerates this page: "
              "docs/version-matrix-guide.md). It leads with what changed."), "", contents, ""]
    lines += anchored("compatibility", f"{SECTIONS['compatibility']}: the {len(rows)} statements whose cases differ or "
                      f"fail ({len(differ) + len(same)} in all)")
    lines += [LEGEND, ""] + grid(environments, rows)
    lines += anchored("changes", SECTIONS["changes"])
    lines += [CHANGELOG_INTRO, ""]
    for pair in changelog(environments):
        step = f"- **{pair.line_name}: {pair.before.release} → {pair.after.release}** ({moved(pair.before, pair.after)})"
        found = changes_of(pair)
        lines += [step + (":" if found else ": no change"), *found]
    lines += [""] + anchored("failures", f"{SECTIONS['failures']}: each once, with where it shows")
    for statement, found in failure_groups(environments).items():
        lines += [f'<a id="{anchor(statement)}"></a>', "", f"**`{statement}`**", ""]
        for shown, cases, members in found:
            lines += [f"{cases} case{'s' * (cases > 1)} in {where(members)}:", "", "```text", shown, "```", ""]
    rows, ran = divergence_rows(environments), len(ran_reproducers(environments))
    if rows:
        lines += anchored("divergences", SECTIONS["divergences"])
        lines += [("What each known divergence's minimal reproducer (`rnnspec repro --run`) said in each environment "
                   "that ran them: *still diverges*, *fixed* (the table needs updating), or – where the table does "
                   "not apply it."), "", f"<details><summary>{len(rows)} divergences in {ran} environments</summary>",
                  "", "| divergence | reproducer | said: where |", "| --- | --- | --- |"]
        for name, divergences, said in rows:
            outcomes = "; ".join(f"{outcome}: {named(names, ran, i == len(said) - 1)}"
                              for i, (outcome, names) in enumerate(said))
            lines.append(f"| {divergences} | `{name}` | {outcomes} |")
        lines += ["", "</details>", ""]
    lines += anchored("environments", SECTIONS["environments"])
    lines += [SELECTION_NOTE, "", f"<details><summary>{total} environments: installation, cases, totals</summary>", "",
              "| environment | installation | cases | passed | failed | xfailed | skipped |",
              "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for e in environments:
        totals = e.totals()
        lines.append(f"| {e.name} | {installed(e)} | {e.selection} | " + " | ".join(str(totals[o]) for o in OUTCOMES)
                     + " |")
    lines += ["", "</details>", ""] + anchored("unchanged", f"{SECTIONS['unchanged']} ({len(same)})")
    lines += [f"<details><summary>{SAME_SUMMARY.format(n=len(same))}</summary>", "",
              "| statement | cases by outcome: environments |", "| --- | --- |"]
    for statement in same:
        found = groups(environments, statement)
        lines.append(f"| `{statement}` | " + "; ".join(
            f"{outcome}: {named([e.name for e in group], total, i == len(found) - 1)}"
            for i, (outcome, group) in enumerate(found)) + " |")
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


# A grid of thirty releases is wider than a screen: each table scrolls on its own, the statement column stays.
STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:110em;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0;display:block;overflow-x:auto;max-width:100%}
td,th{border:1px solid #ccc;padding:2px 5px;white-space:nowrap}th{background:#f4f4f4}
td:first-child,th:first-child{position:sticky;left:0;background:#fff;white-space:normal;min-width:34em}
td:first-child code{overflow-wrap:anywhere}pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:14em}
code{font-size:92%}details summary{cursor:pointer}"""


def html_page(environments: list[Environment]) -> str:
    """The Markdown page rendered by markdown-it (one model, two formats), self-contained."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown(environments))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Version matrix</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")


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
    if arguments.cost is not None and arguments.cost < 1:
        parser.error(f"--cost {arguments.cost}: the number of runners is 1 or more")
    if arguments.cost:
        wall, total = runners_needed(environments, arguments.cost)
        runners = f"{arguments.cost} runner{'s' * (arguments.cost > 1)}"
        longest = max(e.seconds for e in environments)
        print(f"{len(environments)} environments: their cases took {total / 60:.1f} min in all, the longest "
              f"environment's {longest / 60:.1f}; on {runners}, longest first: {wall / 60:.1f} min (without each "
              "environment's install and import)")
        return 0
    stem = arguments.output
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".md").write_text(markdown(environments))
    stem.with_suffix(".html").write_text(html_page(environments))
    print(f"wrote {stem.with_suffix('.md')} and {stem.with_suffix('.html')} for {len(environments)} environments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
