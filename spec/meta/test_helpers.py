"""The suite's own helpers: seeded data, options, assertion messages, the behaviour matrix."""

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from rnnspec import installation
from rnnspec.divergences import forked
from rnnspec.installation import options
from rnnspec.plugin import scheduling
from rnnspec.plugin.behaviour_matrix import PROPERTY, BehaviourMatrix
from rnnspec.statements.assertions import assert_close, assert_identical
from rnnspec.statements.tolerances import Tolerance
from rnnspec.subjects import seeded
from rnnspec.subjects.calls import Gradient

pytestmark = pytest.mark.meta
ROOT = Path(__file__).resolve().parents[2]


def test_distinct_weights_are_distinct_seeded_and_biases_bounded_away_from_zero():
    shapes = [("kernel", (2, 16)), ("recurrent_kernel", (4, 16)), ("bias", (16,))]
    first, again = seeded.distinct_weights(shapes, seed=7), seeded.distinct_weights(shapes, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    flat = np.concatenate([w.ravel() for w in first])
    assert np.unique(flat).size == flat.size
    assert np.all(np.abs(first[2]) >= 0.1) and np.any(first[2] < 0) and np.any(first[2] > 0)


def test_seeds_do_not_depend_on_the_process():
    code = "from rnnspec.subjects.seeded import seed_for; print(seed_for('LSTM', 'batch', ()))"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout for _ in range(2)}
    assert runs == {f"{seeded.seed_for('LSTM', 'batch', ())}\n"}


def test_chapter_12_s_new_layers_draw_the_same_weights_every_time():
    """spec.test_arguments builds some layers with Keras's initializers, whose seeds come from Python's generator
    unless seeded: two new layers of the same arguments, built one after the other, hold the same weights, as two
    runs of the chapter then do (a failure's numbers are the same in every run)."""
    from spec.test_arguments import input_shape, new_layer, sequences

    def weights():
        layer = new_layer("LSTM")
        layer(sequences("activity", input_shape("LSTM")))
        return [installation.to_numpy(w) for w in layer.weights]

    first, again = weights(), weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, again)), "the second layer drew other weights"


class FakeObservation:
    def describe(self):
        return "LSTM(units=4) on cpu via layer"


def test_a_close_failure_names_the_tensor_the_worst_element_and_the_configuration():
    expected = np.zeros((2, 3))
    actual = expected.copy()
    actual[1, 2] = 0.5
    with pytest.raises(AssertionError) as failure:
        assert_close(actual, expected, Tolerance(0, 1e-6, "a reason"), "state h", FakeObservation())
    message = str(failure.value)
    for part in ("state h", "index (1, 2)", "0.5", "1 of 6 elements", "a reason", "LSTM(units=4) on cpu via layer"):
        assert part in message, f"{part!r} missing from: {message}"


def test_an_identity_failure_names_the_shapes_when_they_differ():
    with pytest.raises(AssertionError, match=r"has shape \(2,\), expected \(3,\)"):
        assert_identical(np.zeros(2), np.zeros(3), "output", FakeObservation())


@pytest.mark.parametrize(
    "backend, devices, complaint",
    [("theano", None, "not a Keras backend"), ("tensorflow", "tpu", r"unknown one \(tpu\)"), ("jax", ",", "names no device")],
)
def test_bad_options_are_refused_with_the_valid_names(backend, devices, complaint):
    with pytest.raises(options.OptionError, match=complaint):
        options.parse(backend, devices)


def test_devices_are_parsed_in_catalogue_order():
    assert options.parse("tensorflow", "gpu, CPU").devices == ("cpu", "gpu")


def test_a_bad_option_stops_the_run_with_a_usage_error():
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "spec", "--devices=tpu", "-p", "no:cacheprovider"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
    assert "--devices='tpu'" in run.stderr and "cpu, gpu" in run.stderr, run.stderr


def report(nodeid, when, outcome, key, **extra):
    return SimpleNamespace(
        nodeid=nodeid, when=when, outcome=outcome, passed=outcome == "passed", skipped=outcome == "skipped",
        user_properties=[(PROPERTY, key)], **extra,
    )


def test_the_matrix_counts_each_test_once_by_its_outcome():
    key = ("GRU", True, False, "cpu")
    matrix = BehaviourMatrix()
    for r in (
        report("a", "setup", "passed", key), report("a", "call", "passed", key), report("a", "teardown", "passed", key),
        report("b", "call", "failed", key), report("c", "call", "skipped", key),
        report("d", "call", "skipped", key, wasxfail="issue"), report("e", "call", "passed", key),
        report("e", "teardown", "failed", key),
    ):
        matrix.record(r)
    assert matrix.summary(key) == "1 passed, 2 failed, 1 xfailed, 1 skipped"
    assert matrix.summary(("LSTM", True, False, "cpu")) == "-"


LEAKY_TEST = """
from rnnspec import installation

def test_leaves_float64_behind():
    installation.restore_global_state({**installation.global_state(), "floatx": "float64"})
"""


def test_a_test_that_changes_keras_global_state_fails_and_the_state_is_put_back(pytester):
    pytester.makepyfile(test_leaky=LEAKY_TEST)
    keras = installation.current().keras_module
    result = pytester.runpytest_inprocess(
        "-p", "rnnspec.plugin", "-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "no:xdist", f"--keras={keras}"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*changed Keras's global state*floatx*float32*float64*"])
    assert installation.global_state()["floatx"] == "float32"


EACH_CHOICE_TESTS = """
import pytest

@pytest.mark.parametrize("size", [1, 2, 3])
@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_sized(cell, size):
    pass

def test_plain():
    pass
"""


def test_each_choice_keeps_few_cases_that_give_every_parameter_its_every_value(pytester):
    """--cases=each-choice keeps, per statement, cases that together give every parameter its every value, each
    pick the case that gives the most values not given yet (the earliest on a tie), and deselects the rest; a test
    without parameters is kept."""
    pytester.makepyfile(test_each=EACH_CHOICE_TESTS)
    keras = installation.current().keras_module
    result = pytester.runpytest_inprocess(
        "-p", "rnnspec.plugin", "-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "no:xdist", f"--keras={keras}",
        "--cases=each-choice", "-v",
    )
    # Of test_sized's six: LSTM-1 first; GRU-2 gives two new values (LSTM-2 one); LSTM-3 the last one. Keeping each
    # case that gives any new value, in order, would keep five.
    result.assert_outcomes(passed=4, deselected=3)
    result.stdout.fnmatch_lines(["*test_sized?cell=LSTM-size=1? PASSED*", "*test_sized?cell=LSTM-size=3? PASSED*",
                                 "*test_sized?cell=GRU-size=2? PASSED*", "*test_plain PASSED*"])


def test_the_subjects_sent_to_another_backends_process_arrive_as_they_were_sent():
    """rnnspec.probes.backend_parity sends recurrent layers and gradients to another backend's process, and refuses a kind
    of subject it cannot run there, by name."""
    from rnnspec.probes import backend_parity
    from rnnspec.subjects.layers import BidirectionalSubject, LayerSubject
    from rnnspec.subjects.shapes import PADDED, SHAPES

    sent = [
        LayerSubject("LSTM", True, False, "cpu", SHAPES["dynamic_time"], options=(("go_backwards", True),)),
        LayerSubject("GRU", False, True, "cpu", PADDED, Gradient(mask="mid_sequence"), options=(("go_backwards", True),)),
    ]
    assert backend_parity.from_json(backend_parity.to_json(sent)) == sent
    with pytest.raises(TypeError, match="BidirectionalSubject"):
        backend_parity.to_json([BidirectionalSubject("GRU", True, True, "cpu", SHAPES["batch"])])


@pytest.mark.parametrize(
    "source, status, printed",
    [
        ("print('said'); raise SystemExit(2)", 2, ("said\n", "")),
        ("raise SystemExit('why')", 1, ("", "why\n")),
        ("print('fine')", 0, ("fine\n", "")),
        ("raise ValueError('wrong')", 1, ("", "Traceback (most recent call last)")),
    ],
)
def test_a_forked_script_exits_and_prints_as_the_interpreter_would_run_it(tmp_path, capsys, source, status, printed):
    """rnnspec.divergences.forked runs a reproducer in a child of a process with Keras imported: what the child does there must
    be what `python SCRIPT` does (exit status, stdout, stderr with any traceback), or the reproducers' meta-test
    reads a different outcome."""
    script = tmp_path / "script.py"
    script.write_text(source)
    assert forked.run_in_child(str(script)) == status
    stdout, stderr = capsys.readouterr()
    assert stdout == printed[0] and printed[1] in stderr and bool(printed[1]) == bool(stderr)


def test_a_script_that_runs_past_its_time_is_stopped_and_reported_without_a_status(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("import time; time.sleep(60)")
    assert forked.fresh(str(script), seconds=0.5) == (None, "", "")


class WorkerCountConfig:
    """What pytest_xdist_auto_num_workers reads of a pytest config."""

    def __init__(self, args, **options):
        self.args = args
        self.invocation_params = SimpleNamespace(dir=ROOT)
        self.options = {"benchmark_enable": False, "benchmark_only": False, "--record-comparisons": None, **options}

    def getoption(self, name, default=None):
        return self.options.get(name, default)


@pytest.mark.parametrize(
    "args, options, gpus, cores, workers",
    [
        (["spec"], {}, [], 2, 2),
        (["spec"], {}, [], 64, scheduling.MOST_WORKERS),
        (["spec/test_masking.py", "spec/test_stateful.py::test_reset_states_restores_the_first_result"], {}, [], 8, 2),
        (["spec/test_masking.py"], {}, [], 8, 0),
        (["spec"], {}, [], 1, 0),
        (["spec"], {}, ["NVIDIA H200, 580.65, 143771 MiB"], 16, 0),
        (["spec"], {"benchmark_enable": True}, [], 16, 0),
        (["spec"], {"--record-comparisons": "comparisons.json"}, [], 16, 0),
    ],
    ids=["two_cores", "many_cores", "two_modules", "one_module", "one_core", "gpu", "timed_benchmarks", "recording"],
)
def test_the_run_is_spread_over_the_cores_except_where_one_process_must_run_it(
    monkeypatch, args, options, gpus, cores, workers
):
    monkeypatch.setattr(installation, "nvidia_smi_gpus", lambda: gpus)
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert scheduling.pytest_xdist_auto_num_workers(WorkerCountConfig(args, **options)) == workers


def test_a_worker_is_given_whole_modules_the_catalogue_chapters_together_and_catches_by_chapter():
    catalogue = {scheduling.unit_of_work(f"spec/{name}::test_x[case]") for name in scheduling.CATALOGUE_CHAPTERS}
    assert len(catalogue) == 1
    assert scheduling.unit_of_work("spec/test_masking.py::test_a[x-y]") == "spec/test_masking.py"
    catches = "spec/meta/test_statements_catch_breakages.py::test_statement_catches_the_broken_layer"
    assert scheduling.unit_of_work(f"{catches}[training-test_x-broken-GRU]") == scheduling.unit_of_work(f"{catches}[training-y]")
    assert scheduling.unit_of_work(f"{catches}[training-test_x]") != scheduling.unit_of_work(f"{catches}[masking-test_x]")
    assert all((ROOT / "spec" / name).exists() for name in (*scheduling.CATALOGUE_CHAPTERS, f"meta/{scheduling.CATCHES}"))


@pytest.mark.parametrize("layout", ["functions of backend (Keras 3.0 to 3.15)", "module backend.rnn (the nightly)"])
def test_the_compiled_paths_proof_watches_the_loops_where_keras_keeps_them(monkeypatch, layout):
    """The proof that a call path compiled replaces the loop functions with watching ones: never a module that
    holds them (the nightly's `backend.rnn`), which would break every recurrent layer."""
    import types

    from rnnspec.probes import compiled

    loops = {name: (lambda *a, **k: None) for name in compiled.LOOPS}
    if layout.startswith("module"):
        backend = types.SimpleNamespace(rnn=types.ModuleType("rnn"))
        vars(backend.rnn).update(loops)
        holder = backend.rnn
    else:
        backend = holder = types.SimpleNamespace(**loops)
    monkeypatch.setattr(compiled.importlib, "import_module", lambda name: backend)
    assert compiled.loop_module() is holder
