"""The backend parity statement of the devices chapter, whose other backend runs in a process of its own, against
a stand-in for that process."""

import pytest

from rnnspec.installation import BACKENDS, current
from spec import test_devices_and_kernels as chapter
from spec.meta import breakages_kernels as broken
from spec.meta.catching import Catch, assert_caught

pytestmark = pytest.mark.meta


def another_backend():
    return next(backend for backend in BACKENDS if backend != current().backend)


def test_backend_parity_catches_another_backend_that_drifts(monkeypatch, observation_cache, request):
    """The parity statement holds when the other backend returns exactly this one's results, and fails when they
    drift by 1e-3 (the other process is stood in for; the statement skips where that backend is not installed)."""
    results = broken.OwnResults(chapter.PARITY_CONFIGS, observation_cache)
    catch = Catch(
        chapter.test_the_backends_agree_on_the_cpu, broken.other_backend_drifts_by_1e_3,
        {"backend": another_backend(), "other_backend_runs": results},
    )
    assert_caught(catch, monkeypatch, observation_cache, request)
