"""Whether the next release breaks something: each nightly of the version matrix's results against the newest release
of its line (Keras 3 on each backend, tf_keras), and the statements whose every case holds on the release and some
case fails on the nightly. A statement the table of known divergences marks there (a strict xfail) is known, not new.
Exits 1 when there is one, naming each with the command that writes its upstream report; where GITHUB_STEP_SUMMARY
names a file (a GitHub Actions job), the same goes into the job's summary.

    rnnspec nightly .nox-results
"""

import argparse
import os
from pathlib import Path

from rnnspec.tools import bisect
from rnnspec.tools.upstream_report import all_passed
from rnnspec.tools.version_matrix import Environment, read_all


def newly_failing(environments: list[Environment]) -> list[tuple[Environment, Environment, str]]:
    """(the newest release, the nightly, a statement) where the statement holds on the one and fails on the other."""
    found = []
    for line, members in bisect.lines_of(environments).items():
        nightlies = [e for e in members if e.release.is_prerelease]
        releases = sorted((e for e in members if not e.release.is_prerelease), key=lambda e: e.release)
        for nightly in nightlies if releases else ():
            newest = releases[-1]
            for statement in sorted(newest.counts.keys() & nightly.counts.keys()):
                if all_passed(newest.cell(statement)) and nightly.counts[statement]["failed"]:
                    found.append((newest, nightly, statement))
    return found


def summary(found: list[tuple[Environment, Environment, str]]) -> str:
    if not found:
        return "No statement that holds on the newest release fails on a nightly."
    lines = [f"{len(found)} statement(s) hold on the newest release and fail on a nightly:", ""]
    for newest, nightly, statement in found:
        chapter, name = statement.split("::")
        lines.append(f"- `{chapter}.py::{name}` on {nightly.installation} ({nightly.cell(statement)}; "
                     f"{newest.installation}: {newest.cell(statement)}): `rnnspec report {chapter}.py::{name}`")
    return "\n".join(lines)


def main(argv=None, prog="python -m rnnspec.tools.nightly_check") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, nargs="?", default=Path(bisect.RESULTS),
                        help=f"the version matrix's results (default {bisect.RESULTS})")
    arguments = parser.parse_args(argv)
    environments = read_all(arguments.results) if arguments.results.is_dir() else []
    if not any(e.release.is_prerelease for e in environments):
        parser.error(f"no nightly in {arguments.results}: run the weekly matrix first (nox -t weekly)")
    found = newly_failing(environments)
    text = summary(found)
    print(text)
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as job_summary:
            job_summary.write(f"## The next release, by the nightlies\n\n{text}\n")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
