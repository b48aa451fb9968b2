"""The suite's command-line options, and the choices they make once per process: the Keras, backend and devices
under test, and the reporters a run asks for."""

import os
from pathlib import Path

import pytest

from rnnspec import installation

# TensorFlow reads its log level as it loads, in this process and in the xdist workers, which inherit it: set before
# any chapter imports Keras. (What it prints regardless, installation.import_quietly leaves out.)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from rnnspec.divergences import table, user_file
from rnnspec.installation import options
from rnnspec.plugin.marking import KNOWN_ROWS
from rnnspec.plugin.reporting import ComparisonRecorder, RunSummary
from rnnspec.subjects.convlstm import CONV_RANKS
from rnnspec.subjects.layers import CELLS

ALL_CASES, EACH_CHOICE = "all", "each-choice"  # --cases: every case, or each statement's each-choice cover
# --cells: the layers a case can name as its cell (a ConvLSTM case names its rank).
CELL_NAMES = (*CELLS, *(f"ConvLSTM{rank}D" for rank in CONV_RANKS))
CELLS_CHOSEN = pytest.StashKey()


def chosen_cells(cells: str | None) -> frozenset | None:
    if cells is None:
        return None
    chosen = frozenset(name.strip() for name in cells.split(",") if name.strip())
    unknown = sorted(chosen - set(CELL_NAMES))
    if unknown or not chosen:
        raise pytest.UsageError(f"--cells={cells!r} names {', '.join(unknown) or 'no cell'}; choose among: "
                                f"{', '.join(CELL_NAMES)}")
    return chosen


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
        "`python -m rnnspec.tools.gpu_report` reports from)",
    )
    group.addoption(
        "--cells",
        default=None,
        help=f"comma-separated cells whose cases to run: {', '.join(CELL_NAMES)} (default: all; a case that names "
        "no cell runs whatever this says)",
    )
    group.addoption(
        "--known-divergences",
        default=None,
        metavar="FILE",
        help="a TOML file of this installation's own known divergences, in the table's form (docs/report.md): the "
        "cases they name are strict xfails, and a row that matches no case is reported",
    )
    group.addoption(
        "--report-json",
        default=None,
        metavar="PATH",
        help="write the run to PATH as JSON: the installation, each test's outcome, the behaviour matrix and the "
        "known divergences met (docs/report.md, docs/report.schema.json)",
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
    options.current = chosen
    if chosen.devices_requested and "gpu" in chosen.devices and not installation.current().gpus:
        raise pytest.UsageError(
            f"--devices names gpu, but {chosen.backend} sees no GPU; install a GPU build of the backend "
            "(docs/gpu.md) or leave gpu out"
        )
    # Decided once, where the run starts (an xdist worker imports Keras as it collects, as the main process does
    # for the report's header).
    worker = hasattr(config, "workerinput")
    platform = None if chosen.devices_requested or worker else installation.built_for_gpu(chosen.backend)
    if platform and not installation.current().gpus:  # a GPU image that sees no GPU would skip every GPU case
        raise pytest.UsageError(
            f"{chosen.backend} is built for {platform} but sees no GPU (check the driver, nvidia-smi, the "
            "container's GPU flags); to state the CPU alone, run with --devices=cpu"
        )
    config.stash[CELLS_CHOSEN] = chosen_cells(config.getoption("--cells"))
    own = Path(config.getoption("--known-divergences")) if config.getoption("--known-divergences") else None
    try:
        config.stash[KNOWN_ROWS] = (*table.DIVERGENCES, *(user_file.load(own) if own else ()))
    except user_file.FileError as error:
        raise pytest.UsageError(f"--known-divergences: {error}") from None
    report = None if worker or not config.getoption("--report-json") else Path(config.getoption("--report-json"))
    summary = RunSummary(config.getoption("--cases"), config.stash[KNOWN_ROWS], own, report)
    config.pluginmanager.register(summary, "rnnspec-summary")
    record = config.getoption("--record-comparisons")
    if record:
        if config.getoption("numprocesses", None):
            raise pytest.UsageError("--record-comparisons records the comparisons of one process; leave out -n")
        config.pluginmanager.register(ComparisonRecorder(Path(record)), "rnnspec-comparisons")
