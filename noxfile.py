"""The version matrix: `pytest spec` in fresh environments, one per Keras release and backend, and in the quick
matrix, the nightlies and the export environment the minimal reproducers of the known divergences (`python -m
rnnspec.divergences.repro --run`), then one comparison.

    nox                            # the quick matrix (tag `quick`): the oldest Keras 3, the newest on each
                                   # backend, tf_keras; then the report (docs/version-matrix.md and .html)
    nox -j 2 -t full               # every environment, two at a time, then the report
    nox -j 2 -t nightly            # what Keras will release next: keras-nightly on each backend, tf-keras-nightly
    nox -j 2 -t weekly             # the nightlies beside the newest releases (.github/workflows/nightly-matrix.yml)
    nox -s "spec(keras-3.15.1-jax)" report    # one environment, then the report of all results so far
    nox -j 2 -t full -R            # again, reusing the environments (-R: no installs) and each chapter's results
                                   # whose digest is unchanged (rnnspec.tools.matrix_results)
    nox -s "spec(keras-3.15.1-jax)" -- --cases=all    # every case there, not each statement's each-choice cover
    nox -s explore -- --hypothesis-seed=7   # chapter 15 at length on each keras-nightly (the weekly workflow)

Each environment installs its Keras and backend first and this project without dependencies, so that the
installer cannot move the pinned versions. A failing spec, or a reproducer that says fixed, does not stop the
matrix: the report is where failures are read. The environments install CPU builds: their GPU cases are left out
(`--devices=cpu`), not counted as skipped in every cell of the report. Each statement states its each-choice cover
of cases (`--cases=each-choice`: every value of every parameter, about a sixth of the cases).

uv creates the environments where it is installed (`pip install uv`), else venv. uv does not read pip's
configuration: the PyTorch CPU wheels (the default PyPI wheel brings CUDA's 2 GB) are found through
`UV_FIND_LINKS` or `UV_EXTRA_INDEX_URL` (https://download.pytorch.org/whl/cpu); where only pip is told
(`PIP_FIND_LINKS`, `PIP_EXTRA_INDEX_URL`), the same is passed on to uv.
"""

import os
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent))  # the project's rnnspec, whichever environment nox runs in
from rnnspec.tools import matrix_results  # noqa: E402  (the standard library only)

nox.needs_version = ">=2026.10.20"  # -j/--parallel and allow_parallel
nox.options.default_venv_backend = "uv|venv"
nox.options.tags = ["quick"]

RESULTS = ".nox-results"
# The test tools of the suite's own dependencies. pytest stays below 9.1 in every environment but one, so that the
# matrix compares releases of Keras, not of pytest; that one runs the newest pytest (through the plugin's shim for
# pytest-cases, rnnspec/plugin/pytest_cases_compat.py), as users' images have it.
PYTEST_BEFORE_9_1 = "pytest>=8,<9.1"
TEST_TOOLS = ["pytest-cases>=3.8", "pytest-benchmark>=4", "pytest-xdist>=3", "pytest-random-order>=1.1", "makefun>=1.15",
              "hypothesis>=6.100"]
for pip_setting, uv_setting in (("PIP_FIND_LINKS", "UV_FIND_LINKS"), ("PIP_EXTRA_INDEX_URL", "UV_EXTRA_INDEX_URL")):
    if pip_setting in os.environ:
        os.environ.setdefault(uv_setting, os.environ[pip_setting])

# The TensorFlow each Keras 3 minor release was made with (TensorFlow 2.16 needs NumPy 1).
TENSORFLOW = {
    **dict.fromkeys(("3.0", "3.1", "3.2", "3.3"), ["tensorflow-cpu==2.16.2", "numpy<2"]),
    **dict.fromkeys(("3.4", "3.5", "3.6"), ["tensorflow-cpu==2.17.1"]),
    **dict.fromkeys(("3.7", "3.8"), ["tensorflow-cpu==2.18.1"]),
    **dict.fromkeys(("3.9", "3.10"), ["tensorflow-cpu==2.19.1"]),
    **dict.fromkeys(("3.11", "3.12"), ["tensorflow-cpu==2.20.0"]),
    **dict.fromkeys(("3.13", "3.14", "3.15"), ["tensorflow-cpu==2.21.0"]),
}
# Every Keras 3 release. The full matrix runs the first, 3.0.0 (the oldest the suite supports), and the last patch of
# every minor release; `-t releases` runs them all, and `python -m rnnspec.tools.bisect --run` those between two recorded
# releases whose outcomes differ.
KERAS_3_RELEASES = {
    "3.0": ["3.0.0", "3.0.1", "3.0.2", "3.0.3", "3.0.4", "3.0.5"], "3.1": ["3.1.0", "3.1.1"],
    "3.2": ["3.2.0", "3.2.1"], "3.3": ["3.3.0", "3.3.1", "3.3.2", "3.3.3"], "3.4": ["3.4.0", "3.4.1"],
    "3.5": ["3.5.0"], "3.6": ["3.6.0"], "3.7": ["3.7.0"], "3.8": ["3.8.0"], "3.9": ["3.9.0", "3.9.1", "3.9.2"],
    "3.10": ["3.10.0"], "3.11": ["3.11.0", "3.11.1", "3.11.2", "3.11.3"],
    "3.12": ["3.12.0", "3.12.1", "3.12.2", "3.12.3", "3.12.4"], "3.13": ["3.13.0", "3.13.1", "3.13.2"],
    "3.14": ["3.14.0", "3.14.1"], "3.15": ["3.15.0", "3.15.1"],
}
KERAS_ON_TENSORFLOW = ["3.0.0", *(patches[-1] for patches in KERAS_3_RELEASES.values())]
# The JAX and PyTorch of their day, for releases either side of the backends' recurrent paths changing (cuDNN
# through jax.experimental.rnn and torch's cuDNN LSTM/GRU came in between); PyTorch's CPU build is 2.13's.
JAX = {"3.5.0": "jax==0.4.31", "3.10.0": "jax==0.6.0", "3.15.1": "jax==0.10.2"}
TORCH = "torch==2.13.0+cpu"
NEWEST = "3.15.1"


NIGHTLY_TAGS = ["full", "nightly", "weekly"]


def tags_of(version: str) -> list[str]:
    """quick: the oldest Keras 3 and the newest release; weekly (CI): the newest beside the nightlies."""
    return {"3.0.0": ["full", "quick"], NEWEST: ["full", "quick", "weekly"]}.get(version, ["full"])


def environments() -> dict:
    """name -> (packages, the arguments naming the installation to pytest and to rnnspec.divergences.repro, nox tags)."""
    found = {}
    for minor, patches in KERAS_3_RELEASES.items():
        tensorflow = TENSORFLOW[minor]
        for version in patches:
            tags = ["releases", *tags_of(version)] if version in KERAS_ON_TENSORFLOW else ["releases"]
            found[f"keras-{version}-{tensorflow[0].replace('-cpu==', '-')}"] = (
                [f"keras=={version}", *tensorflow], [], tags)
    # No TensorFlow with JAX or PyTorch: their users have none, and the suite must not need it.
    for version, jax in JAX.items():
        found[f"keras-{version}-jax"] = ([f"keras=={version}", jax], ["--keras-backend=jax"], tags_of(version))
    for version in JAX:
        found[f"keras-{version}-torch"] = ([f"keras=={version}", TORCH], ["--keras-backend=torch"], tags_of(version))
    found["tf-keras-2.21.0"] = (["tf-keras==2.21.0", "tensorflow-cpu==2.21.0"], ["--keras=tf_keras"], tags_of(NEWEST))
    # The newest release on the newest pytest (the others keep PYTEST_BEFORE_9_1).
    found[f"keras-{NEWEST}-tensorflow-2.21.0-newest-pytest"] = (
        [f"keras=={NEWEST}", *TENSORFLOW[NEWEST.rsplit(".", 1)[0]], "pytest>=9.1"], [], ["full"])
    # Chapter 14's runtimes (the export extra): exported models run by ONNX Runtime, LiteRT and OpenVINO. Only that
    # chapter runs there (CHAPTERS): the others would state what keras-NEWEST-tensorflow states.
    found[f"keras-{NEWEST}-tensorflow-2.21.0-export"] = (
        [f"keras=={NEWEST}", *TENSORFLOW[NEWEST.rsplit(".", 1)[0]], ".[export]"], [], ["full"])
    # What Keras will release next: installed anew on every run (the newest nightly), pre-releases allowed.
    nightly = ["--prerelease=allow", "--reinstall-package=keras-nightly", "--reinstall-package=tf-keras-nightly"]
    found["keras-nightly-tensorflow"] = ([*nightly, "keras-nightly", "tf-nightly"], [], NIGHTLY_TAGS)
    found["keras-nightly-jax"] = ([*nightly, "keras-nightly", "jax"], ["--keras-backend=jax"], NIGHTLY_TAGS)
    found["keras-nightly-torch"] = ([*nightly, "keras-nightly", TORCH], ["--keras-backend=torch"], NIGHTLY_TAGS)
    found["tf-keras-nightly"] = ([*nightly, "tf-keras-nightly", "tf-nightly"], ["--keras=tf_keras"], NIGHTLY_TAGS)
    return found


ENVIRONMENTS = environments()
CHAPTERS = {f"keras-{NEWEST}-tensorflow-2.21.0-export": ["spec/test_export.py"]}  # the rest run every chapter


def runs_reproducers(environment: str) -> bool:
    """The known divergences' reproducers run in the quick matrix, the nightlies (where a fix shows first) and the
    export environment (the runtimes some need). Elsewhere the statements' strict xfails show where each divergence
    holds, and the reproducers would be a third of a TensorFlow session (30 s of 100, measured)."""
    tags = ENVIRONMENTS[environment][2]
    return "quick" in tags or "nightly" in tags or environment in CHAPTERS


# nox -j starts sessions in this order as its slots free: the longest first (measured from nothing, two side by side:
# JAX 2-4 minutes, PyTorch 2-3, tf_keras 2, TensorFlow 1-2, the reproducers half a minute more), so that the
# matrix does not end on a long session with a core idle (it did: Keras 3.0.0 with its reproducers last, 106 s alone).
LONGEST_FIRST = sorted(reversed(ENVIRONMENTS), key=lambda name: (
    "-jax" not in name, "-torch" not in name, "tf-keras" not in name, not runs_reproducers(name)))


# The matrix compiles XLA's programs (JAX's every call, TensorFlow's jit_compile=True) with LLVM at optimization level
# 0: the statements are Keras's contracts, which code generation does not change, and compiling was two thirds of a
# JAX session (measured on one statement's 9 cases: 38 s, then 20 s). `pytest spec` outside the matrix compiles as
# users do.
XLA_FLAGS = " ".join([os.environ.get("XLA_FLAGS", ""), "--xla_backend_optimization_level=0"]).strip()
SETTINGS = [f"XLA_FLAGS={XLA_FLAGS}"]  # what the results depend on beyond the arguments: part of their digests


# What is installed, as `pip freeze` would say (uv's environments have no pip), and the Python.
PRINT_INSTALLATION = ("import importlib.metadata as m, sys; "
                      "print('python', sys.version.split()[0], *sorted({f'{d.name}=={d.version}' for d in m.distributions()}))")


# Chapter 15 at length: configurations drawn per statement on each keras-nightly, with the seed the run names
# (`-- --hypothesis-seed=N`; the weekly workflow gives its run number, so that each week draws others). The
# failures, shrunk, print their reproducers; nothing is recorded for the report. Sized for 90 minutes a backend, the
# weekly job's limit, by the long runs of 2026-12-07 on one core (docs/exploration.md): 500 per statement on the
# TensorFlow nightly took 23 minutes, 150 on JAX's 37 (each new shape compiles), 150 on PyTorch's 18.
EXPLORE = {"keras-nightly-tensorflow": 1000, "keras-nightly-jax": 200, "keras-nightly-torch": 400}


@nox.session(python="3.11")
@nox.parametrize("environment", list(EXPLORE))
def explore(session, environment):
    packages, arguments, _ = ENVIRONMENTS[environment]
    if session.venv_backend != "uv":
        packages = [p for p in packages if not p.startswith("--")] + ["--pre"]
    session.install(*packages, PYTEST_BEFORE_9_1, *TEST_TOOLS)
    session.install("--no-deps", "-e", ".")
    session.run(
        "pytest", "spec/test_exploration.py", "-p", "no:cacheprovider", "--devices=cpu",
        f"--explore={EXPLORE[environment]}", "--hypothesis-show-statistics", *arguments, *session.posargs,
        env={"TF_CPP_MIN_LOG_LEVEL": "2"},
    )

@nox.session(python="3.11", allow_parallel=True)
@nox.parametrize("environment", [nox.param(name, id=name, tags=ENVIRONMENTS[name][2]) for name in LONGEST_FIRST])
def spec(session, environment):
    packages, arguments, _ = ENVIRONMENTS[environment]
    if session.venv_backend != "uv":
        packages = [p for p in packages if not p.startswith("--")]  # uv's options; pip takes pre-releases by name
        packages += ["--pre"] if "nightly" in environment else []
    pytest_release = [] if any(package.startswith("pytest>") for package in packages) else [PYTEST_BEFORE_9_1]
    session.install(*packages, *pytest_release, *TEST_TOOLS)
    session.install("--no-deps", "-e", ".")
    installation = session.run("python", "-c", PRINT_INSTALLATION, silent=True)
    if installation is None:  # nox --install-only: the environment is made, nothing is run
        return
    installation = installation.strip()
    session.log(installation)
    given = [*arguments, *session.posargs]
    chosen = [Path(p) for p in CHAPTERS.get(environment, [])] or matrix_results.chapters()
    keys = matrix_results.chapter_keys(installation, [*given, *SETTINGS], chosen)
    recorded = matrix_results.Recorded(RESULTS, environment)
    location = Path(session.virtualenv.location)
    every_run = {
        # JAX compiles each configuration's loop: its persistent compilation cache, kept in the environment, serves
        # the compilations of equal programs within a run and makes a rerun on a reused environment (-R) five times
        # faster.
        "JAX_COMPILATION_CACHE_DIR": str(location / "jax-compilation-cache"),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0", "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1",
        # PyTorch's compiler keeps its cache there too, not in a folder every environment on the machine shares
        # (/tmp/torchinductor_USER), so that an environment made anew starts from nothing.
        "TORCHINDUCTOR_CACHE_DIR": str(location / "torchinductor-cache"),
        "XLA_FLAGS": XLA_FLAGS,
        # The environment keeps its bytecode, in itself, even where PYTHONDONTWRITEBYTECODE is set: the first
        # import of Keras and TensorFlow writes it (1.7 s), each later one reads it (4 s instead of 11.5: the
        # reproducers' runner, a rerun on a reused environment).
        "PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(location / "pycache"),
    }
    stale = recorded.stale(keys)
    session.log(f"Results reused for {len(keys) - len(stale)} of {len(keys)} chapters (their digests are unchanged)")
    if stale:
        # Sessions side by side (nox -j) each run in one process: a worker per core each would only share the cores
        # and import Keras and build the catalogue once more per worker (measured: a fifth more CPU time). Each
        # statement states its each-choice cover of cases (README; `nox ... -- --cases=all` for every one).
        workers = ["-n", "0"] if session.parallel else []
        # And PyTorch's thread pool, one thread per core by default, would contend with the other session's process
        # (measured: a fifth less CPU time for a PyTorch chapter on one thread; TensorFlow and JAX gain nothing).
        threads = {"OMP_NUM_THREADS": "1"} if session.parallel else {}
        run = Path(recorded.folder, "run.xml")
        session.run(
            "pytest", *map(str, stale), "-q", "-p", "no:cacheprovider", "-m", "not meta", "--devices=cpu",
            "--cases=each-choice", *workers, f"--junitxml={run}", *given,
            env={"TF_CPP_MIN_LOG_LEVEL": "2", **every_run, **threads},
            success_codes=[0, 1],
        )
        recorded.store(run, {chapter: keys[chapter] for chapter in stale})
        run.unlink()
    recorded.merge(chosen)
    # Where each known divergence holds, by its reproducer: the report's table of divergences × environment.
    if not runs_reproducers(environment):
        return
    reproducers, reproducers_key = Path(RESULTS, f"{environment}.reproducers.json"), recorded.folder / "reproducers.key"
    # Rerun when what they run changed (the runner, the reproducers, the modules they import, the installation), not
    # after every change to the spec's machinery: they import none of it.
    key = matrix_results.reproducers_key(installation, [*arguments, *SETTINGS])
    if not (reproducers.is_file() and reproducers_key.is_file() and reproducers_key.read_text() == key):
        session.run("python", "-m", "rnnspec.divergences.repro", "--run", f"--record={reproducers}", *arguments,
                    env=every_run, success_codes=[0, 1])
        reproducers_key.write_text(key)


# Not in parallel with anything: nox starts it once every session before it has finished.
@nox.session(python=False, tags=["quick", "full", "releases", "nightly", "weekly"], allow_parallel=False)
def report(session):
    session.run("python", "-m", "rnnspec.tools.version_matrix", RESULTS, "--output", "docs/version-matrix")
