"""Draw throughput against size from a saved benchmark run, with matplotlib (the `plots` extra), as an SVG written
next to it, and print the numbers drawn.

    python -m rnnspec.tools.throughput_plot [saved.json]    # default: the newest JSON under .benchmarks

One panel per cell; in each, one line per device, kernel and mode (GFLOP/s from the mean time, log scale) and, for
CPU results, a dotted line of NumPy's bare matrix products of the same sizes, the machine's limit. Without
matplotlib the numbers are printed and the chart is left out, with a note saying how to install it.
"""

import argparse
import importlib.util
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

STORAGE = Path(".benchmarks")
NUMPY_SERIES = "NumPy matmul (cpu)"
NUMPY_COLOUR = "#555555"
# A colour per device and kernel (matplotlib's default cycle), a line style per mode: one kernel's two modes read
# as a pair.
LINE_STYLES = {"inference": "-", "training": "--", NUMPY_SERIES: ":"}
WITHOUT_MATPLOTLIB = "the chart needs matplotlib: python -m pip install -e '.[plots]'"


@dataclass(frozen=True)
class SizePoint:
    name: str
    batch: int
    timesteps: int
    features: int
    units: int

    @property
    def work(self) -> int:
        """Proportional to the FLOPs of any cell at this size: orders the sizes along the x axis."""
        return self.batch * self.timesteps * self.units * (self.features + self.units)

    @property
    def label(self) -> str:
        return f"{self.name}\nB{self.batch} T{self.timesteps} F{self.features} M{self.units}"


def throughputs(run: dict) -> dict[str, dict[str, dict[SizePoint, float]]]:
    """{cell: {series: {size: GFLOP/s}}} from a pytest-benchmark JSON, for the results that carry a throughput."""
    found = defaultdict(lambda: defaultdict(dict))
    for result in run["benchmarks"]:
        info = result.get("extra_info", {})
        if "gflops_per_s" not in info:
            continue
        size = SizePoint(info["size"], info["batch"], info["timesteps"], info["features"], info["units"])
        found[info["cell"]][f"{info['device']} {info['kernel']} {info['mode']}"][size] = info["gflops_per_s"]
        if "numpy_matmul_gflops_per_s" in info:
            found[info["cell"]][NUMPY_SERIES][size] = info["numpy_matmul_gflops_per_s"]
    return found


def newest_saved_run(storage: Path = STORAGE) -> Path | None:
    runs = sorted(storage.rglob("*.json"), key=lambda path: path.stat().st_mtime)
    return runs[-1] if runs else None


def ordered_series(found: dict) -> list[str]:
    """Every series drawn, the NumPy limit last."""
    return sorted({name for by_series in found.values() for name in by_series}, key=lambda s: (s == NUMPY_SERIES, s))


def ordered_sizes(by_series: dict) -> list[SizePoint]:
    return sorted({size for points in by_series.values() for size in points}, key=lambda size: size.work)


def can_draw() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def figure(found: dict, title: str, subtitle: str):
    """Panels side by side sharing one log-scaled y axis, the sizes evenly spaced along x from the least work to the
    most, one legend for all. A matplotlib Figure, drawn without pyplot's global state."""
    from matplotlib.figure import Figure

    series = ordered_series(found)
    kernels = sorted({name.rsplit(" ", 1)[0] for name in series if name != NUMPY_SERIES})
    cycle = [f"C{index}" for index in range(10)]
    colour = {kernel: cycle[index % len(cycle)] for index, kernel in enumerate(kernels)}
    sizes = ordered_sizes({name: points for by_series in found.values() for name, points in by_series.items()})
    cells = sorted(found)
    drawing = Figure(figsize=(4.5 * len(cells) + 2.5, 4.8), layout="constrained")
    axes = drawing.subplots(1, len(cells), sharey=True, squeeze=False)[0]
    for panel, cell in zip(axes, cells):
        for name in series:
            points = sorted(found[cell].get(name, {}).items(), key=lambda item: item[0].work)
            if not points:
                continue
            kernel, mode = (name, name) if name == NUMPY_SERIES else name.rsplit(" ", 1)
            panel.plot(
                [sizes.index(size) for size, _ in points], [value for _, value in points],
                label=name, color=NUMPY_COLOUR if name == NUMPY_SERIES else colour[kernel],
                linestyle=LINE_STYLES[mode], marker="o", linewidth=2,
            )
        panel.set_title(cell, fontweight="bold")
        panel.set_yscale("log")
        panel.set_xticks(range(len(sizes)), [size.label for size in sizes])
        panel.set_xlim(-0.5, len(sizes) - 0.5)
        panel.set_xlabel("size (batch B, time steps T, features F, units M)")
        panel.grid(True, which="major", color="#dddddd")
    axes[0].set_ylabel("GFLOP/s (log scale)")
    handles = {}
    for panel in axes:  # one legend entry per series, from whichever panel drew it
        for handle, label in zip(*panel.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    labels = [name for name in series if name in handles]
    drawing.legend([handles[name] for name in labels], labels, loc="outside right upper")
    drawing.suptitle(f"{title}\n{subtitle}", fontsize=11)
    return drawing


def table(found: dict) -> str:
    """The numbers drawn: one row per cell and size, one column per series, in GFLOP/s."""
    series = ordered_series(found)
    rows = [["cell", "size"] + series]
    for cell in sorted(found):
        for size in ordered_sizes(found[cell]):
            values = [found[cell].get(name, {}).get(size) for name in series]
            rows.append([cell, size.name] + ["-" if value is None else f"{value:.1f}" for value in values])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(text.ljust(width) if i < 2 else text.rjust(width) for i, (text, width) in enumerate(zip(row, widths)))
        for row in rows
    )


def subtitle_of(run: dict) -> str:
    """What was measured where and when: the installation, the CPU and the date of the run."""
    installations = (result["extra_info"].get("installation") for result in run["benchmarks"])
    installation = next((described for described in installations if described), "")
    cpu = run.get("machine_info", {}).get("cpu", {}).get("brand_raw", "")
    return " | ".join(part for part in (installation, cpu, run.get("datetime", "")) if part)


TITLE = "Throughput of the Keras recurrent kernels against size"


def draw(run: dict, found: dict, path: Path) -> Path | None:
    """Write the chart to `path` (its suffix chooses the format: .svg, .png); None without matplotlib."""
    if not can_draw():
        return None
    figure(found, TITLE, subtitle_of(run)).savefig(path, dpi=110)
    return path


def main(argv=None, prog="python -m rnnspec.tools.throughput_plot") -> Path | None:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument(
        "saved", nargs="?", type=Path, help="a pytest-benchmark JSON (default: the newest under .benchmarks)"
    )
    saved = parser.parse_args(argv).saved or newest_saved_run()
    if saved is None:
        parser.error(f"no saved benchmark run under {STORAGE}/; save one with --benchmark-save (docs/benchmarks.md)")
    if not saved.is_file():
        parser.error(f"{saved}: no such file")
    run = json.loads(saved.read_text())
    found = throughputs(run)
    if not found:
        parser.error(f"{saved} holds no throughput; it was not saved by spec/test_benchmarks.py with --benchmark-enable")
    print(table(found))
    chart = draw(run, found, saved.with_suffix(".svg"))
    print(f"\nwrote {chart}" if chart else f"\n{WITHOUT_MATPLOTLIB}")
    return chart


if __name__ == "__main__":
    main()
