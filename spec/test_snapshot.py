"""Chapter 10. The behaviour snapshot: nothing else changed.

The statements of the other chapters say what must hold. This one says that nothing observable changed against
a recorded installation: for every configuration of the catalogue on the CPU, the returned structure, shapes,
dtypes and values (within `rnnspec.statements.tolerances.SNAPSHOT`), and for the training chapter's gradient subjects the
gradients with respect to the inputs, the initial states and the weights (within `SNAPSHOT_GRADIENTS`). The
project ships the snapshot of its reference installation (`snapshots/reference.npz`, named in its header);
`--snapshot=PATH` compares with another file, and `--snapshot-update` records this installation to it instead
(the only way a snapshot is ever written).
"""

import pytest

from rnnspec.plugin.command_line import EACH_CHOICE
from rnnspec.tools import snapshot


def test_behaviour_matches_the_snapshot(observe, snapshot_path, request):
    """Every configuration of the catalogue returns what the snapshot recorded, and gives the gradients it recorded:
    the same structure, shapes and dtypes, and values within the snapshot tolerances. (Under --cases=each-choice,
    the configurations that give each of their fields its every value; a snapshot is always recorded whole.)"""
    update = request.config.getoption("--snapshot-update")
    each_choice = request.config.getoption("--cases") == EACH_CHOICE and not update
    subjects = snapshot.each_choice(snapshot.SUBJECTS) if each_choice else snapshot.SUBJECTS
    current = snapshot.record(observe(subject) for subject in subjects)
    if update:
        snapshot.save(current, snapshot_path)
        pytest.skip(f"recorded this installation's behaviour to {snapshot_path}; nothing was compared")
    try:
        reference = snapshot.load(snapshot_path)
    except snapshot.SnapshotError as error:
        pytest.fail(str(error), pytrace=False)
    if each_choice:
        reference = reference.restricted_to(current.entries)
    changed = snapshot.differences(reference, current)
    assert not changed, (
        f"{len(changed)} differences from the snapshot {snapshot_path}\n  recorded on: {reference.installation}\n"
        f"  compared on: {current.installation}\n  " + "\n  ".join(changed)
    )
