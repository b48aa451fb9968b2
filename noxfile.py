"""The version matrix: `pytest spec` in fresh environments, one per supported installation, and there the minimal
reproducers of the known divergences (`python -m rnnspec.repro --run`), then one comparison.

    nox                      # every environment, then the report (docs/version-matrix.md and .html)
    nox -s "spec(keras-3.15-jax)" report    # one environment, then the report of all results so far

Each environment installs its Keras and backend first and this project without dependencies, so that pip cannot
move the pinned versions. A failing spec, or a reproducer that says fixed, does not stop the matrix: the report is
where failures are read.
"""

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["spec", "report"]

RESULTS = ".nox-results"
TEST_TOOLS = ["pytest>=8,<9.1", "pytest-cases>=3.8", "pytest-benchmark>=4", "pytest-xdist>=3", "pytest-random-order>=1.1"]

# name -> (packages, the arguments naming the installation, to pytest and to rnnspec.repro alike). The oldest
# Keras 3 that installs on Python 3.11 with its TensorFlow, two releases in between, the newest on each backend,
# and the Keras 2 API through tf_keras.
ENVIRONMENTS = {
    "keras-3.0-tensorflow-2.16": (["keras==3.0.5", "tensorflow-cpu==2.16.1", "numpy<2"], []),
    "keras-3.5-tensorflow-2.17": (["keras==3.5.0", "tensorflow-cpu==2.17.1", "numpy<2"], []),
    "keras-3.10-tensorflow-2.19": (["keras==3.10.0", "tensorflow-cpu==2.19.0"], []),
    "keras-3.15-tensorflow-2.21": (["keras==3.15.1", "tensorflow-cpu==2.21.0"], []),
    # No TensorFlow here: a JAX or PyTorch user has none, and the suite must not need it.
    "keras-3.15-jax": (["keras==3.15.1", "jax==0.10.2"], ["--keras-backend=jax"]),
    "keras-3.15-torch": (["keras==3.15.1", "torch==2.13.0"], ["--keras-backend=torch"]),
    # Chapter 12's runtimes (the export extra): exported models run by ONNX Runtime, LiteRT and OpenVINO.
    "keras-3.15-tensorflow-2.21-export": (["keras==3.15.1", "tensorflow-cpu==2.21.0", ".[export]"], []),
    "tf-keras-2.21": (["tf-keras==2.21.0", "tensorflow-cpu==2.21.0"], ["--keras=tf_keras"]),
}


@nox.session(python="3.11")
@nox.parametrize("environment", list(ENVIRONMENTS), ids=list(ENVIRONMENTS))
def spec(session, environment):
    packages, arguments = ENVIRONMENTS[environment]
    session.install(*packages, *TEST_TOOLS)
    session.install("--no-deps", "-e", ".")
    session.run("pip", "freeze", silent=False)
    # The meta-tests check the suite itself against Keras 3.15's internals; the matrix is about Keras.
    session.run(
        "pytest", "spec", "-q", "-p", "no:cacheprovider", "-m", "not meta", f"--junitxml={RESULTS}/{environment}.xml",
        *arguments, *session.posargs,
        env={"TF_CPP_MIN_LOG_LEVEL": "2"},
        success_codes=[0, 1],
    )
    # Where each known divergence holds, by its reproducer: the report's table of divergences × environment.
    session.run(
        "python", "-m", "rnnspec.repro", "--run", f"--record={RESULTS}/{environment}.reproducers.json", *arguments,
        success_codes=[0, 1],
    )


@nox.session(python=False)
def report(session):
    session.run("python", "-m", "rnnspec.version_matrix", RESULTS, "docs/version-matrix")
