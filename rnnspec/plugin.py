"""The pytest plugin: the suite's options, the report header, the known divergences applied as strict xfails,
fixtures shared by every chapter, and the behaviour matrix printed at the end of a run."""

import inspect
import json
import os
import warnings
from pathlib import Path

import pytest

from rnnspec import assertions, divergences, installation, options, repro
from rnnspec.each_choice import cover as each_choice_cover
from rnnspec.matrix import PROPERTY, BehaviourMatrix


ALL_CASES, EACH_CHOICE = "all", "each-choice"  # --cases: every case, or each statement's each-choice cover


def pytest_addoption(parser):
    group = parser.getgroup("rnnspec", "rnnspec: Keras recurrent layer conformance")
    group.addoption(
        "--keras-backend",
        default=os.environ.get("KERAS_BACKEND", "tensorflow"),
        help="Keras backend to test: tensorflow, jax or torch (default: $KERAS_BACKEND, else tensorflow)",
    )
    group.addoption(
        "--keras",
        default=installation.keras_module,
        help="the Keras under test: keras (Keras 3) or tf_keras (the Keras 2 API; default when "
        "TF_USE_LEGACY_KERAS=1)",
    )
    group.addoption(
        "--snapshot",
        default=None,
        help="behaviour snapshot to compare with (default: snapshots/reference.npz, the project's reference "
        "installation)",
    )
    group.addoption(
        "--snapshot-update",
        action="store_true",
        help="record this installation's behaviour to --snapshot instead of comparing with it (overwrites it)",
    )
    group.addoption(
        "--devices",
        default=None,
        help="comma-separated devices to test: cpu, gpu (default: both; gpu cases skip when no GPU is visible, "
        "while a GPU named here and not visible stops the run)",
    )
    group.addoption(
        "--record-comparisons",
        default=None,
        metavar="PATH",
        help="write to PATH, as JSON, the largest difference each comparison within a tolerance measured, with its "
        "cell, device, kernel and TF32 setting, and the installation with its CUDA and cuDNN versions (what "
        "`python -m rnnspec.gpu_report` reports from)",
    )
    group.addoption(
        "--cases",
        default=ALL_CASES,
        choices=(ALL_CASES, EACH_CHOICE),
        help="all: every case of every statement (default). each-choice: of each statement's cases, a few that "
        "together give every parameter its every value (cell, output mode, shape, call path, ...), the rest "
        "deselected: states less, in a fraction of the time (what the version matrix runs)",
    )


def pytest_configure(config):
    try:
        chosen = options.parse(
            config.getoption("--keras-backend"), config.getoption("--devices"), config.getoption("--keras")
        )
    except options.OptionError as error:
        raise pytest.UsageError(str(error)) from None
    installation.select(chosen.keras, chosen.backend)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up notices would drown the report
    options.current = chosen
    if chosen.devices_requested and "gpu" in chosen.devices and not installation.current().gpus:
        raise pytest.UsageError(
            f"--devices names gpu, but {chosen.backend} sees no GPU; install a GPU build of the backend "
            "(see README) or leave gpu out"
        )
    config.pluginmanager.register(MatrixReporter(), "rnnspec-matrix")
    record = config.getoption("--record-comparisons")
    if record:
        if config.getoption("numprocesses", None):
            raise pytest.UsageError("--record-comparisons records the comparisons of one process; leave out -n")
        config.pluginmanager.register(ComparisonRecorder(Path(record)), "rnnspec-comparisons")


# How many processes `-n auto` (the default, pytest.ini) runs the suite in. Building models is Python-bound, one core
# a process, so a worker per core, up to 4: each worker imports the framework and builds, for the chapters it is
# given (`--dist loadfile`), the models it needs, and beyond four the largest chapters set the time anyway.
MOST_WORKERS = 4


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """One process, no workers, where a GPU is present (each process would reserve the GPU's memory: TensorFlow and
    JAX do on their first operation), where benchmarks are timed (they would share the cores), or where comparisons
    are recorded (the record is one process's); otherwise a worker per core, up to MOST_WORKERS, and no more than
    the test modules asked for (a worker is given whole modules: for one chapter, workers would only add their
    start)."""
    timing = config.getoption("benchmark_enable", False) or config.getoption("benchmark_only", False)
    if installation.nvidia_smi_gpus() or timing or config.getoption("--record-comparisons"):
        return 0
    workers = min(os.cpu_count() or 1, MOST_WORKERS, modules_asked_for(config))
    return workers if workers > 1 else 0


# The chapters that observe the main case catalogue (spec/cases.py: cell × output mode × shape × call path), and the
# snapshot, which records every configuration of it. They run in one worker, so that the session cache builds each
# configuration once: apart, each worker would build them all.
CATALOGUE_CHAPTERS = ("test_outputs_and_states.py", "test_reference_values.py", "test_devices_and_kernels.py",
                      "test_snapshot.py")


# The meta-test that breaks a layer for each statement builds every broken layer afresh, outside the cache: its cases
# are handed out a chapter at a time, the small units that even out the workers' ends.
CATCHES = "test_statements_catch_breakages.py"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Each worker is given whole modules (pytest-xdist's `loadfile`), the catalogue's chapters together, the
    catches a chapter at a time; the largest first."""
    from xdist.scheduler import LoadScopeScheduling

    class ByChapter(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of_work(nodeid)

    return ByChapter(config, log)


def unit_of_work(nodeid: str) -> str:
    """The tests a worker is given together: a module, the catalogue's chapters, or a chapter's catches."""
    module = nodeid.split("::", 1)[0]
    if Path(module).name in CATALOGUE_CHAPTERS:
        return "the catalogue's chapters"
    if Path(module).name == CATCHES:
        return nodeid.split("-", 1)[0]  # up to the chapter the catch's id begins with
    return module


def modules_asked_for(config) -> int:
    """How many test modules the command line names, itself or in the folders it names."""
    found = 0
    for argument in config.args:
        path = config.invocation_params.dir / argument.split("::")[0]
        found += len(list(path.rglob("test_*.py"))) if path.is_dir() else 1
    return found


def case_parameters(item) -> dict:
    """The parameters a collected test runs with, those of its case function among them (pytest-cases passes a
    parametrized case's values combined, under the case's own name)."""
    found = {}
    callspec = getattr(item, "callspec", None)
    for name, value in callspec.params.items() if callspec else ():
        if not hasattr(value, "iterparams"):
            found[name] = value
            continue
        for argnames, values in value.iterparams():
            names = [argnames] if isinstance(argnames, str) else list(argnames)
            found.update(zip(names, values if len(names) > 1 else (values,)))
    return found


def choices_of(item) -> set:
    """The (parameter, value) pairs a case runs with, the case function it comes from among them; values that are
    no plain data (a lazy value, a parameter the case does not use) are left out."""
    found = {(name, value) for name, value in case_parameters(item).items()
             if isinstance(value, (str, int, float, bool, type(None)))}
    callspec = getattr(item, "callspec", None)
    for name, value in callspec.params.items() if callspec else ():
        if hasattr(value, "alternative_name"):  # pytest-cases: which case function of a union the case is
            found.add((name, value.alternative_name))
    return found


def each_choice(items: list) -> tuple[list, list]:
    """(kept, left out): each statement's each-choice cover of its cases (rnnspec.each_choice), in collection
    order."""
    return each_choice_cover(items, choices_of, lambda item: statement_of(item) if isinstance(item, pytest.Function)
                             else item.nodeid)


def pytest_report_header(config):
    return f"rnnspec: {installation.current().describe()}"


class StaleDivergenceWarning(pytest.PytestWarning):
    """A row of the table of known divergences names a statement that is no test: its xfail applies nowhere."""


def statement_of(item: pytest.Function) -> str:
    return f"{item.path.name}::{item.originalname}"


def pytest_collection_modifyitems(config, items):
    """The catalogue holds every device: the devices not chosen with --devices are deselected here, and a GPU case
    where no GPU is visible is marked skipped with the reason (as `skip_unless_visible` would skip it once its
    fixtures were set up, which for thousands of cases costs seconds). With --cases=each-choice, the cases beyond
    each statement's each-choice cover are deselected too. A row of the table of known divergences that names no
    collected statement is reported."""
    kept, deselected = [], []
    no_gpu = None if installation.current().gpus else pytest.mark.skip(reason=NO_GPU.format(installation.current()))
    for item in items:
        device = case_parameters(item).get("device")  # a lazy value where a case function returns it: kept
        (deselected if isinstance(device, str) and device not in options.current.devices else kept).append(item)
        if device == "gpu" and no_gpu:
            item.add_marker(no_gpu)
    if config.getoption("--cases") == EACH_CHOICE:
        kept, left = each_choice(kept)
        deselected += left
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
    chapters = {item.path.name: item.module for item in items if isinstance(item, pytest.Function)}
    for statement in divergences.stale_statements(chapters):
        warnings.warn(StaleDivergenceWarning(
            f"rnnspec.divergences names {statement}, which is no test of the collected chapters (renamed or removed?)"
        ))


# The meta-test that runs the known divergences' reproducers, each in a process of its own (spec/meta/test_reproducers.py).
REPRODUCER_STATEMENT = "test_reproducers.py::test_a_reproducer_still_diverges_where_its_row_applies"
REPRODUCERS_RUNNING = pytest.StashKey()


def pytest_collection_finish(session):
    """Where that meta-test is collected, the reproducers that apply here start at once, in the background, one at
    a time, on the core this process leaves free. (Not in a pytest-xdist worker, which may not be given that test:
    there the meta-test runs them when it comes, while the other workers go on.)"""
    if hasattr(session.config, "workerinput"):
        return
    if any(statement_of(item) == REPRODUCER_STATEMENT for item in session.items if isinstance(item, pytest.Function)):
        here = installation.current()
        session.config.stash[REPRODUCERS_RUNNING] = repro.start_all(repro.runnable_here(here), here)


def reproducer_results(config) -> dict:
    """The results of the reproducers started as collection ended (or, where they were not, run now)."""
    started = config.stash.get(REPRODUCERS_RUNNING, None)
    here = installation.current()
    return started() if started else repro.run_all(repro.runnable_here(here), here)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    """Mark the case as a strict xfail where a row of the table of known divergences applies to it."""
    # As the call starts, because a case's arguments are known only once it is set up: pytest-cases turns a case's
    # parameters (`config`, or `cell, device`) into a fixture or a lazy value, resolved at setup. Pytest's skipping
    # plugin, having found no xfail mark at setup, evaluates the marks again in its own wrapper of the call, inside
    # this one (tryfirst), so the mark added here decides the call's outcome.
    case = divergences.Case(received_arguments(item))
    row = divergences.divergence_for(statement_of(item), installation.current(), case)
    if row:
        item.add_marker(row.xfail_marker())
    return (yield)


def received_arguments(item: pytest.Function) -> dict:
    """The arguments the test function itself receives, by its own parameter names. pytest-cases shows pytest a
    wrapper whose signature has one fixture in place of a case's parameters, and unpacks that fixture's value into
    them when it calls the test; this undoes that, wrapper by wrapper. The fixtures pytest-cases makes of the cases
    themselves are left out: one may bear a parameter's name (the case `wrong` of the initial-state statements)."""
    arguments = dict(item.funcargs)
    function = item.obj
    while hasattr(function, "__wrapped__"):
        wrapped = function.__wrapped__
        outer = inspect.signature(function, follow_wrapped=False).parameters
        inner = inspect.signature(wrapped, follow_wrapped=False).parameters
        fixtures, parameters = [n for n in outer if n not in inner], [n for n in inner if n not in outer]
        if len(fixtures) == 1 and parameters:
            value = arguments.pop(fixtures[0])
            arguments.update(zip(parameters, value) if len(parameters) > 1 else [(parameters[0], value)])
        function = wrapped
    own = inspect.signature(function, follow_wrapped=False).parameters
    return {name: value for name, value in arguments.items() if name in own}


class MatrixReporter:
    def __init__(self):
        self.matrix = BehaviourMatrix()

    def pytest_runtest_logreport(self, report):
        self.matrix.record(report)

    def pytest_terminal_summary(self, terminalreporter):
        lines = self.matrix.lines()
        if lines:
            terminalreporter.write_sep("=", "rnnspec behaviour matrix (outcomes of the statements per configuration)")
            for line in lines:
                terminalreporter.write_line(line)


class ComparisonRecorder:
    """Keeps rnnspec.assertions recording while the session runs, each comparison under the test that made it, and
    writes the record with the installation at the end."""

    def __init__(self, path: Path):
        self.path = path
        self.record = assertions.ComparisonRecord()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        self.record.test = item.nodeid
        assertions.recording = self.record
        try:
            return (yield)
        finally:
            assertions.recording = None

    def pytest_sessionfinish(self):
        described = installation.current()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({
            "installation": described.describe(),
            "backend": described.backend,
            "gpus": list(described.gpus),
            "gpu_software": installation.gpu_software(),
            "comparisons": self.record.comparisons,
        }, indent=1))


NO_GPU = "no GPU visible to {0.backend}"


def skip_unless_visible(device: str) -> None:
    """GPU cases run where the backend sees a GPU and are skipped, with the reason, where it does not."""
    if device == "gpu" and not installation.current().gpus:
        pytest.skip(NO_GPU.format(installation.current()))


def pytest_sessionstart(session):
    """The installation under test, in `--junitxml` reports, for the version matrix: written by the process that
    writes the report (under pytest-xdist the main one, which runs no test, so not through a fixture)."""
    from _pytest.junitxml import xml_key  # where pytest's own record_testsuite_property finds the report

    report = session.config.stash.get(xml_key, None)
    if report is not None:
        report.add_global_property("rnnspec.installation", installation.current().describe())
        report.add_global_property("rnnspec.cases", session.config.getoption("--cases"))


@pytest.fixture(scope="session")
def snapshot_path(request) -> Path:
    chosen = request.config.getoption("--snapshot")
    return Path(chosen) if chosen else request.config.rootpath / "snapshots" / "reference.npz"


@pytest.fixture(scope="session")
def observation_cache():
    from rnnspec.observe import ObservationCache

    return ObservationCache()


def enter_configuration(request, subject) -> None:
    """Record the test under its subject in the behaviour matrix; skip it where its device is absent."""
    for key in subject.matrix_keys:
        request.node.user_properties.append((PROPERTY, key))
    skip_unless_visible(subject.device)
    dtype = dict(getattr(subject, "options", ())).get("dtype")
    if dtype == "float64" and not installation.computes_in_float64():
        pytest.skip("JAX computes float64 layers in float32 unless JAX_ENABLE_X64=1")


@pytest.fixture
def observe(request, observation_cache):
    """observe(subject) -> Observation: what the subject (rnnspec.configs) returned on its own inputs and call path
    (built and run once per session)."""

    def observe_subject(subject):
        enter_configuration(request, subject)
        return observation_cache.get(subject)

    return observe_subject


@pytest.fixture
def build(request, observation_cache):
    """build(subject) -> Built: the subject's layer, model and inputs (built once per session), for statements
    that call the layer with arguments of their own (masks, initial states, training)."""

    def built_for(subject):
        enter_configuration(request, subject)
        return observation_cache.built_for(subject)

    return built_for


@pytest.fixture(autouse=True)
def keras_global_state_restored():
    """Every test leaves Keras's global configuration as it found it; one that does not fails here, and the
    configuration is put back so that the tests after it are not affected."""
    before = installation.global_state()
    yield
    after = installation.global_state()
    if after != before:
        installation.restore_global_state(before)
        changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
        pytest.fail(f"the test changed Keras's global state and did not restore it: {changed}")
