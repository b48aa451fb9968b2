"""The snapshot comparison reports each kind of change, to what a layer returned and to its gradients, and none
where nothing changed; files round-trip; a snapshot of the first format, without gradients, is still compared and
reported for re-recording; a missing or unreadable snapshot says how to record one."""

import json

import numpy as np
import pytest

from rnnspec.tools import snapshot

pytestmark = pytest.mark.meta

KERNEL = np.linspace(-2, 2, 12, dtype="float32").reshape(3, 4)


def recorded(gradient_changes=None, **changes) -> snapshot.Snapshot:
    """A snapshot of one configuration's returned output and h, and one gradient subject's gradients; the changes
    apply to the first, `gradient_changes` to the second."""
    entry = {"kind": "returned", "container": "tuple", "names": ["output", "h"], "dtypes": ["float32", "float32"],
             "values": [np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4), np.ones((2, 4), "float32")]}
    gradients = {"kind": "gradient", "container": "tuple", "names": ["inputs", "kernel"], "dtypes": ["float32", "float32"],
                 "values": [np.full((2, 3, 3), 0.5, "float32"), KERNEL]}
    return snapshot.Snapshot("an installation", {
        "LSTM-case": {**entry, **changes}, "LSTM-gradient-case": {**gradients, **(gradient_changes or {})},
    })


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


def test_a_changed_gradient_is_reported_by_what_it_is_the_gradient_for():
    found = snapshot.differences(recorded(), recorded({"values": [np.full((2, 3, 3), 0.5, "float32"), KERNEL + 1e-3]}))
    assert len(found) == 1 and found[0].startswith("LSTM-gradient-case: the gradient for kernel: values moved by up to 0.001"), found


def test_gradients_are_compared_within_their_own_tolerance():
    """Within SNAPSHOT_GRADIENTS, a gradient has not changed; beyond it, it has."""
    within = snapshot.SNAPSHOT_GRADIENTS.atol / 2
    beyond = 2 * (snapshot.SNAPSHOT_GRADIENTS.atol + snapshot.SNAPSHOT_GRADIENTS.rtol * np.abs(KERNEL).max())
    for step, changed in ((within, False), (beyond, True)):
        moved = {"values": [np.full((2, 3, 3), 0.5, "float32"), KERNEL + np.float32(step)]}
        assert bool(snapshot.differences(recorded(), recorded(moved))) == changed, step


def test_a_configuration_missing_on_either_side_is_reported():
    empty = snapshot.Snapshot("another", {})
    assert snapshot.differences(recorded(), empty) == [
        "LSTM-case: not in the current installation's snapshot",
        "LSTM-gradient-case: not in the current installation's snapshot",
    ]


def write_first_format(path, entries: dict) -> None:
    """A snapshot file as rnnspec wrote it before gradients were recorded (format rnnspec-snapshot-1)."""
    meta = {"format": "rnnspec-snapshot-1", "installation": "an older rnnspec",
            "entries": {k: {"container": e["container"], "dtypes": e["dtypes"]} for k, e in entries.items()}}
    arrays = {f"{k}/{i}": value for k, e in entries.items() for i, value in enumerate(e["values"])}
    np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)


def test_a_snapshot_without_gradients_is_compared_and_reported_for_re_recording(tmp_path):
    """A file of the first format is read: what it recorded is compared, a change still named, and the gradients
    it lacks are reported once, with the advice to re-record it."""
    path = tmp_path / "old.npz"
    returned = recorded().entries["LSTM-case"]
    write_first_format(path, {"LSTM-case": {**returned, "values": [returned["values"][0] + 1e-3, returned["values"][1]]}})
    old = snapshot.load(path)
    assert not old.records_gradients
    found = snapshot.differences(old, recorded())
    assert len(found) == 2, found
    assert "reference snapshot is of the format 'rnnspec-snapshot-1', which records no gradients; re-record it" in found[0]
    assert "--snapshot-update" in found[0]
    assert found[1].startswith("LSTM-case: tensor 0 (output): values moved by up to 0.001"), found


def test_a_saved_snapshot_loads_back_identically(tmp_path):
    path = tmp_path / "s.npz"
    snapshot.save(recorded(), path)
    loaded = snapshot.load(path)
    assert snapshot.differences(recorded(), loaded, snapshot.Tolerance(0, 0, "exact")) == []
    assert loaded.entries["LSTM-gradient-case"]["names"] == ["inputs", "kernel"]


@pytest.mark.parametrize("content", [None, b"not a snapshot"], ids=["missing", "corrupt"])
def test_an_unusable_snapshot_says_how_to_record_one(tmp_path, content):
    path = tmp_path / "s.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(snapshot.SnapshotError, match="--snapshot-update"):
        snapshot.load(path)


def test_under_each_choice_the_snapshot_compares_every_value_of_every_field_of_each_kind():
    """--cases=each-choice compares a few of the snapshot's configurations: of each kind, every field of theirs
    (cell, flags, shape, call path, reading, mask, ...) takes its every value among them."""
    kept = snapshot.each_choice(snapshot.SUBJECTS)
    assert len(kept) < len(snapshot.SUBJECTS) / 4
    for kind in {type(subject) for subject in snapshot.SUBJECTS}:
        def values(subjects, kind=kind):
            return {(name, value) for s in subjects if type(s) is kind for name, value in vars(s).items()}
        assert values(kept) == values(snapshot.SUBJECTS), kind.__name__
