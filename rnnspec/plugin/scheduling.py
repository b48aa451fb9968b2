"""How a run is spread over pytest-xdist's workers: how many, and which tests go together."""

import os
from pathlib import Path

import pytest

from rnnspec import installation

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
