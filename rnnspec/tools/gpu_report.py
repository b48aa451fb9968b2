"""One command, one report, for validating a GPU image: pytest on the CPU and the GPU, with the kernel benchmarks
timed, written to one self-contained folder.

    python -m rnnspec.tools.gpu_report OUTDIR [--profile quick|full] [--keras-backend tensorflow|jax|torch]

The quick profile runs the devices and kernels chapter, the training chapter's GPU gradient statements and the
benchmarks; the full profile, the whole spec (without the meta-tests, which check the suite itself) and the
benchmarks. OUTDIR/report.md and OUTDIR/report.html (the same report; the HTML embeds its plot) name the
installation, the devices and their CUDA and cuDNN versions; list, per tolerance and per statement × cell × kernel
× TF32 setting, the largest difference the comparisons measured next to the tolerance (recorded by the comparisons
themselves, pytest's --record-comparisons); count the statements' outcomes, with the reasons for skips and the
failures' messages; and show the benchmarks as a table and a plot (matplotlib, the `plots` extra). Beside them lies
what pytest wrote: pytest.log, junit.xml, comparisons.json, benchmarks.json. The command exits with pytest's status.

On a machine without a GPU, `--without-gpu` runs the same with every GPU case skipped, each with its reason: the
dry run that checks an installation and the report before a GPU is at hand (.ci/gpu-dry-run).
"""

import argparse
import base64
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rnnspec import installation
from rnnspec.tools import throughput_plot, version_matrix

REPOSITORY = Path(__file__).resolve().parents[2]
LOG, JUNIT, COMPARISONS, BENCHMARKS = "pytest.log", "junit.xml", "comparisons.json", "benchmarks.json"
THROUGHPUT_PLOT = "throughput.png"


@dataclass(frozen=True)
class Profile:
    description: str
    selection: tuple[str, ...]  # the pytest arguments that select its tests


PROFILES = {
    "quick": Profile(
        "the devices and kernels chapter, the training chapter's GPU gradient statements, and the kernel benchmarks",
        (
            "spec/test_devices_and_kernels.py",
            "spec/test_training.py::test_on_a_gpu_the_gradients_equal_the_cpus",
            "spec/test_training.py::test_on_a_gpu_cudnn_gradients_equal_the_generic_kernels",
            "spec/test_benchmarks.py",
        ),
    ),
    "full": Profile("the whole spec, without the meta-tests, and the kernel benchmarks", ("spec", "-m", "not meta")),
}


def pytest_command(folder: Path, profile: str, backend: str, keras: str, with_gpu: bool) -> list[str]:
    return [
        sys.executable, "-m", "pytest", *PROFILES[profile].selection,
        f"--keras-backend={backend}", f"--keras={keras}",
        # Naming the GPU makes a run on a machine whose backend sees none stop at once, instead of skipping it all.
        *(["--devices=cpu,gpu"] if with_gpu else []),
        "--benchmark-enable", f"--benchmark-json={folder / BENCHMARKS}",
        f"--junitxml={folder / JUNIT}", f"--record-comparisons={folder / COMPARISONS}",
        "-p", "no:cacheprovider",
    ]


def run_logged(command: list[str], log: Path) -> int:
    """Run `command` in the repository, its output shown as it comes and kept in `log`; its exit status."""
    with log.open("w") as kept, subprocess.Popen(
        command, cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        for line in process.stdout:
            sys.stdout.write(line)
            kept.write(line)
    return process.returncode


@dataclass
class Run:
    """What one run left in its folder, read back."""

    folder: Path
    profile: str
    command: list[str]
    exit_status: int
    started: str
    seconds: float
    outcomes: version_matrix.Environment | None  # from junit.xml
    record: dict | None  # comparisons.json: the installation and every comparison within a tolerance
    benchmarks: dict | None  # benchmarks.json (pytest-benchmark)

    @classmethod
    def read(cls, folder: Path, **facts) -> "Run":
        def loaded(name):
            path = folder / name
            return json.loads(path.read_text()) if path.is_file() else None

        junit = folder / JUNIT
        outcomes = version_matrix.read(junit) if junit.is_file() else None
        return cls(folder, outcomes=outcomes, record=loaded(COMPARISONS), benchmarks=loaded(BENCHMARKS), **facts)


def text_cell(text) -> str:
    """Free text in a Markdown table cell: one line, its pipes and angle brackets escaped."""
    return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;")


def table(header: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)] + [
        "| " + " | ".join(text_cell(value) for value in row) + " |" for row in rows
    ]


def statement_of(test: str) -> str:
    """`spec/test_x.py::test_y[case]` -> `test_x::test_y`, as the version matrix names statements."""
    path, _, name = test.partition("::")
    return f"{Path(path).stem}::{name.split('[')[0]}"


def tf32_text(comparison: dict) -> str:
    if comparison["device"] != "gpu":
        return "–"
    return {None: "default", True: "enabled", False: "disabled"}[comparison["tf32"]]


def number(value: float) -> str:
    return f"{value:.3g}"


def largest(comparisons: list[dict], key) -> dict:
    """The comparisons grouped by `key`: per group, how many, the largest difference and the largest share."""
    groups = defaultdict(list)
    for comparison in comparisons:
        groups[key(comparison)].append(comparison)
    return {
        group: {
            "count": len(members),
            "max_difference": max(m["max_difference"] for m in members),
            "max_share": max(m["max_share_of_tolerance"] for m in members),
            "example": members[0],
        }
        for group, members in groups.items()
    }


MEASURED = (
    "Every comparison within a tolerance that the run made (`rnnspec.statements.assertions.assert_close`), as it made it: the "
    "largest |difference| over the elements compared, and its largest *share* of the tolerance, |difference| / "
    "(atol + rtol·|expected|), which is 1 at the bound (above 1 the comparison failed). The tolerances live in "
    "`rnnspec/statements/tolerances.py`."
)


def differences_section(run: Run) -> list[str]:
    lines = ["## Measured differences against the tolerances", ""]
    comparisons = (run.record or {}).get("comparisons", [])
    if not comparisons:
        return lines + ["No comparison within a tolerance ran.", ""]
    lines += [MEASURED, "", "### Per tolerance", ""]
    by_tolerance = largest(comparisons, lambda c: c["tolerance"])
    lines += table(
        ["tolerance", "rtol", "atol", "comparisons", "largest difference", "largest share"],
        [[f"`{name}`", g["example"]["rtol"], g["example"]["atol"], g["count"], number(g["max_difference"]),
          number(g["max_share"])] for name, g in sorted(by_tolerance.items())],
    )
    lines += ["", "### Per statement, cell, kernel and TF32 setting", ""]
    by_statement = defaultdict(list)
    for comparison in comparisons:
        by_statement[statement_of(comparison["test"])].append(comparison)
    for statement, members in sorted(by_statement.items()):
        groups = largest(members, lambda c: (c["cell"] or "–", c["device"] or "–", c["kernel"] or "–", tf32_text(c),
                                             c["tolerance"]))
        lines += [f"`{statement}`", ""]
        lines += table(
            ["cell", "device", "kernel", "TF32", "comparisons", "largest difference", "tolerance", "largest share"],
            [[cell, device, kernel, tf32, g["count"], number(g["max_difference"]),
              f"{tolerance} (rtol {g['example']['rtol']:g}, atol {g['example']['atol']:g})", number(g["max_share"])]
             for (cell, device, kernel, tf32, tolerance), g in sorted(groups.items())],
        )
        lines.append("")
    return lines


def outcomes_section(run: Run) -> list[str]:
    lines = ["## Statements", ""]
    if run.outcomes is None:
        return lines + [f"pytest wrote no results (exit status {run.exit_status}); the end of its output:", "",
                        "```", *log_tail(run.folder / LOG), "```", ""]
    lines += table(["statement", "cases"], [[f"`{statement}`", version_matrix.cell(counts)]
                                            for statement, counts in sorted(run.outcomes.counts.items())])
    if run.outcomes.skip_reasons:
        lines += ["", "### Skipped, by reason", ""]
        lines += table(["reason", "cases"], [[reason, count] for reason, count in run.outcomes.skip_reasons.most_common()])
    failures = run.outcomes.failures
    if failures:
        lines += ["", f"### Failures ({len(failures)})", ""]
        for statement, case, message in failures[:20]:
            lines += [f"`{case}`", "", "```", *message.splitlines()[:15], "```", ""]
        if len(failures) > 20:
            lines += [f"… and {len(failures) - 20} more, in {JUNIT} and {LOG}.", ""]
    return lines + [""]


def log_tail(log: Path, count: int = 30) -> list[str]:
    return log.read_text().splitlines()[-count:] if log.is_file() else ["(no output kept)"]


def benchmarks_section(run: Run, image_link) -> list[str]:
    lines = ["## Benchmarks", ""]
    results = (run.benchmarks or {}).get("benchmarks", [])
    found = throughput_plot.throughputs(run.benchmarks) if results else {}
    if not found:
        return lines + ["No benchmark was timed.", ""]
    plot = run.folder / THROUGHPUT_PLOT
    lines += [f"![Throughput against size]({image_link(plot)})" if plot.is_file() else
              f"*No plot: {throughput_plot.WITHOUT_MATPLOTLIB}.*", ""]
    lines += ["Throughput, GFLOP/s from the mean time (FLOPs: `rnnspec.statements.benchmarks`):", "", "```",
              throughput_plot.table(found), "```", ""]
    rows = []
    for result in results:
        info, stats = result.get("extra_info", {}), result.get("stats", {})
        if "mean" not in stats or "gflops_per_s" not in info:
            continue
        rows.append([info["cell"], info["mode"], info["size"], info["device"], info["kernel"],
                     number(stats["mean"] * 1e3), number(stats["min"] * 1e3), stats["rounds"],
                     number(info["gflops_per_s"])])
    lines += table(["cell", "mode", "size", "device", "kernel that ran", "mean ms", "min ms", "rounds", "GFLOP/s"], rows)
    return lines + [""]


def installation_section(run: Run) -> list[str]:
    record = run.record or {}
    gpus = record.get("gpus", [])
    software = record.get("gpu_software", {})
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    lines = ["## Installation", "", f"- under test: {record.get('installation', 'unknown (pytest wrote no record)')}",
             f"- Python {platform.python_version()} on {platform.platform()}", "",
             "<details><summary>Installed packages</summary>", "", "```", *packages, "```", "", "</details>", "",
             "## Devices", "", f"- GPUs the backend sees: {', '.join(gpus) if gpus else 'none'}"]
    lines += [f"- {name}: {value}" for name, value in software.items()] or ["- no CUDA or cuDNN found (a CPU build)"]
    return lines + [""]


NO_GPU = (
    "> **No GPU was visible to {backend}**: every GPU case was skipped, with its reason (below). This run checked the "
    "installation's CPU side and the report itself."
)


def markdown(run: Run, image_link) -> str:
    """The report, its plot linked by `image_link(path)`: the file's name beside the Markdown, its data in HTML."""
    record = run.record or {}
    outcomes = run.outcomes
    counted = version_matrix.cell(sum(outcomes.counts.values(), start=Counter())) if outcomes else "–"
    lines = [f"# rnnspec GPU report ({run.profile} profile)", ""]
    if record and not record.get("gpus"):
        backend = record.get("backend", "the backend")
        lines += [NO_GPU.format(backend=backend), ""]
    lines += table(["", ""], [
        ["installation", record.get("installation", "unknown")],
        ["profile", f"{run.profile}: {PROFILES[run.profile].description}"],
        ["command", f"`{' '.join(run.command)}`"],
        ["started", run.started],
        ["took", f"{run.seconds / 60:.1f} min"],
        ["pytest exit status", run.exit_status],
        ["outcomes", counted],
    ])
    lines.append("")
    lines += installation_section(run)
    lines += differences_section(run)
    lines += outcomes_section(run)
    lines += benchmarks_section(run, image_link)
    return "\n".join(lines) + "\n"


STYLE = """body{font-family:sans-serif;margin:2em;max-width:110em} table{border-collapse:collapse;margin:0.5em 0}
td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left} pre{background:#f6f8fa;padding:8px;overflow:auto}
blockquote{background:#fef7e0;margin:0;padding:4px 12px} img{max-width:100%}"""


def html_page(run: Run) -> str:
    """The same report, as one HTML file: the Markdown rendered by markdown-it-py, the plot embedded as data."""
    from markdown_it import MarkdownIt

    def embedded(path: Path) -> str:
        return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()

    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown(run, embedded))
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>rnnspec GPU report</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")


def write_report(run: Run) -> tuple[Path, Path]:
    if run.benchmarks:
        found = throughput_plot.throughputs(run.benchmarks)
        if found:
            throughput_plot.draw(run.benchmarks, found, run.folder / THROUGHPUT_PLOT)
    written = run.folder / "report.md", run.folder / "report.html"
    written[0].write_text(markdown(run, lambda path: path.name))
    written[1].write_text(html_page(run))
    return written


def main(argv=None, prog="python -m rnnspec.tools.gpu_report") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="where the report and pytest's results are written")
    parser.add_argument("--profile", choices=PROFILES, default="quick", help="which tests run (default: quick)")
    parser.add_argument("--keras-backend", default=os.environ.get("KERAS_BACKEND", "tensorflow"),
                        help="the Keras 3 backend under test (default: $KERAS_BACKEND, else tensorflow)")
    parser.add_argument("--keras", default=installation.keras_module, help="keras (Keras 3) or tf_keras")
    parser.add_argument("--without-gpu", action="store_true",
                        help="run where no GPU is visible, every GPU case skipped with its reason (the CI dry run)")
    arguments = parser.parse_args(argv)
    folder = arguments.folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for name in (LOG, JUNIT, COMPARISONS, BENCHMARKS, THROUGHPUT_PLOT):  # an earlier run's, which this one may not replace
        (folder / name).unlink(missing_ok=True)
    command = pytest_command(folder, arguments.profile, arguments.keras_backend, arguments.keras,
                             with_gpu=not arguments.without_gpu)
    started, start = datetime.now(timezone.utc).isoformat(timespec="seconds"), time.perf_counter()
    exit_status = run_logged(command, folder / LOG)
    run = Run.read(folder, profile=arguments.profile, command=command, exit_status=exit_status, started=started,
                   seconds=time.perf_counter() - start)
    markdown_file, html_file = write_report(run)
    print(f"\nwrote {markdown_file} and {html_file}")
    return exit_status


if __name__ == "__main__":
    sys.exit(main())
