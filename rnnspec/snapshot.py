"""Behaviour snapshots: what an installation's layers return for the catalogue, recorded to a file and compared
with another installation's, so that an upgrade that changes anything shows up, even what no statement covers.

A snapshot is a NumPy `.npz` file: for every configuration (on the CPU, fixed seeded weights and inputs) the
container the call returned, and each returned tensor's shape, dtype and values; plus the installation it came
from. `python -m rnnspec.snapshot A.npz B.npz` compares two files.
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnspec import installation
from rnnspec.configs import CALL_PATHS, CELLS, SHAPES, LayerConfig
from rnnspec.tolerances import SNAPSHOT, Tolerance

FORMAT = "rnnspec-snapshot-1"
CONFIGS = [
    LayerConfig(cell, sequences, state, "cpu", SHAPES[shape], path)
    for cell in CELLS for sequences in (False, True) for state in (False, True) for shape in SHAPES for path in CALL_PATHS
]


class SnapshotError(Exception):
    """A snapshot that cannot be used; the message says what to do."""


def key(config: LayerConfig) -> str:
    return f"{config.cell}-sequences={config.return_sequences}-state={config.return_state}-{config.shape.name}-{config.call_path}"


@dataclass
class Snapshot:
    installation: str
    entries: dict  # key -> {"container": str, "dtypes": [...], "values": [arrays]}


def container_name(container: type) -> str:
    return container.__name__ if container in (tuple, list) else "tensor"


def record(observations) -> Snapshot:
    entries = {
        key(o.config): {"container": container_name(o.container), "dtypes": list(o.dtypes), "values": list(o.arrays)}
        for o in observations
    }
    return Snapshot(installation.current().describe(), entries)


def save(snapshot: Snapshot, path: Path) -> None:
    meta = {"format": FORMAT, "installation": snapshot.installation,
            "entries": {k: {"container": e["container"], "dtypes": e["dtypes"]} for k, e in snapshot.entries.items()}}
    arrays = {f"{k}/{i}": value for k, e in snapshot.entries.items() for i, value in enumerate(e["values"])}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        np.savez_compressed(file, meta=np.array(json.dumps(meta)), **arrays)


def load(path: Path) -> Snapshot:
    again = "record it with `pytest spec/test_snapshot.py --snapshot-update` (add --snapshot=PATH for another file)"
    if not path.exists():
        raise SnapshotError(f"there is no snapshot at {path}; {again}")
    try:
        with np.load(path, allow_pickle=False) as saved:
            meta = json.loads(str(saved["meta"]))
            if meta.get("format") != FORMAT:
                raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT!r}")
            entries = {
                k: {**e, "values": [saved[f"{k}/{i}"] for i in range(len(e["dtypes"]))]}
                for k, e in meta["entries"].items()
            }
    except Exception as error:
        raise SnapshotError(f"{path} is not a snapshot rnnspec can read ({error}); {again}") from None
    return Snapshot(meta["installation"], entries)


def differences(reference: Snapshot, current: Snapshot, tolerance: Tolerance = SNAPSHOT) -> list[str]:
    """Each configuration whose behaviour changed, and how: structure, shape, dtype, or values beyond tolerance."""
    found = [f"{k}: not in the current installation's snapshot" for k in reference.entries.keys() - current.entries.keys()]
    found += [f"{k}: not in the reference snapshot" for k in current.entries.keys() - reference.entries.keys()]
    for k in sorted(reference.entries.keys() & current.entries.keys()):
        before, after = reference.entries[k], current.entries[k]
        if (before["container"], len(before["values"])) != (after["container"], len(after["values"])):
            found.append(f"{k}: structure {before['container']} of {len(before['values'])} became "
                         f"{after['container']} of {len(after['values'])}")
            continue
        for index, (was, now, was_dtype, now_dtype) in enumerate(
            zip(before["values"], after["values"], before["dtypes"], after["dtypes"])
        ):
            what = f"{k}: tensor {index}"
            if was.shape != now.shape:
                found.append(f"{what}: shape {was.shape} became {now.shape}")
            elif was_dtype != now_dtype:
                found.append(f"{what}: dtype {was_dtype} became {now_dtype}")
            elif not np.allclose(now, was, rtol=tolerance.rtol, atol=tolerance.atol):
                gap = np.abs(now.astype(np.float64) - was.astype(np.float64))
                worst = np.unravel_index(np.argmax(gap), gap.shape)
                found.append(f"{what}: values moved by up to {gap[worst]:.3g} at {tuple(int(i) for i in worst)} "
                             f"({was[worst]!r} -> {now[worst]!r}; allowed {tolerance})")
    return found


def main(reference_path: str, current_path: str) -> int:
    reference, current = load(Path(reference_path)), load(Path(current_path))
    found = differences(reference, current)
    print(f"reference: {reference.installation}\ncurrent:   {current.installation}")
    print("\n".join(found) if found else "no behaviour changed")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
