"""Where did a statement change? From the version matrix's recorded results (`nox` leaves them in .nox-results),
the first release of each Keras line (Keras 3 on TensorFlow, JAX, PyTorch; tf_keras) where one of the statement's
cases has another outcome than in the release before, with what it said on both sides. As on the page's changelog,
cases are compared where both releases state them: a release that states more cases (an API the suite needs is new
there) is no change.

    python -m rnnspec.tools.bisect test_recurrent_dropout_alone_changes_the_output_in_training
    python -m rnnspec.tools.bisect "test_configuration::test_a_saved_model_reloads_to_identical_outputs" --line tensorflow
    python -m rnnspec.tools.bisect STATEMENT --run    # first run the matrix's environments that lie between two
                                                # recorded releases whose outcomes differ, halving the gap each time
                                                # (every Keras 3 release has one: nox -t releases)

STATEMENT is a test's name, `module::name`, or a case's id (`name[case]`) for that case alone. A line's releases
compare by their version (packaging.version; a nightly after the release it precedes). Exits 0 when the statement
is found, 1 when no recorded environment has it.
"""

import argparse
import json
import shutil
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

from packaging.version import InvalidVersion, Version

from rnnspec.tools.version_matrix import Environment, line_name, lines_of, read_all

RESULTS = ".nox-results"


def statement_key(environment: Environment, statement: str) -> str | None:
    """The recorded statement (`module::name`) the argument names, or None."""
    name = statement.split("[")[0]
    for key in environment.counts:
        if key == name or key.split("::", 1)[1] == name:
            return key
    return None


def outcome(environment: Environment, statement: str) -> str | None:
    """The statement's outcome there: its cases counted by outcome, or one case's outcome; None where it has no
    such statement."""
    key = statement_key(environment, statement)
    if key is None:
        return None
    if "[" in statement:
        case = environment.cases.get((key, statement.split("::")[-1]))
        return case[0] if case else None
    return environment.cell(key)


def said(environment: Environment, statement: str) -> str:
    """What the statement's first case that did not pass said there, or that every case passed."""
    key = statement_key(environment, statement)
    wanted = statement.split("::")[-1] if "[" in statement else None
    for (name, case), (result, message) in environment.cases.items():
        if name == key and result != "passed" and (wanted is None or case == wanted):
            # The exception's first lines: Keras's say where ("...calling Bidirectional.call()."), then what.
            first = " / ".join([line.strip() for line in message.splitlines() if line.strip()][:3])
            return f"{result}: {case}\n      {first[:400]}"
    return "every case passed"


def changed(before: Environment, after: Environment, statement: str) -> bool:
    """Whether one of the statement's cases stated in both releases has another outcome after, as the page's
    changelog compares them: cases stated in one release only (an API the suite needs is new) are no change."""
    key = statement_key(after, statement) or statement_key(before, statement)
    wanted = statement.split("::")[-1] if "[" in statement else None
    return any(name == key and wanted in (None, case) and before.cases[name, case][0] != after.cases[name, case][0]
               for name, case in before.cases.keys() & after.cases.keys())


def first_change(members: list[Environment], statement: str):
    """(the release before, the release where one of its cases first changed outcome), or None."""
    known = [e for e in members if outcome(e, statement) is not None]
    for before, after in pairwise(known):
        if changed(before, after, statement):
            return before, after
    return None


def unrecorded_between(before: Environment, after: Environment, names: list[str]) -> list[str]:
    """The matrix's environments (`keras-VERSION-BACKEND...`) of the same line whose release lies strictly between
    two recorded ones, oldest first."""
    found = {}
    for name in names:
        parts = name.split("-")
        if len(parts) < 3 or parts[0] != "keras" or before.line != ("keras", parts[2]):
            continue
        try:
            version = Version(parts[1])
        except InvalidVersion:
            continue  # a nightly: no release between
        if before.release < version < after.release:
            found[name] = version
    return sorted(found, key=found.get)


def matrix_environments() -> list[str]:
    """The `spec` sessions' environments in the noxfile."""
    listed = subprocess.run(["nox", "--list", "--json", "-t", "full", "releases"], capture_output=True, text=True, check=True).stdout
    return [s["call_spec"]["environment"] for s in json.loads(listed) if s["name"] == "spec"]


def report(results: Path, statement: str, line_filter: str | None, out=sys.stdout, matrix=()) -> bool:
    """Print each line's timeline and first change; `matrix` names the noxfile's environments, to say which of them
    lie unrecorded between the two sides."""
    environments = read_all(results)
    found = False
    for line, members in lines_of(environments).items():
        if line_filter and line_filter not in line:
            continue
        timeline = [(e, outcome(e, statement)) for e in members if outcome(e, statement) is not None]
        if not timeline:
            continue
        found = True
        print(f"{statement} on {line_name(line)}:", file=out)
        for e, result in timeline:
            print(f"  {e.release!s:<22} {result:<34} {e.name}", file=out)
        change = first_change(members, statement)
        if change is None:
            print(f"  no change across {len(timeline)} release(s) in the cases stated in each\n", file=out)
            continue
        before, after = change
        print(f"  first changed in {after.release} (after {before.release}): "
              f"{outcome(before, statement)} -> {outcome(after, statement)}", file=out)
        print(f"    before, {before.name}: {said(before, statement)}", file=out)
        print(f"    after,  {after.name}: {said(after, statement)}", file=out)
        between = unrecorded_between(before, after, list(matrix))
        if between:
            print(f"  not recorded in between (--run runs them): {', '.join(between)}", file=out)
        print(file=out)
    return found


def run_missing(results: Path, statement: str, line_filter: str | None) -> None:
    """Halve each gap: run the environment in the middle of those unrecorded between the releases around the first
    change of each line, until none is left (or each has been run once)."""
    names, ran = matrix_environments(), set()
    while True:
        middles = []
        for line, members in lines_of(read_all(results)).items():
            change = first_change(members, statement)
            if change and not (line_filter and line_filter not in line):
                between = [n for n in unrecorded_between(*change, names) if n not in ran]
                middles += [between[len(between) // 2]] if between else []
        if not middles:
            return
        for name in middles:
            print(f"running nox -s 'spec({name})'", file=sys.stderr)
            subprocess.run(["nox", "-s", f"spec({name})"], check=False)
            ran.add(name)


def main(argv=None, prog="python -m rnnspec.tools.bisect") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("statement", help="a test's name, module::name, or name[case id]")
    parser.add_argument("--results", default=RESULTS, type=Path, help=f"the recorded results (default {RESULTS})")
    parser.add_argument("--line", help="only the line whose Keras module or backend this names: tensorflow, jax, "
                        "torch, tf_keras")
    parser.add_argument("--run", action="store_true", help="run the matrix's unrecorded environments between two "
                        "recorded releases whose outcomes differ (nox), until the change lies between neighbours")
    arguments = parser.parse_args(argv)
    if not read_all(arguments.results):
        parser.error(f"no results in {arguments.results}: run the version matrix first (nox; docs/version-matrix-guide.md)")
    if arguments.run:
        run_missing(arguments.results, arguments.statement, arguments.line)
    matrix = matrix_environments() if shutil.which("nox") else ()
    if not report(arguments.results, arguments.statement, arguments.line, matrix=matrix):
        parser.error(f"no recorded environment in {arguments.results} has {arguments.statement}; name a statement "
                     "of the spec (a test's name, module::name or name[case id])")
    return 0


if __name__ == "__main__":
    sys.exit(main())
