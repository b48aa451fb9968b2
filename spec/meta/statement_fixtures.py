"""What the meta-tests pass a statement for each fixture it takes: one entry per fixture of the spec, both for the
run against the real layers (the control) and for the run against the broken ones."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from rnnspec.probes.observe import ObservationCache, build, observe_fresh


@dataclass(frozen=True)
class Scene:
    """What the fixtures are provided from: the observations of the real layers (the session's, or the meta-test's
    own in a simulated environment), and the meta-test's own request, for the fixtures it has itself."""

    observations: ObservationCache
    meta_test: pytest.FixtureRequest


@dataclass(frozen=True)
class Provider:
    """How one fixture is provided, from the scene: in the control run, and in the run against the broken layers."""

    control: Callable[[Scene], object]
    broken: Callable[[Scene], object]


def alike(provide: Callable[[Scene], object]) -> Provider:
    return Provider(control=provide, broken=provide)


# The control reads the observations of the real layers; the broken run builds afresh, for the breakage to reach
# the layer and nothing broken to be cached.
PROVIDERS = {
    "observe": Provider(control=lambda scene: scene.observations.get, broken=lambda scene: observe_fresh),
    "build": Provider(control=lambda scene: scene.observations.built_for, broken=lambda scene: build),
    # The parity runs under other backends are kept by the cache: the broken run must not be served the control's.
    "observation_cache": Provider(control=lambda scene: scene.observations, broken=lambda scene: ObservationCache()),
    # The meta-test's own directory, the same for both runs.
    "tmp_path": alike(lambda scene: scene.meta_test.getfixturevalue("tmp_path")),
}
