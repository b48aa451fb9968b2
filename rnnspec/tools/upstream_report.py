"""An upstream-ready report: GitHub-issue Markdown for a known divergence (a row of the table, named by its
reproducer) or for a statement that fails on a nightly, with a title, the environment, the minimal reproducer, the
documented behaviour with its citation, the observed one, and the first release affected according to the version
matrix's recorded results. It prints; nothing is sent anywhere.

    rnnspec report stacked_layer_loses_the_mask
    rnnspec report test_arguments.py::test_a_layer_stacked_on_a_sequence_is_masked_too --results .nox-results
"""

import argparse
import ast
import re
from pathlib import Path

from rnnspec.divergences import repro, table
from rnnspec.tools import bisect
from rnnspec.tools.version_matrix import Environment, read_all

SPEC = Path(__file__).resolve().parents[2] / "spec"
RESULTS = Path(bisect.RESULTS)
URL = re.compile(r"https?://[^\s\"'`)>]+")


def statement_text(statement: str) -> tuple[str, list[str]]:
    """The statement's sentence (its docstring) and the pages its chapter cites, read from the chapter's source."""
    chapter, name = statement.split("::")
    tree = ast.parse((SPEC / chapter).read_text())
    function = next((node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name), None)
    sentence = " ".join((ast.get_docstring(function) or "").split()) if function else ""
    return sentence, list(dict.fromkeys(URL.findall(ast.get_docstring(tree) or "")))


def documented_in(source: str) -> str:
    """The documentation a reproducer quotes, with its page: its `DOCUMENTED` constant."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTED":
            return ast.literal_eval(node.value)
    return ""


def as_recorded(statement: str) -> str:
    """chapter.py::test_name as the results name it, chapter::test_name."""
    return statement.replace(".py::", "::")


def all_passed(outcome: str | None) -> bool:
    """Whether a statement's cell in the results ("3 passed", "2 passed, 1 failed") is every case passing."""
    return bool(outcome) and all(part.split()[-1] == "passed" for part in outcome.split(", "))


def shows_in(environment: Environment, statement: str) -> bool:
    """Whether some case of the statement failed there, or was a known divergence (a skipped case shows nothing)."""
    outcome = bisect.outcome(environment, as_recorded(statement)) or ""
    return any(part.split()[-1] in ("failed", "xfailed") for part in outcome.split(", ") if part)


def first_affected(environments: list[Environment], statement: str) -> str:
    """Line by line (Keras 3 on each backend, tf_keras), the first recorded release where the statement stopped
    passing after passing in the release before it."""
    found = []
    for line, members in bisect.lines_of(environments).items():
        stated = [(e, bisect.outcome(e, as_recorded(statement))) for e in sorted(members, key=lambda e: e.release)]
        stated = [(e, outcome) for e, outcome in stated if outcome]
        for (before, was), (after, now) in zip(stated, stated[1:]):
            if all_passed(was) and not all_passed(now):
                found.append(f"{bisect.line_name(line)}: {after.installation} ({now}; before it, "
                             f"{before.installation}: {was})")
                break
    return "; ".join(found) or "no recorded release where it passed and then did not"


def report(name: str, results: Path) -> str:
    rows = [row for row in table.DIVERGENCES if row.reproducer == name]
    statements = rows[0].statements if rows else (name,)
    environments = read_all(results) if results.is_dir() else []
    showing = [e for e in environments if shows_in(e, name)]
    documented = [statement_text(statement) for statement in statements]
    citations = list(dict.fromkeys(url for _, urls in documented for url in urls))
    lines = [f"## {rows[0].reason if rows else documented[0][0]}", ""]
    lines += ["**Environment.** " + (f"Seen on {rows[0].seen_on}." if rows else
              "Seen in the version matrix's results: " + ", ".join(e.installation for e in showing)), ""]
    quoted = ""
    if rows:
        reproducer = next(reproducer for reproducer in repro.REPRODUCERS if reproducer.name == name)
        lines += ["**Minimal reproducer** (Keras and NumPy alone; exits 1 while the behaviour differs, 0 once it is "
                  "as documented):", "", "```python", reproducer.source().rstrip(), "```", ""]
        quoted = documented_in(reproducer.source())
    stated = " ".join(sentence for sentence, _ in documented if sentence)
    cited = quoted or (f"({', '.join(citations)})" if citations else "")
    lines += [f"**Documented behaviour.** {cited}" + (f". The statement that fails: {stated}" if stated else ""), ""]
    observed = f"{rows[0].reason}" + (f": {rows[0].details}" if rows and rows[0].details else "") if rows else \
        next((bisect.said(e, as_recorded(name)) for e in showing), "")
    lines += [f"**Observed behaviour.** {observed}", ""]
    matrix = first_affected(environments, statements[0]) if environments else \
        f"not in recorded results ({results} holds none: run the version matrix, `nox -t full`)"
    lines += [f"**First release affected, by the version matrix.** {matrix}", ""]
    lines += [f"*Found by rnnspec, the executable specification of Keras recurrent layers: "
              f"`{'`, `'.join(statements)}`.*"]
    return "\n".join(lines)


def main(argv=None, prog="python -m rnnspec.tools.upstream_report") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="a reproducer's name (`rnnspec repro --list`) or a statement, chapter.py::test_name")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"the version matrix's results (default {RESULTS})")
    arguments = parser.parse_args(argv)
    known = {row.reproducer for row in table.DIVERGENCES}
    if arguments.name not in known:
        if "::" not in arguments.name:
            parser.error(f"no known divergence has the reproducer {arguments.name!r}; `rnnspec repro --list` lists them")
        if not (SPEC / arguments.name.split("::")[0]).is_file():
            parser.error(f"{arguments.name.split('::')[0]} is no chapter of spec/")
        if not arguments.results.is_dir():
            parser.error(f"no results in {arguments.results}: run the version matrix first (nox; "
                         "docs/version-matrix-guide.md)")
    print(report(arguments.name, arguments.results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
