"""Behaviour snapshots: what an installation's layers return for the catalogue, and the gradients they give,
recorded to a file and compared with another installation's, so that an upgrade that changes anything shows up,
even what no statement covers.

A snapshot is a NumPy `.npz` file: for every configuration of the catalogue (on the CPU, fixed seeded weights and
inputs) the container the call returned, and each returned tensor's name, shape, dtype and values; for every
gradient subject of the training chapter on which the backends agree (rnnspec.probes.gradients) the same of its
gradients with respect to the inputs, the initial states and the weights; plus the installation it came from.
`python -m rnnspec.tools.snapshot A.npz B.npz` compares two files. Files of the first format, which recorded no
gradients, are still read: their values are compared, and the missing gradients reported with the advice to
re-record.
"""

import argparse
import json
import sys
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from rnnspec import installation
from rnnspec.oracle.recurrent import STATE_NAMES
from rnnspec.plugin.each_choice import cover
from rnnspec.statements.tolerances import SNAPSHOT, SNAPSHOT_GRADIENTS, Tolerance
from rnnspec.subjects.calls import CALL_PATHS, Call, Gradient
from rnnspec.subjects.layers import CELLS, LayerSubject
from rnnspec.subjects.readings import READINGS, every_backend_agrees, gradient_subject
from rnnspec.subjects.shapes import SHAPES

FORMAT = "rnnspec-snapshot-2"
WITHOUT_GRADIENTS = "rnnspec-snapshot-1"  # the first format: what layers returned, no gradients
HOW = "with `pytest spec/test_snapshot.py --snapshot-update` (add --snapshot=PATH for another file)"
RECORD, RERECORD = f"record it {HOW}", f"re-record it {HOW}"

RETURNED, GRADIENT = "returned", "gradient"  # the kinds of entry: what a call returned, or a subject's gradients
TOLERANCES = {RETURNED: SNAPSHOT, GRADIENT: SNAPSHOT_GRADIENTS}

RETURNS = [
    LayerSubject(cell, sequences, state, "cpu", SHAPES[shape], Call(path))
    for cell in CELLS for sequences in (False, True) for state in (False, True) for shape in SHAPES for path in CALL_PATHS
]
GRADIENTS = [
    subject
    for cell in CELLS for sequences in (False, True) for state in (False, True) for reading in READINGS
    for subject in [gradient_subject(cell, "cpu", reading, return_sequences=sequences, return_state=state)]
    if every_backend_agrees(subject)
]
SUBJECTS = RETURNS + GRADIENTS


def each_choice(subjects: list) -> list:
    """The subjects, of each kind (what a call returned, a gradient), that give each field of its configuration its
    every value (rnnspec.plugin.each_choice): what the snapshot compares under `--cases=each-choice`."""
    return cover(subjects, lambda subject: {(f.name, getattr(subject, f.name)) for f in fields(subject)}, type)[0]


class SnapshotError(Exception):
    """A snapshot that cannot be used; the message says what to do."""


def key(subject: LayerSubject) -> str:
    options = "".join(f"-{name}={value}" for name, value in subject.options)
    mask = f"-mask={subject.probe.mask}" if subject.probe.mask else ""
    return (
        f"{subject.cell}-sequences={subject.return_sequences}-state={subject.return_state}-{subject.shape.name}-"
        f"{subject.probe.name}{options}{mask}"
    )


@dataclass
class Snapshot:
    installation: str
    entries: dict  # key -> {"kind": str, "container": str, "names": [...], "dtypes": [...], "values": [arrays]}
    format: str = FORMAT

    @property
    def records_gradients(self) -> bool:
        return self.format != WITHOUT_GRADIENTS

    def restricted_to(self, keys) -> "Snapshot":
        """The entries of these configurations alone."""
        return Snapshot(self.installation, {k: e for k, e in self.entries.items() if k in keys}, self.format)


def container_name(container: type) -> str:
    return container.__name__ if container in (tuple, list) else "tensor"


def record(observations) -> Snapshot:
    entries = {
        key(o.subject): {
            "kind": GRADIENT if isinstance(o.subject.probe, Gradient) else RETURNED,
            "container": container_name(o.container), "names": list(o.names), "dtypes": list(o.dtypes),
            "values": list(o.arrays),
        }
        for o in observations
    }
    return Snapshot(installation.current().describe(), entries)


def save(snapshot: Snapshot, path: Path) -> None:
    described = ("kind", "container", "names", "dtypes")
    meta = {"format": FORMAT, "installation": snapshot.installation,
            "entries": {k: {part: e[part] for part in described} for k, e in snapshot.entries.items()}}
    arrays = {f"{k}/{i}": value for k, e in snapshot.entries.items() for i, value in enumerate(e["values"])}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        np.savez_compressed(file, meta=np.array(json.dumps(meta)), **arrays)


def load(path: Path) -> Snapshot:
    if not path.exists():
        raise SnapshotError(f"there is no snapshot at {path}; {RECORD}")
    try:
        with np.load(path, allow_pickle=False) as saved:
            meta = json.loads(str(saved["meta"]))
            if meta.get("format") not in (FORMAT, WITHOUT_GRADIENTS):
                raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT!r} (or {WITHOUT_GRADIENTS!r})")
            entries = {
                k: {"kind": RETURNED, "names": [f"tensor {i}" for i in range(len(e["dtypes"]))], **e,
                    "values": [saved[f"{k}/{i}"] for i in range(len(e["dtypes"]))]}
                for k, e in meta["entries"].items()
            }
    except Exception as error:
        raise SnapshotError(f"{path} is not a snapshot rnnspec can read ({error}); {RECORD}") from None
    return Snapshot(meta["installation"], entries, meta["format"])


def label(entry: dict, index: int) -> str:
    """What a recorded tensor is, in a report: `tensor 1 (h)` of what a call returned, `the gradient for kernel`, or
    `the h of the differentiated call` (a gradient subject records the values its gradient was taken from too)."""
    name = entry["names"][index]
    if entry["kind"] == GRADIENT:
        is_value = name in ("output", *STATE_NAMES["LSTM"])
        return f"the {name} of the differentiated call" if is_value else f"the gradient for {name}"
    return name if name == f"tensor {index}" else f"tensor {index} ({name})"


def differences(reference: Snapshot, current: Snapshot, tolerance: Tolerance | None = None) -> list[str]:
    """Each configuration whose behaviour changed, and how: structure, shape, dtype, or values beyond tolerance
    (each kind of entry's own, `TOLERANCES`, unless one is given). A snapshot of the first format, which recorded
    no gradients, is reported once with the advice to re-record it; the values both record are compared."""
    found, unrecorded = [], set()
    for which, snapshot, other in (("reference", reference, current), ("current", current, reference)):
        if not snapshot.records_gradients and other.records_gradients:
            unrecorded |= {k for k, e in other.entries.items() if e["kind"] == GRADIENT}
            found.append(f"the {which} snapshot is of the format {snapshot.format!r}, which records no gradients; {RERECORD}")
    found += [f"{k}: not in the current installation's snapshot"
              for k in sorted(reference.entries.keys() - current.entries.keys() - unrecorded)]
    found += [f"{k}: not in the reference snapshot" for k in sorted(current.entries.keys() - reference.entries.keys() - unrecorded)]
    for k in sorted(reference.entries.keys() & current.entries.keys()):
        before, after = reference.entries[k], current.entries[k]
        if (before["container"], len(before["values"])) != (after["container"], len(after["values"])):
            found.append(f"{k}: structure {before['container']} of {len(before['values'])} became "
                         f"{after['container']} of {len(after['values'])}")
            continue
        allowed = tolerance or TOLERANCES[after["kind"]]
        for index, (was, now, was_dtype, now_dtype) in enumerate(
            zip(before["values"], after["values"], before["dtypes"], after["dtypes"])
        ):
            what = f"{k}: {label(after, index)}"
            if was.shape != now.shape:
                found.append(f"{what}: shape {was.shape} became {now.shape}")
            elif was_dtype != now_dtype:
                found.append(f"{what}: dtype {was_dtype} became {now_dtype}")
            elif not np.allclose(now, was, rtol=allowed.rtol, atol=allowed.atol):
                gap = np.abs(now.astype(np.float64) - was.astype(np.float64))
                worst = np.unravel_index(np.argmax(gap), gap.shape)
                found.append(f"{what}: values moved by up to {gap[worst]:.3g} at {tuple(int(i) for i in worst)} "
                             f"({was[worst]!r} -> {now[worst]!r}; allowed {allowed})")
    return found


def main(argv=None, prog="python -m rnnspec.tools.snapshot") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Compare two behaviour snapshots: every configuration "
                                     "whose structure, shape, dtype or values changed (exit 1 where one did).")
    parser.add_argument("reference", type=Path, help="the snapshot recorded before (e.g. before an upgrade)")
    parser.add_argument("current", type=Path, help="the snapshot recorded after")
    arguments = parser.parse_args(argv)
    try:
        reference, current = load(arguments.reference), load(arguments.current)
    except SnapshotError as error:
        parser.error(str(error))
    found = differences(reference, current)
    print(f"reference: {reference.installation}\ncurrent:   {current.installation}")
    print("\n".join(found) if found else "no behaviour changed")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
