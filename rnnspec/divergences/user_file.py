"""Known divergences of a user's own installation, from a TOML file (`pytest spec --known-divergences FILE`): rows in
the table's own form, applied as the table's are (strict xfails), and reported where they match no case.

    [[divergence]]
    statements = ["test_masking.py::test_a_masked_call_equals_the_reference"]
    where = { cell = "GRU", mask = "mid_sequence" }  # the case's parameters, its subject's or probe's fields, or
                                                     # layer options, as `case_has` reads them; none: every case
    backend = "jax"                                  # tensorflow, jax or torch; none: every backend
    reason = "our image's GRU ignores the mask mid-sequence"
    link = "https://github.com/keras-team/keras/issues/..."   # optional
"""

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from rnnspec.divergences.conditions import BACKEND_NAMES, EVERY_KERAS, case_has, on_backend
from rnnspec.divergences.table import Divergence

KEYS = {"statements", "where", "backend", "reason", "link"}


class FileError(ValueError):
    """A file of known divergences that cannot be used; the message says where and why."""


def load(path: Path) -> tuple[Divergence, ...]:
    try:
        rows = tomllib.loads(path.read_text()).get("divergence", [])
    except FileNotFoundError:
        raise FileError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as error:
        raise FileError(f"{path} is not TOML: {error}") from None
    return tuple(divergence(path, number, row) for number, row in enumerate(rows, 1))


def divergence(path: Path, number: int, row: dict) -> Divergence:
    where = f"{path}, divergence {number}"
    unknown = set(row) - KEYS
    if unknown:
        raise FileError(f"{where}: unknown keys {sorted(unknown)}; a row has {sorted(KEYS)}")
    statements, reason = row.get("statements"), row.get("reason")
    if not statements or not all(isinstance(s, str) and s.count("::") == 1 for s in statements) or not reason:
        raise FileError(f'{where}: needs statements ["test_chapter.py::test_name", ...] and a reason')
    condition = EVERY_KERAS
    if row.get("backend"):
        if row["backend"] not in BACKEND_NAMES:
            raise FileError(f"{where}: backend {row['backend']!r} is none of {sorted(BACKEND_NAMES)}")
        condition = condition & on_backend(row["backend"])
    if row.get("where"):
        condition = condition & case_has(**row["where"])
    return Divergence(
        tuple(statements), condition, reason, seen_on=path.name, reproducer=f"{path.name}#{number}",
        upstream=(row["link"],) if row.get("link") else (),
    )
