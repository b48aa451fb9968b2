"""Minimal reproducers of the known divergences, to paste into an upstream issue: for each row of the table
(`rnnspec.divergences.DIVERGENCES`), a script that needs nothing but Keras and NumPy (and, where the backend needs
it, that framework), kept in rnnspec/divergences/reproducers/<name>.py.

    python -m rnnspec.divergences.repro --list             # every reproducer, with the installations it applies to
    python -m rnnspec.divergences.repro NAME [-o FILE]     # print one (or write it to FILE)
    python -m rnnspec.divergences.repro --run [--record F] # run those that apply here: still diverges / fixed / not applicable

A reproducer names the installation it was seen on in its first line and prints what Keras does next to what its
documentation says. Its exit status:

    0  fixed: Keras does as documented
    1  still diverges
    3  not applicable here: this installation cannot show it, and its last line on stdout says why (no GPU, the
       framework it needs is not installed, a backend that computes float64 in float32)

No reproducer exits 2, argparse's status for a mistaken command (this runner's own). `--run` reads any other status
(2 included), and any exception that escaped the script (a traceback), as "failed to run", with the last line of the
script's stderr. A reproducer runs on the backend KERAS_BACKEND names; one for a divergence of one backend defaults
KERAS_BACKEND to it, so that it runs as pasted. One that defaults KERAS_BACKEND, or needs a framework of its own
(tf_keras and TensorFlow, TensorFlow for a SavedModel, the export runtimes), first looks it up with
`importlib.util.find_spec` and, where it is not installed, says so in one line and exits 3 before importing Keras.

Which reproducers apply to an installation is decided from their rows' conditions on the installation alone
(`Condition.could_hold`): a row applies unless the installation rules its condition out, so a row whose condition
also names the case (a cell, a dtype, a benchmark's target) applies wherever some case could meet it. A reproducer
applies where one of its rows does. `--run` takes the installation as pytest does (`--keras-backend`, default
$KERAS_BACKEND else tensorflow; `--keras`, default tf_keras under TF_USE_LEGACY_KERAS=1) and runs, each in its own
process with that backend and Keras, every reproducer that applies and can run here: not one written for another
Keras (it does not import this one), one that imports a framework not installed, or one that needs a GPU the
backend does not see (the last two would also say so themselves, and exit 3). Its own exit status is 0 when every
reproducer that applies and can run here still diverges (or says it is not applicable here), 1 when one says fixed
or fails to run (the table needs a look), and 2 for a mistaken command (argparse).
"""

import argparse
import ast
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from rnnspec import installation as installations
from rnnspec.divergences import forked
from rnnspec.divergences.table import DIVERGENCES, Divergence
from rnnspec.installation import Installation, options

FOLDER = Path(__file__).parent / "reproducers"
KERAS_NAMES = {"keras": "Keras 3", "tf_keras": "tf_keras"}  # the module a script imports: the Keras it is written for
FRAMEWORKS = ("tensorflow", "jax", "torch")
# What a reproducer may import: a Keras, NumPy, a backend framework, os to choose the backend before Keras loads, and
# importlib to find whether the framework it needs is installed (`importlib.util.find_spec`) before it imports it.
# Chapter 14's reproducers also run an exported artifact with its format's runtime (the export extra), written into a
# temporary folder; one that shows what Keras warns catches it with `warnings`.
EXPORT_RUNTIMES = ("onnxruntime", "ai_edge_litert", "openvino")
ALLOWED_IMPORTS = frozenset(
    {*KERAS_NAMES, "numpy", "os", "importlib", *FRAMEWORKS, *EXPORT_RUNTIMES, "tempfile", "warnings"}
)
MAX_LINES = 40

DIVERGES, FIXED, NOT_APPLICABLE, FAILED = "still diverges", "fixed", "not applicable here", "failed to run"
# A reproducer's exit status, and what it says; any other status (2 included: argparse's) is a failure to run.
EXIT_FIXED, EXIT_DIVERGES, EXIT_NOT_APPLICABLE = 0, 1, 3
OUTCOME_OF_EXIT = {EXIT_DIVERGES: DIVERGES, EXIT_FIXED: FIXED, EXIT_NOT_APPLICABLE: NOT_APPLICABLE}
UNCAUGHT = "Traceback (most recent call last)"  # an exception escaped the script: its exit status says nothing
EXIT_STATUSES = f"""\
A reproducer's exit status, as --run reads it:
  {EXIT_FIXED}  {FIXED}: Keras does as documented
  {EXIT_DIVERGES}  {DIVERGES}
  {EXIT_NOT_APPLICABLE}  {NOT_APPLICABLE}: its last line on stdout says why (no GPU, the
     framework it needs is not installed, ...)
  any other status (2 included), or a traceback: {FAILED}, with the last
     line of its stderr

This command's exit status: 0 when no reproducer that runs says fixed or fails
to run, 1 when one does (the table needs a look), 2 for a mistaken command."""
TIMEOUT_S = 300


@dataclass(frozen=True)
class Reproducer:
    name: str
    rows: tuple[Divergence, ...]  # the rows of the table it reproduces (two share one)

    @property
    def path(self) -> Path:
        return FOLDER / f"{self.name}.py"

    def source(self) -> str:
        return self.path.read_text()

    def imports(self) -> set[str]:
        """The top-level modules the script imports, wherever it imports them."""
        found = set()
        for node in ast.walk(ast.parse(self.source())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.add((node.module or "").split(".")[0] if not node.level else ".")
        return found

    def default_backend(self) -> str | None:
        """The backend it defaults KERAS_BACKEND to (`os.environ.setdefault("KERAS_BACKEND", ...)`), if any."""
        for node in ast.walk(ast.parse(self.source())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault"
                    and len(node.args) == 2 and all(isinstance(arg, ast.Constant) for arg in node.args)
                    and node.args[0].value == "KERAS_BACKEND"):
                return node.args[1].value
        return None

    def frameworks(self) -> set[str]:
        """The frameworks it needs run by hand (KERAS_BACKEND unset): the backend it defaults to, those it imports."""
        return ({self.default_backend()} - {None}) | (self.imports() & set(FRAMEWORKS))

    @property
    def needs_gpu(self) -> bool:
        return any(row.reproducer_needs_gpu for row in self.rows)

    def where(self) -> str:
        """The installations it applies to, in the words of its rows' conditions."""
        return "; or ".join(dict.fromkeys(row.condition.words for row in self.rows))

    def applies_to(self, installation: Installation) -> bool:
        return any(row.applies_to(installation) for row in self.rows)

    def cannot_run_on(self, installation: Installation) -> str | None:
        """Why the script cannot run on this installation, or None where it can."""
        imported = self.imports()
        if installation.keras_module not in imported:
            return f"written for {' or '.join(KERAS_NAMES[name] for name in sorted(imported & KERAS_NAMES.keys()))}"
        missing = [framework for framework in FRAMEWORKS
                   if framework in imported and framework not in installation.framework_versions]
        missing += [runtime for runtime in EXPORT_RUNTIMES
                    if runtime in imported and importlib.util.find_spec(runtime) is None]
        if missing:
            return f"needs {', '.join(missing)}"
        if self.needs_gpu and not installation.gpus:
            return "needs a GPU"
        return None


def grouped(rows: tuple[Divergence, ...]) -> tuple[Reproducer, ...]:
    names = dict.fromkeys(row.reproducer for row in rows)
    return tuple(Reproducer(name, tuple(row for row in rows if row.reproducer == name)) for name in names)


REPRODUCERS = grouped(DIVERGENCES)


@dataclass(frozen=True)
class Result:
    outcome: str
    why: str = ""  # why it is not applicable here, or why it failed to run (its exit status, its stderr's last line)
    output: str = ""  # what the script printed (the end of it, with its errors, where it failed to run)


def environment(installation: Installation) -> dict[str, str]:
    """The environment a script runs in: the installation's backend and Keras."""
    return {
        **os.environ,
        "KERAS_BACKEND": installation.backend,
        "TF_USE_LEGACY_KERAS": "1" if installation.keras_module == "tf_keras" else "0",
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),  # TensorFlow's start-up notices
    }


def result_of(status: int | None, stdout: str, stderr: str) -> Result:
    """What the script's exit status says (`EXIT_STATUSES`): a status of none of its three outcomes, or an exception
    that escaped it whatever the status, is a failure to run, with its stderr's last line."""
    if status is None:
        return Result(FAILED, f"ran past {TIMEOUT_S} s", f"ran past {TIMEOUT_S} s")
    outcome = OUTCOME_OF_EXIT.get(status)
    if outcome is None or UNCAUGHT in stderr:
        last_words = stderr.strip().splitlines()[-1:]
        why = f"exit status {status}" + "".join(f": {line.strip()[:200]}" for line in last_words)
        return Result(FAILED, why, f"exit status {status}\n{(stdout + stderr)[-3000:]}")
    printed = stdout.strip()
    why = printed.splitlines()[-1] if outcome == NOT_APPLICABLE and printed else ""  # the script's last words
    return Result(outcome, why, printed)


def start_all(reproducers, installation: Installation) -> Callable[[], dict[str, Result]]:
    """Start running them in the background, one at a time, each in a process of its own that starts with Keras
    imported (`rnnspec.divergences.forked`); what is returned waits for their results. (The test session starts them as its
    collection ends, on the core its own process leaves free.)"""
    names = {str(reproducer.path): reproducer.name for reproducer in reproducers}
    runner = subprocess.Popen(
        [sys.executable, "-m", "rnnspec.divergences.forked", str(TIMEOUT_S), *names],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(installation),
    )

    def results() -> dict[str, Result]:
        stdout, stderr = runner.communicate()
        found = {}
        for line in stdout.splitlines():
            if line.startswith("{") and (ran := json.loads(line)).get(forked.RESULT_KEY) in names:
                found[names[ran[forked.RESULT_KEY]]] = result_of(ran["exit"], ran["stdout"], ran["stderr"])
        stopped = f"the runner stopped (exit status {runner.returncode})"
        lost = Result(FAILED, stopped, f"{stopped}:\n{stderr[-3000:]}")
        return {name: found.get(name, lost) for name in names.values()}

    return results


def run_all(reproducers, installation: Installation) -> dict[str, Result]:
    return start_all(reproducers, installation)()


def runnable_here(installation: Installation) -> list[Reproducer]:
    """The reproducers whose rows apply to the installation and that can run on it."""
    return [r for r in REPRODUCERS if r.applies_to(installation) and r.cannot_run_on(installation) is None]


def survey(installation: Installation, reproducers=REPRODUCERS) -> dict[str, Result]:
    """What `--run` reports: the reproducers that apply to the installation and can run here, run; the others
    not applicable, with why where the table's condition is not the reason."""
    results, runnable = {}, []
    for reproducer in reproducers:
        if not reproducer.applies_to(installation):
            results[reproducer.name] = Result(NOT_APPLICABLE)
        elif reason := reproducer.cannot_run_on(installation):
            results[reproducer.name] = Result(NOT_APPLICABLE, why=reason)
        else:
            runnable.append(reproducer)
    results.update(run_all(runnable, installation))
    return {reproducer.name: results[reproducer.name] for reproducer in reproducers}


def described(result: Result) -> str:
    return f"{result.outcome} ({result.why})" if result.why else result.outcome


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]) for row in rows)


def listing(reproducers=REPRODUCERS) -> str:
    rows = [("reproducer", "applies to")]
    rows += [(r.name + (" (needs a GPU)" if r.needs_gpu else ""), r.where()) for r in reproducers]
    return table(rows)


def report(installation: Installation, results: dict[str, Result], reproducers=REPRODUCERS) -> str:
    rows = [("reproducer", "outcome", "applies to")]
    rows += [(r.name, described(results[r.name]), r.where()) for r in reproducers]
    failures = [f"\n{name} {FAILED}:\n{result.output}" for name, result in results.items() if result.outcome == FAILED]
    return f"Reproducers of the known divergences on {installation.describe()}\n{table(rows)}" + "".join(failures)


def record(installation: Installation, results: dict[str, Result], reproducers=REPRODUCERS) -> dict:
    """The results as the version matrix reads them (`rnnspec.tools.version_matrix`), with each reproducer's rows."""
    return {
        "installation": installation.describe(),
        "reproducers": [
            {"name": r.name, "divergences": [row.reason for row in r.rows], "applies to": r.where(),
             **{key: value for key, value in asdict(results[r.name]).items() if key != "output"}}
            for r in reproducers
        ],
    }


def needs_a_look(results: dict[str, Result]) -> bool:
    return any(result.outcome in (FIXED, FAILED) for result in results.values())


def main(arguments: list[str] | None = None, prog: str = "python -m rnnspec.divergences.repro") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Minimal reproducers of the known divergences (rnnspec/divergences/table.py): Keras and NumPy alone.",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("name", nargs="?", help="print this reproducer (see --list)")
    action.add_argument("--list", action="store_true", help="list the reproducers and where they apply")
    action.add_argument("--run", action="store_true", help="run those that apply to this installation")
    parser.add_argument("-o", "--output", type=Path, help="with NAME: write the reproducer to this file")
    parser.add_argument("--record", type=Path, help="with --run: also write the results as JSON (version matrix)")
    parser.add_argument("--keras-backend", default=os.environ.get("KERAS_BACKEND", "tensorflow"),
                        help="with --run: the backend (default: $KERAS_BACKEND, else tensorflow)")
    parser.add_argument("--keras", default=installations.keras_module,
                        help="with --run: keras (Keras 3) or tf_keras (default when TF_USE_LEGACY_KERAS=1)")
    chosen = parser.parse_args(arguments)
    if chosen.output and not chosen.name or chosen.record and not chosen.run:
        parser.error("-o goes with NAME, --record with --run")
    if chosen.list:
        print(listing())
        return 0
    if chosen.name:
        found = {reproducer.name: reproducer for reproducer in REPRODUCERS}.get(chosen.name)
        if found is None:
            parser.error(f"no reproducer is named {chosen.name!r}; `--list` lists them")
        if chosen.output:
            chosen.output.write_text(found.source())
        else:
            print(found.source(), end="")
        return 0
    try:
        wanted = options.parse(chosen.keras_backend, None, chosen.keras)
    except options.OptionError as error:
        parser.error(str(error))
    installations.select(wanted.keras, wanted.backend)
    here = installations.current()
    results = survey(here)
    print(report(here, results))
    if chosen.record:
        chosen.record.write_text(json.dumps(record(here, results), indent=1) + "\n")
    return int(needs_a_look(results))


if __name__ == "__main__":
    sys.exit(main())
