"""Draw throughput against size from a saved benchmark run, as an SVG line chart written next to it, and print
the numbers drawn. No plotting library: the chart is a few SVG elements.

    python -m rnnspec.throughput_plot [saved.json]    # default: the newest JSON under .benchmarks

One panel per cell; in each, one line per device, kernel and mode (GFLOP/s from the mean time, log scale) and, for
CPU results, a dotted line of NumPy's bare matrix products of the same sizes, the machine's limit.
"""

import argparse
import json
import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

STORAGE = Path(".benchmarks")
NUMPY_SERIES = "NumPy matmul (cpu)"
# A colour per device and kernel, a dash pattern per mode: one kernel's two modes read as a pair.
COLOURS = ("#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd", "#8c564b")
NUMPY_COLOUR = "#555555"
DASHES = {"inference": "none", "training": "7 4", NUMPY_SERIES: "2 4"}

PANEL_WIDTH, PANEL_HEIGHT = 420, 300
LEFT, TOP, BOTTOM, GAP, LEGEND_WIDTH = 70, 75, 70, 70, 250


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
    def label(self) -> tuple[str, str]:
        return self.name, f"B{self.batch} T{self.timesteps} F{self.features} M{self.units}"


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


def newest_saved_run(storage: Path = STORAGE) -> Path:
    runs = sorted(storage.rglob("*.json"), key=lambda path: path.stat().st_mtime)
    if not runs:
        raise SystemExit(f"no saved benchmark run under {storage}/; save one with --benchmark-save (README, Benchmarks)")
    return runs[-1]


def dash_of(series: str) -> str:
    return DASHES.get(series) or DASHES[series.rsplit(" ", 1)[-1]]


def colours_of(series_names: list[str]) -> dict[str, str]:
    kernels = sorted({name.rsplit(" ", 1)[0] for name in series_names if name != NUMPY_SERIES})
    colour_of_kernel = {kernel: COLOURS[i % len(COLOURS)] for i, kernel in enumerate(kernels)}
    return {
        name: NUMPY_COLOUR if name == NUMPY_SERIES else colour_of_kernel[name.rsplit(" ", 1)[0]] for name in series_names
    }


def ordered_series(found: dict) -> list[str]:
    """Every series drawn, the NumPy limit last."""
    return sorted({name for by_series in found.values() for name in by_series}, key=lambda s: (s == NUMPY_SERIES, s))


def ordered_sizes(by_series: dict) -> list[SizePoint]:
    return sorted({size for points in by_series.values() for size in points}, key=lambda size: size.work)


class Chart:
    """Panels side by side sharing one log-scaled y axis (whole decades, so that panels compare at a glance),
    the sizes evenly spaced along x from the least work to the most, and a legend on the right."""

    def __init__(self, found: dict):
        self.found = found
        self.series = ordered_series(found)
        self.colours = colours_of(self.series)
        self.sizes = ordered_sizes({name: points for by_series in found.values() for name, points in by_series.items()})
        values = [value for by_series in found.values() for points in by_series.values() for value in points.values()]
        self.low = math.floor(math.log10(min(values)))
        self.high = max(math.ceil(math.log10(max(values))), self.low + 1)
        self.width = LEFT + len(found) * (PANEL_WIDTH + GAP) + LEGEND_WIDTH
        self.height = TOP + PANEL_HEIGHT + BOTTOM

    def x(self, left: float, size: SizePoint) -> float:
        return left + PANEL_WIDTH * (self.sizes.index(size) + 0.5) / len(self.sizes)

    def y(self, value: float) -> float:
        return TOP + PANEL_HEIGHT * (1 - (math.log10(value) - self.low) / (self.high - self.low))

    def svg(self, title: str, subtitle: str) -> str:
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" font-family="sans-serif" font-size="12">',
            f'<rect width="{self.width}" height="{self.height}" fill="white"/>',
            f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>',
            f'<text x="{LEFT}" y="40" font-size="11">{escape(subtitle)}</text>',
        ]
        for index, cell in enumerate(sorted(self.found)):
            parts += self.panel(cell, LEFT + index * (PANEL_WIDTH + GAP))
        parts += self.legend(LEFT + len(self.found) * (PANEL_WIDTH + GAP))
        return "\n".join(parts + ["</svg>"]) + "\n"

    def panel(self, cell: str, left: float) -> list[str]:
        middle, bottom = left + PANEL_WIDTH / 2, TOP + PANEL_HEIGHT
        parts = [
            f'<text x="{middle}" y="{TOP - 10}" text-anchor="middle" font-weight="bold">{cell}</text>',
            f'<rect x="{left}" y="{TOP}" width="{PANEL_WIDTH}" height="{PANEL_HEIGHT}" fill="none" stroke="black"/>',
            f'<text x="{middle}" y="{bottom + 54}" text-anchor="middle">'
            "size (batch B, time steps T, features F, units M)</text>",
            f'<text transform="translate({left - 45},{TOP + PANEL_HEIGHT / 2}) rotate(-90)" text-anchor="middle">'
            "GFLOP/s (log scale)</text>",
        ]
        for decade in range(self.low, self.high + 1):
            y = self.y(10.0**decade)
            parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + PANEL_WIDTH}" y2="{y:.1f}" stroke="#dddddd"/>')
            parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{10.0**decade:g}</text>')
        for size in self.sizes:
            name, dimensions = size.label
            x = self.x(left, size)
            parts.append(f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle">{escape(name)}</text>')
            parts.append(f'<text x="{x:.1f}" y="{bottom + 32}" text-anchor="middle" font-size="10">{dimensions}</text>')
        for name in self.series:
            points = sorted(self.found[cell].get(name, {}).items(), key=lambda item: item[0].work)
            if points:
                parts += self.line(cell, name, left, points)
        return parts

    def line(self, cell: str, name: str, left: float, points) -> list[str]:
        colour = self.colours[name]
        coordinates = " ".join(f"{self.x(left, size):.1f},{self.y(value):.1f}" for size, value in points)
        parts = [
            f'<polyline class="series" data-cell="{cell}" data-series="{escape(name)}" points="{coordinates}" '
            f'fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash_of(name)}"/>'
        ]
        for size, value in points:  # a marker per result, its value shown on hover
            parts.append(
                f'<circle cx="{self.x(left, size):.1f}" cy="{self.y(value):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(f'{cell} {name} {size.name}: {value:.3g} GFLOP/s')}</title></circle>"
            )
        return parts

    def legend(self, left: float) -> list[str]:
        parts = []
        for row, name in enumerate(self.series):
            y = TOP + 10 + 20 * row
            parts.append(
                f'<line x1="{left}" y1="{y}" x2="{left + 30}" y2="{y}" stroke="{self.colours[name]}" '
                f'stroke-width="2" stroke-dasharray="{dash_of(name)}"/>'
            )
            parts.append(f'<text class="legend" x="{left + 38}" y="{y + 4}">{escape(name)}</text>')
        return parts


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


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(prog="python -m rnnspec.throughput_plot", description=__doc__.split("\n")[0])
    parser.add_argument(
        "saved", nargs="?", type=Path, help="a pytest-benchmark JSON (default: the newest under .benchmarks)"
    )
    saved = parser.parse_args(argv).saved or newest_saved_run()
    run = json.loads(saved.read_text())
    found = throughputs(run)
    if not found:
        raise SystemExit(f"{saved} holds no throughput; it was not saved by spec/test_benchmarks.py with --benchmark-enable")
    chart = saved.with_suffix(".svg")
    chart.write_text(Chart(found).svg("Throughput of the Keras recurrent kernels against size", subtitle_of(run)))
    print(table(found))
    print(f"\nwrote {chart}")
    return chart


if __name__ == "__main__":
    main(sys.argv[1:])
