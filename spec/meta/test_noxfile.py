"""The version matrix holds what it promises: every Keras 3 minor release on TensorFlow, the nightlies on every
backend, and the oldest release in the quick matrix, which keeps the suite running there (rnnspec.installation.compat)."""

import pytest

from spec.meta import noxfile_loaded

pytestmark = pytest.mark.meta


@pytest.fixture(scope="module")
def noxfile():
    return noxfile_loaded.noxfile()


def test_every_minor_release_runs_on_tensorflow_with_its_tensorflow(noxfile):
    minors = {name.split("-")[1].rsplit(".", 1)[0] for name in noxfile.ENVIRONMENTS
              if name.startswith("keras-3") and "-tensorflow-" in name}
    assert minors == {f"3.{minor}" for minor in range(16)} == set(noxfile.TENSORFLOW)


def test_the_nightlies_run_on_every_backend_and_on_tf_keras(noxfile):
    nightly = {name for name, (_, _, tags) in noxfile.ENVIRONMENTS.items() if "nightly" in tags}
    assert nightly == {"keras-nightly-tensorflow", "keras-nightly-jax", "keras-nightly-torch", "tf-keras-nightly"}


def test_the_quick_matrix_runs_the_oldest_release_and_the_newest_on_each_backend(noxfile):
    quick = {name for name, (_, _, tags) in noxfile.ENVIRONMENTS.items() if "quick" in tags}
    assert {"keras-3.0.0-tensorflow-2.16.2", "keras-3.15.1-jax", "keras-3.15.1-torch", "tf-keras-2.21.0"} <= quick


def test_the_full_matrix_runs_the_oldest_release_and_every_minor_releases_last_patch(noxfile):
    full = {name.split("-")[1] for name, (_, _, tags) in noxfile.ENVIRONMENTS.items()
            if "full" in tags and "-tensorflow-" in name and name.startswith("keras-3")}
    assert full == {"3.0.0", *(patches[-1] for patches in noxfile.KERAS_3_RELEASES.values())}


def test_every_release_has_an_environment_for_bisect(noxfile):
    releases = {name.split("-")[1] for name, (_, _, tags) in noxfile.ENVIRONMENTS.items() if "releases" in tags}
    assert releases == {version for patches in noxfile.KERAS_3_RELEASES.values() for version in patches}
