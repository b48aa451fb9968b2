"""Whether the next release breaks something: each nightly of the version matrix's results against the newest release
of its line (Keras 3 on each backend, tf_keras), and the statements whose every case holds on the release and some
case fails on the nightly. A statement the table of known divergences marks there (a strict xfail) is known, not new:
it is listed apart. Exits 1 when a statement newly fails, naming each with the command that writes its upstream report; where GITHUB_STEP_SUMMARY
names a file (a GitHub Actions job), the same goes into the job's summary.

    rnnspec nightly .nox-results
"""

import argparse
import os
from pathlib import Path

from rnnspec.divergences import table
from rnnspec.tools import bisect, version_matrix
from rnnspec.tools.upstream_report import all_passed
from rnnspec.tools.version_matrix import Environment, read_all


def broken_on_nightlies(environments: list[Environment], outcome: str) -> list[tuple[Environment, Environment, str]]:
    """(the newest release, the nightly, a statement) where every case of the statement passes on the one and some
    case has `outcome` on the other: failed (new), or xfailed (a row of the table that names the next release)."""
    found = []
    for line, members in bisect.lines_of(environments).items():
        nightlies = [e for e in members if e.release.is_prerelease]
        releases = version_matrix.releases([e for e in members if not e.release.is_prerelease])
        for nightly in nightlies if releases else ():
            newest = releases[-1]
            for statement in sorted(newest.counts.keys() & nightly.counts.keys()):
                if all_passed(newest.cell(statement)) and nightly.counts[statement][outcome]:
                    found.append((newest, nightly, statement))
    return found


def rows_met(environment: Environment, statement: str) -> list[str]:
    """The reproducers of the table's rows that the statement's xfailed cases there name in their reasons: each is a
    report's name."""
    chapter, name = statement.split("::")
    said = [message for (key, _), (outcome, message) in environment.cases.items()
            if key == statement and outcome == "xfailed"]
    return sorted({row.reproducer for row in table.DIVERGENCES if f"{chapter}.py::{name}" in row.statements
                   and any(row.reason in message for message in said)})


def listed(found: list[tuple[Environment, Environment, str]], known: bool = False) -> list[str]:
    lines = []
    for newest, nightly, statement in found:
        chapter, name = statement.split("::")
        reports = rows_met(nightly, statement) if known else [f"{chapter}.py::{name}"]
        lines.append(f"- `{chapter}.py::{name}` on {nightly.name} ({nightly.cell(statement)}; {newest.name}: "
                     f"{newest.cell(statement)}): " + ", ".join(f"`rnnspec report {r}`" for r in reports))
    return lines


def summary(new: list[tuple[Environment, Environment, str]], known: list[tuple[Environment, Environment, str]]) -> str:
    lines = [f"{len(new)} statement(s) hold on the newest release and fail on a nightly:", "", *listed(new)]
    if not new:
        lines = ["No statement that holds on the newest release fails on a nightly."]
    if known:
        lines += ["", f"Known: the table of divergences names these as regressions of the next release ({len(known)}):",
                  "", *listed(known, known=True)]
    return "\n".join(lines)


def main(argv=None, prog="python -m rnnspec.tools.nightly_check") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, nargs="?", default=Path(bisect.RESULTS),
                        help=f"the version matrix's results (default {bisect.RESULTS})")
    arguments = parser.parse_args(argv)
    environments = read_all(arguments.results) if arguments.results.is_dir() else []
    if not any(e.release.is_prerelease for e in environments):
        parser.error(f"no nightly in {arguments.results}: run the weekly matrix first (nox -t weekly)")
    found = broken_on_nightlies(environments, "failed")
    text = summary(found, broken_on_nightlies(environments, "xfailed"))
    print(text)
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as job_summary:
            job_summary.write(f"## The next release, by the nightlies\n\n{text}\n")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
