"""The `rnnspec` command: one entry point, a subcommand per tool (`rnnspec COMMAND --help` for each).

Exit codes, the same for every command:
  0  the behaviour holds (or the command did what it was asked)
  1  a behaviour differs: a snapshot changed, a reproducer says fixed, a report found a failure
  2  a usage error: an unknown command or option, a file that is not there, no results to read yet
  3  does not apply here: a reproducer whose divergence this installation cannot show
"""

import argparse
import importlib
import sys
from dataclasses import dataclass

EXIT_HOLDS, EXIT_DIFFERS, EXIT_USAGE, EXIT_DOES_NOT_APPLY = 0, 1, 2, 3


@dataclass(frozen=True)
class Command:
    module: str  # whose main(argv, prog) runs it
    summary: str


COMMANDS = {
    "repro": Command("rnnspec.divergences.repro", "list, print or run the known divergences' minimal reproducers"),
    "report": Command("rnnspec.tools.upstream_report", "print an upstream-ready report of a divergence, to file as an issue"),
    "divergences": Command("rnnspec.divergences.page", "print the table of known divergences (or write it into its page)"),
    "snapshot": Command("rnnspec.tools.snapshot", "compare two behaviour snapshots"),
    "matrix": Command("rnnspec.tools.version_matrix", "write the version matrix's page from the results of its runs"),
    "nightly": Command("rnnspec.tools.nightly_check", "fail where the nightly breaks what the newest release holds"),
    "bisect": Command("rnnspec.tools.bisect", "find the release where a statement's outcome changed"),
    "coverage": Command("rnnspec.statements.coverage", "measure which items of the documented API have a statement"),
    "gpu-report": Command("rnnspec.tools.gpu_report", "run the spec on the CPU and the GPU and write one report"),
    "wheelhouse": Command("rnnspec.tools.wheelhouse", "gather the wheels for an offline install on a GPU image"),
    "plot": Command("rnnspec.tools.throughput_plot", "print and chart the throughput of a saved benchmark run"),
    "architecture": Command("rnnspec.tools.architecture", "print the package's layers and imports as a diagram"),
}


def parser() -> argparse.ArgumentParser:
    commands = "\n".join(f"  {name:<13} {command.summary}" for name, command in COMMANDS.items())
    described = __doc__.split("\n\n", 1)[1]
    made = argparse.ArgumentParser(
        prog="rnnspec", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The tools of rnnspec, the executable specification of Keras recurrent layers. The spec itself "
        "runs with `pytest spec`.",
        epilog=f"commands:\n{commands}\n\n{described}",
    )
    made.add_argument("command", choices=COMMANDS, metavar="COMMAND", help="one of the commands below")
    made.add_argument("arguments", nargs=argparse.REMAINDER, help="the command's own arguments (COMMAND --help)")
    return made


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        parser().error("name a command; `rnnspec --help` lists them")
    chosen = parser().parse_args(argv)
    run = importlib.import_module(COMMANDS[chosen.command].module).main
    try:
        status = run(chosen.arguments, prog=f"rnnspec {chosen.command}")
    except BrokenPipeError:  # the reader left (`rnnspec repro --list | head`): nothing more to say
        sys.stdout = None
        return EXIT_HOLDS
    return status if isinstance(status, int) else EXIT_HOLDS


if __name__ == "__main__":
    raise SystemExit(main())
