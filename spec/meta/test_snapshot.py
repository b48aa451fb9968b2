"""The snapshot comparison reports each kind of change, and none where nothing changed; files round-trip; a
missing or unreadable snapshot says how to record one."""

import numpy as np
import pytest

from rnnspec import snapshot

pytestmark = pytest.mark.meta


def recorded(**changes) -> snapshot.Snapshot:
    entry = {"container": "tuple", "dtypes": ["float32", "float32"],
             "values": [np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4), np.ones((2, 4), "float32")]}
    return snapshot.Snapshot("an installation", {"LSTM-case": {**entry, **changes}})


def test_an_unchanged_installation_has_no_differences():
    assert snapshot.differences(recorded(), recorded()) == []


@pytest.mark.parametrize(
    "change, report",
    [
        ({"container": "list"}, "structure tuple of 2 became list of 2"),
        ({"values": [np.zeros((2, 5), "float32"), np.ones((2, 4), "float32")]}, "shape (2, 4) became (2, 5)"),
        ({"dtypes": ["float16", "float32"]}, "dtype float32 became float16"),
        ({"values": [np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4) + 1e-3, np.ones((2, 4), "float32")]},
         "values moved by up to 0.001"),
    ],
    ids=["structure", "shape", "dtype", "values"],
)
def test_each_kind_of_change_is_reported(change, report):
    found = snapshot.differences(recorded(), recorded(**change))
    assert len(found) == 1 and report in found[0], found


def test_a_configuration_missing_on_either_side_is_reported():
    empty = snapshot.Snapshot("another", {})
    assert snapshot.differences(recorded(), empty) == ["LSTM-case: not in the current installation's snapshot"]


def test_a_saved_snapshot_loads_back_identically(tmp_path):
    path = tmp_path / "s.npz"
    snapshot.save(recorded(), path)
    assert snapshot.differences(recorded(), snapshot.load(path), snapshot.Tolerance(0, 0, "exact")) == []


@pytest.mark.parametrize("content", [None, b"not a snapshot"], ids=["missing", "corrupt"])
def test_an_unusable_snapshot_says_how_to_record_one(tmp_path, content):
    path = tmp_path / "s.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(snapshot.SnapshotError, match="--snapshot-update"):
        snapshot.load(path)
