"""The fixtures every chapter shares: `observe` and `build`, through the one observe path and its session cache,
the snapshot's path, and Keras's global state left as each test found it."""

from pathlib import Path

import pytest

from rnnspec import installation
from rnnspec.plugin.behaviour_matrix import PROPERTY
from rnnspec.plugin.marking import stated_as_known
from rnnspec.statements.shared import skip_unless_visible


@pytest.fixture(scope="session")
def snapshot_path(request) -> Path:
    chosen = request.config.getoption("--snapshot")
    return Path(chosen) if chosen else request.config.rootpath / "snapshots" / "reference.npz"


@pytest.fixture(scope="session")
def observation_cache():
    from rnnspec.probes.observe import ObservationCache

    return ObservationCache()


def enter_configuration(request, subject, drawn=False) -> None:
    """Record the test under its subject in the behaviour matrix (a statement over drawn subjects counts in the
    totals alone: one test, many configurations); skip it where its device is absent."""
    for key in () if drawn else subject.matrix_keys:
        request.node.user_properties.append((PROPERTY, key))
    skip_unless_visible(subject.device)
    dtype = dict(getattr(subject, "options", ())).get("dtype")
    if dtype == "float64" and not installation.computes_in_float64():
        pytest.skip("JAX computes float64 layers in float32 unless JAX_ENABLE_X64=1")


@pytest.fixture
def observe(request, observation_cache):
    """observe(subject) -> Observation: what the subject (rnnspec.subjects.layers) returned on its own inputs and call path
    (built and run once per session); observe(subject, drawn=True) for a subject Hypothesis drew (chapter 15), kept a
    while only."""

    def observe_subject(subject, drawn=False):
        enter_configuration(request, subject, drawn)
        return observation_cache.get_drawn(subject) if drawn else observation_cache.get(subject)

    return observe_subject


@pytest.fixture
def known_divergence(request):
    """known_divergence(subject) -> a context in which a drawn subject (chapter 15) is held to the statement: where a
    row of the table of known divergences applies to it, a failure is stated as that divergence (an event, not a
    strict xfail: `rnnspec.plugin.marking.stated_as_known` says why); elsewhere the statement must hold."""
    return lambda subject: stated_as_known(request.node, subject)


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
