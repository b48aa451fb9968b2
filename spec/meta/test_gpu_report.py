"""The GPU report: comparisons recorded by the statements that make them, and the one report written from a run."""

import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from rnnspec import installation
from rnnspec.installation import options
from rnnspec.probes.observe import ObservationCache
from rnnspec.statements import assertions
from rnnspec.statements.assertions import ComparisonRecord, assert_close
from rnnspec.statements.tolerances import GPU_VERSUS_CPU, Tolerance
from rnnspec.subjects.calls import Call
from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import PADDED
from rnnspec.tools import gpu_report, throughput_plot, version_matrix
from spec import test_devices_and_kernels as devices_chapter
from spec.meta import simulated_gpu
from spec.meta.catching import Catch, run_statement
from spec.meta.statement_fixtures import PROVIDERS, Scene
from spec.meta.test_benchmarking import fake_run

pytestmark = pytest.mark.meta
ROOT = Path(__file__).resolve().parents[2]


class FakeRun:
    """What assert_close reads from an observation: its subject, its kernel and a description."""

    subject = LayerSubject("GRU", True, False, "gpu", PADDED, Call(tf32=True))
    kernel = "cuDNN"

    def describe(self):
        return "GRU on gpu with TF32 enabled"


def test_a_recorded_comparison_keeps_its_largest_difference_and_share_next_to_its_tolerance(monkeypatch):
    record = ComparisonRecord(test="spec/test_x.py::test_y[GRU]")
    monkeypatch.setattr(assertions, "recording", record)
    expected = np.array([1.0, -2.0, 0.5])
    assert_close(expected + [0.0, 0.003, 0.0], expected, Tolerance(rtol=0.01, atol=0.0, reason="r"), "h", FakeRun())
    (entry,) = record.comparisons
    assert entry["test"] == "spec/test_x.py::test_y[GRU]" and entry["what"] == "h"
    assert (entry["cell"], entry["device"], entry["kernel"], entry["tf32"]) == ("GRU", "gpu", "cuDNN", True)
    assert entry["max_difference"] == pytest.approx(0.003) and entry["max_share_of_tolerance"] == pytest.approx(0.15)


def test_a_comparison_that_fails_is_recorded_with_a_share_above_one(monkeypatch):
    record = ComparisonRecord()
    monkeypatch.setattr(assertions, "recording", record)
    with pytest.raises(AssertionError):
        assert_close(np.array([1.1]), np.array([1.0]), GPU_VERSUS_CPU[True], "output", FakeRun())
    (entry,) = record.comparisons
    assert entry["tolerance"] == "GPU_VERSUS_CPU[True]" and entry["max_share_of_tolerance"] > 1


def test_the_gpu_parity_statement_records_what_it_measured_on_a_simulated_gpu(monkeypatch, request):
    """The numbers in the report are the statement's own comparisons: on the simulated GPU, a cuDNN kernel drifting
    by 1e-3 is recorded as a difference of 1e-3, under its cell, the cuDNN kernel and TF32 disabled."""
    simulated_gpu.simulated_gpu(monkeypatch)
    simulated_gpu.cudnn_result_drifts_by_1e_3(monkeypatch)
    record = ComparisonRecord(test="the statement")
    monkeypatch.setattr(assertions, "recording", record)
    subject = LayerSubject("LSTM", False, True, "gpu", PADDED)
    catch = Catch(devices_chapter.test_on_a_gpu_cudnn_equals_the_generic_kernel, simulated_gpu.cudnn_result_drifts_by_1e_3,
                  {"subject": subject})
    scene = Scene(ObservationCache(), request)
    with pytest.raises(AssertionError):
        run_statement(catch, lambda name: PROVIDERS[name].control(scene))
    (entry,) = record.comparisons  # the first tensor compared fails the statement
    assert (entry["cell"], entry["device"], entry["kernel"], entry["tf32"]) == ("LSTM", "gpu", "cuDNN", False)
    assert entry["tolerance"] == "GPU_VERSUS_CPU[False]"
    assert entry["max_difference"] == pytest.approx(1e-3, rel=1e-2)


def test_the_plugin_writes_the_record_with_the_installation(pytester, monkeypatch):
    monkeypatch.setattr(options, "current", options.current)  # the inner run's configuration sets it anew
    monkeypatch.setattr(assertions, "recording", None)
    pytester.makepyfile(test_compared="""
        import numpy as np
        from rnnspec.statements.assertions import Described, assert_close
        from rnnspec.statements.tolerances import BACKEND_PARITY

        def test_compares():
            assert_close(np.array([1.0]), np.array([1.0 + 1e-7]), BACKEND_PARITY, "output", Described("a run"))
    """)
    here = installation.current()
    result = pytester.runpytest_inprocess(
        "-p", "rnnspec.plugin", "-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "no:xdist",
        f"--keras={here.keras_module}", f"--keras-backend={here.backend}", "--record-comparisons=record.json",
    )
    result.assert_outcomes(passed=1)
    written = json.loads((pytester.path / "record.json").read_text())
    assert written["installation"] == here.describe() and written["gpus"] == list(here.gpus)
    (entry,) = written["comparisons"]
    assert entry["test"] == "test_compared.py::test_compares" and entry["tolerance"] == "BACKEND_PARITY"
    assert entry["max_difference"] == pytest.approx(1e-7)
    assert assertions.recording is None, "recording stops with the test"


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="spec.test_devices_and_kernels" name="test_on_a_gpu_outputs_and_states_equal_the_cpus[a]"/>
<testcase classname="spec.test_devices_and_kernels" name="test_on_a_gpu_outputs_and_states_equal_the_cpus[b]">
<skipped type="pytest.skip" message="no GPU visible to tensorflow"/></testcase>
</testsuite></testsuites>"""


def comparison(cell, kernel, tf32, difference, tolerance="GPU_VERSUS_CPU[False]"):
    return {"test": f"spec/test_devices_and_kernels.py::test_on_a_gpu_outputs_and_states_equal_the_cpus[{cell}]",
            "what": "h", "cell": cell, "device": "gpu", "kernel": kernel, "tf32": tf32, "tolerance": tolerance,
            "rtol": 1e-5, "atol": 1e-5, "max_difference": difference, "max_share_of_tolerance": difference / 2e-5}


def written_run(folder: Path, gpus=("GPU 0",)) -> gpu_report.Run:
    (folder / gpu_report.JUNIT).write_text(JUNIT)
    (folder / gpu_report.BENCHMARKS).write_text(json.dumps(fake_run()))
    record = {"installation": "Keras 3 on torch | torch 2 | devices: cpu, GPU 0", "backend": "torch", "gpus": list(gpus),
              "gpu_software": {"cuDNN (PyTorch loads)": "90100"},
              "comparisons": [comparison("LSTM", "cuDNN", False, 3e-7), comparison("LSTM", "cuDNN", False, 9e-7),
                              comparison("GRU", "generic", True, 4e-3, "GPU_VERSUS_CPU[True]")]}
    (folder / gpu_report.COMPARISONS).write_text(json.dumps(record))
    return gpu_report.Run.read(folder, profile="quick", command=["pytest"], exit_status=0, started="today", seconds=60)


def test_the_report_puts_the_largest_measured_difference_next_to_each_tolerance(tmp_path):
    text = gpu_report.markdown(written_run(tmp_path), lambda path: path.name)
    assert "| `GPU_VERSUS_CPU[False]` | 1e-05 | 1e-05 | 2 | 9e-07 | 0.045 |" in text
    assert "| LSTM | gpu | cuDNN | disabled | 2 | 9e-07 | GPU_VERSUS_CPU[False] (rtol 1e-05, atol 1e-05) | 0.045 |" in text
    assert "| GRU | gpu | generic | enabled | 1 | 0.004 |" in text
    assert "cuDNN (PyTorch loads): 90100" in text and "| no GPU visible to tensorflow | 1 |" in text
    assert "No GPU was visible" not in text


def test_a_report_without_a_gpu_says_so_first(tmp_path):
    text = gpu_report.markdown(written_run(tmp_path, gpus=()), lambda path: path.name)
    assert text.index("No GPU was visible to torch") < text.index("## Installation")


def test_the_html_report_is_one_file_with_its_plot_embedded(tmp_path):
    if not throughput_plot.can_draw():
        pytest.skip("matplotlib is not installed (pip install -e '.[plots]')")
    markdown_file, html_file = gpu_report.write_report(written_run(tmp_path))
    assert "![Throughput against size](throughput.png)" in markdown_file.read_text()
    page = html_file.read_text()
    assert '<img src="data:image/png;base64,' in page and "<table>" in page and 'src="throughput.png"' not in page


def test_without_matplotlib_the_report_says_the_plot_needs_the_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(throughput_plot, "can_draw", lambda: False)
    markdown_file, html_file = gpu_report.write_report(written_run(tmp_path))
    assert throughput_plot.WITHOUT_MATPLOTLIB in markdown_file.read_text()
    assert "5000" in markdown_file.read_text() and "<img" not in html_file.read_text()


@pytest.mark.parametrize("profile", gpu_report.PROFILES)
def test_each_profile_selects_statements_that_exist(profile):
    for selected in gpu_report.PROFILES[profile].selection:
        if selected.startswith("-") or selected == "not meta":
            continue
        path, _, name = selected.partition("::")
        assert (ROOT / path).exists(), f"the {profile} profile selects {path}, which is not there"
        if name:
            module = __import__(path.removesuffix(".py").replace("/", "."), fromlist=[name])
            assert inspect.isfunction(getattr(module, name, None)), f"the {profile} profile selects {selected}, no test"


def test_the_report_names_the_gpu_so_that_a_machine_without_one_stops_unless_asked_not_to(tmp_path):
    with_gpu = gpu_report.pytest_command(tmp_path, "quick", "torch", "keras", with_gpu=True)
    without = gpu_report.pytest_command(tmp_path, "quick", "torch", "keras", with_gpu=False)
    assert "--devices=cpu,gpu" in with_gpu and not any(a.startswith("--devices") for a in without)
    assert f"--record-comparisons={tmp_path / gpu_report.COMPARISONS}" in without and "--benchmark-enable" in without


def test_skip_reasons_are_counted_for_the_report(tmp_path):
    path = tmp_path / "run.xml"
    path.write_text(JUNIT)
    assert version_matrix.read(path).skip_reasons == {"no GPU visible to tensorflow": 1}
