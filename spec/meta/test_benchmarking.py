"""The benchmarks' helpers: FLOP formulas, the NumPy bound, the proof of the kernel, the chart, the default run."""

import configparser
import json
import math
import os
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from rnnspec import installation
from rnnspec.divergences import conditions, table
from rnnspec.probes import kernels
from rnnspec.statements import benchmarks
from rnnspec.subjects.shapes import Shape
from rnnspec.tools import throughput_plot

pytestmark = pytest.mark.meta
ROOT = Path(__file__).resolve().parents[2]
TINY = Shape("tiny", batch=2, timesteps=3, features=4, units=5)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    "cell, mode, expected",
    [
        ("LSTM", "inference", 2 * 2 * 3 * 20 * 9),  # 2·B·T·4M·(F+M) = 2·2·3·20·9 = 2160
        ("GRU", "inference", 2 * 2 * 3 * 15 * 9),  # 2·B·T·3M·(F+M) = 1620
        ("LSTM", "training", 3 * 2160),
        ("GRU", "training", 3 * 1620),
    ],
)
def test_flops_count_the_matrix_products_of_a_tiny_case_by_hand(cell, mode, expected):
    assert benchmarks.flops(cell, mode, TINY) == expected


def test_throughput_is_flops_per_second_in_billions():
    assert benchmarks.gflops_per_second(3_000_000_000, 1.5) == 2.0


def test_the_numpy_bound_is_a_finite_positive_throughput():
    gflops = benchmarks.numpy_matmul_gflops("GRU", TINY, min_seconds=0.01)
    assert math.isfinite(gflops) and gflops > 0


CUDNN_TARGET = benchmarks.TARGETS["gpu-cuDNN"]
GENERIC_TARGET = benchmarks.TARGETS["gpu-generic"]
WATCHED = ("_cudnn_lstm", "_cudnn_gru")


@pytest.mark.parametrize(
    "target, ran",
    [(CUDNN_TARGET, []), (GENERIC_TARGET, ["_cudnn_lstm"])],
    ids=["cuDNN label, generic ran", "generic label, cuDNN ran"],
)
def test_a_benchmark_whose_kernel_record_contradicts_its_label_fails(target, ran):
    record = kernels.KernelRecord(watched=WATCHED, ran=ran)
    with pytest.raises(AssertionError, match=f"labelled {target.kernel} but the {record.kernel} kernel ran"):
        benchmarks.check_kernel(target, record, "LSTM inference large on gpu")


@pytest.mark.parametrize("target, ran", [(CUDNN_TARGET, ["_cudnn_lstm"]), (GENERIC_TARGET, [])], ids=["cuDNN", "generic"])
def test_a_benchmark_whose_kernel_record_matches_its_label_passes(target, ran):
    benchmarks.check_kernel(target, kernels.KernelRecord(watched=WATCHED, ran=ran), "LSTM inference large on gpu")



BENCHMARK = "test_benchmarks.py::test_the_benchmarked_step_runs_on_the_labelled_kernel"


@pytest.mark.parametrize(
    "backend, cell, target_name, default_device, known",
    [
        ("jax", "GRU", "gpu-cuDNN", "gpu", True),
        ("jax", "LSTM", "gpu-cuDNN", "gpu", False),
        ("torch", "LSTM", "cpu-generic", "gpu", True),
        ("torch", "LSTM", "cpu-generic", "cpu", False),
        ("tensorflow", "GRU", "cpu-generic", "gpu", False),
    ],
)
def test_benchmarks_that_keras_is_known_to_prevent_are_known_divergences(
    backend, cell, target_name, default_device, known
):
    gpus = ("GPU 0",) if default_device == "gpu" else ()
    keras = installation.Installation("keras", "3.15.1", backend, {}, gpus)
    row = table.divergence_for(BENCHMARK, keras, conditions.Case({"cell": cell, "target_name": target_name}))
    assert (row is not None) == known


def test_only_the_first_call_runs_under_the_kernel_recording():
    backend = installation.current().backend
    module, names = kernels.cudnn_functions(backend)
    original = getattr(module, names[0])
    watched_during_calls = []
    step = benchmarks.RecordedFirstCall(
        lambda: watched_during_calls.append(getattr(module, names[0]) is not original), backend
    )
    step()
    first_record = step.record
    step()
    assert watched_during_calls == [True, False]
    assert step.record is first_record and first_record.watched == names



def test_warm_up_runs_the_warm_up_rounds_and_sizes_the_timed_rounds_to_the_pace_of_the_step(monkeypatch):
    calls = []
    assert benchmarks.warm_up(lambda: calls.append(1)) == benchmarks.MAX_ROUNDS  # too fast to fill the time
    assert len(calls) == benchmarks.WARMUP_ROUNDS
    monkeypatch.setattr(benchmarks, "TIMED_SECONDS", 0.001)
    assert benchmarks.warm_up(lambda: time.sleep(0.002)) == benchmarks.MIN_ROUNDS  # one round would fill it


def fake_result(cell, device, kernel, mode, size, gflops, numpy_gflops=None):
    info = {
        "cell": cell, "mode": mode, "device": device, "kernel": kernel, "size": size.name, "batch": size.batch,
        "timesteps": size.timesteps, "features": size.features, "units": size.units, "gflops_per_s": gflops,
        "installation": "Keras 3 on torch",
    }
    if numpy_gflops is not None:
        info["numpy_matmul_gflops_per_s"] = numpy_gflops
    return {"name": f"{cell}-{device}-{kernel}-{mode}-{size.name}", "extra_info": info, "stats": {"mean": 0.01, "min": 0.008, "rounds": 10}}


def fake_run():
    """A small pytest-benchmark JSON: LSTM on the CPU and on a GPU with both kernels, over two sizes."""
    sizes = (Shape("large", 64, 128, 128, 256), Shape("small", 8, 16, 16, 32))  # out of order on purpose
    results = []
    for scale, size in enumerate(sizes, start=1):
        results.append(fake_result("LSTM", "cpu", "generic", "inference", size, 10.0 / scale, numpy_gflops=100.0 / scale))
        results.append(fake_result("LSTM", "gpu", "cuDNN", "inference", size, 5000.0 / scale))
        results.append(fake_result("LSTM", "gpu", "generic", "inference", size, 300.0 / scale))
    results.append({"name": "smoke", "extra_info": {"cell": "LSTM", "kernel": "generic"}, "stats": {}})  # no throughput
    return {"machine_info": {"cpu": {"brand_raw": "Test CPU"}}, "datetime": "2025-01-01T00:00:00", "benchmarks": results}


needs_matplotlib = pytest.mark.skipif(not throughput_plot.can_draw(), reason="matplotlib is not installed (pip install -e '.[plots]')")


@needs_matplotlib
def test_the_chart_draws_one_line_per_kernel_and_mode_against_size_on_a_log_scale():
    run = fake_run()
    drawing = throughput_plot.figure(throughput_plot.throughputs(run), "a title", throughput_plot.subtitle_of(run))
    (panel,) = drawing.axes
    lines = {line.get_label(): line for line in panel.get_lines()}
    assert set(lines) == {"cpu generic inference", "gpu cuDNN inference", "gpu generic inference", throughput_plot.NUMPY_SERIES}
    assert [text.get_text() for text in drawing.legends[0].get_texts()][-1] == throughput_plot.NUMPY_SERIES
    assert panel.get_yscale() == "log" and panel.get_ylabel() == "GFLOP/s (log scale)"
    assert [label.get_text().split("\n")[0] for label in panel.get_xticklabels()] == ["small", "large"]
    cudnn = lines["gpu cuDNN inference"]
    assert list(cudnn.get_xdata()) == [0, 1] and list(cudnn.get_ydata()) == [2500.0, 5000.0], "small to large along x"
    assert "Test CPU" in drawing.get_suptitle()


@needs_matplotlib
def test_the_chart_is_written_as_svg_next_to_the_saved_run_with_the_numbers_printed(tmp_path, capsys):
    saved = tmp_path / "0001_baseline.json"
    saved.write_text(json.dumps(fake_run()))
    chart = throughput_plot.main([str(saved)])
    assert chart == tmp_path / "0001_baseline.svg"
    assert ElementTree.parse(chart).getroot().tag == f"{SVG}svg"
    printed = capsys.readouterr().out
    assert "gpu cuDNN inference" in printed and "5000.0" in printed and str(chart) in printed


def test_without_matplotlib_the_numbers_are_printed_and_the_note_says_how_to_draw_them(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(throughput_plot, "can_draw", lambda: False)
    saved = tmp_path / "0001_baseline.json"
    saved.write_text(json.dumps(fake_run()))
    assert throughput_plot.main([str(saved)]) is None
    printed = capsys.readouterr().out
    assert "5000.0" in printed and "pip install -e '.[plots]'" in printed
    assert not saved.with_suffix(".svg").exists()


def test_the_chart_defaults_to_the_newest_saved_run(tmp_path):
    older, newer = tmp_path / "machine" / "0001_a.json", tmp_path / "machine" / "0002_b.json"
    older.parent.mkdir()
    for age, path in ((100, older), (0, newer)):
        path.write_text("{}")
        os.utime(path, (path.stat().st_mtime - age,) * 2)
    assert throughput_plot.newest_saved_run(tmp_path) == newer


def test_the_default_run_calls_each_benchmark_once_untimed():
    ini = configparser.ConfigParser()
    ini.read(ROOT / "pytest.ini")
    assert "--benchmark-disable" in ini["pytest"]["addopts"].split()


def test_saved_benchmark_runs_are_not_committed():
    assert ".benchmarks/" in (ROOT / ".gitignore").read_text().splitlines()
