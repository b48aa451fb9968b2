"""Which collected cases run, and how their ids name them: the devices `--devices` chose (a GPU case where no GPU is
visible skipped with the reason), the cells `--cells` chose, and with `--cases=each-choice` each statement's
each-choice cover; every parameter in an id as `name=value`."""

import pytest

from rnnspec import installation
from rnnspec.installation import options
from rnnspec.plugin.command_line import CELL_NAMES, CELLS_CHOSEN, EACH_CHOICE
from rnnspec.plugin.each_choice import cover as each_choice_cover
from rnnspec.plugin.marking import statement_of
from rnnspec.statements.shared import NO_GPU


def pytest_make_parametrize_id(config, val, argname):
    """A statement's own parameters name themselves in its ids as the case catalogue's do (`method=reset_state`, not
    `reset_state`), so that an id reads the same way everywhere."""
    if isinstance(val, (str, int, float, bool, type(None))):
        return f"{argname}={val}"
    return None


def case_parameters(item) -> dict:
    """The parameters a collected test runs with, those of its case function among them (pytest-cases passes a
    parametrized case's values combined, under the case's own name)."""
    found = {}
    callspec = getattr(item, "callspec", None)
    for name, value in callspec.params.items() if callspec else ():
        if not hasattr(value, "iterparams"):
            found[name] = value
            continue
        for argnames, values in value.iterparams():
            names = [argnames] if isinstance(argnames, str) else list(argnames)
            found.update(zip(names, values if len(names) > 1 else (values,)))
    return found


def cells_of(item) -> set[str]:
    """The layers a case names as its cells (`--cells`): its cell, a stack's cells, a ConvLSTM's rank."""
    found = set()
    for name, value in case_parameters(item).items():
        if name in ("cell", "lower", "upper", "class_name") and value in CELL_NAMES:
            found.add(value)
        elif name == "cells" and isinstance(value, tuple):
            found.update(cell for cell in value if cell in CELL_NAMES)
        elif name == "rank" and isinstance(value, int):
            found.add(f"ConvLSTM{value}D")
    return found


def choices_of(item) -> set:
    """The (parameter, value) pairs a case runs with, the case function it comes from among them; values that are
    no plain data (a lazy value, a parameter the case does not use) are left out."""
    found = {(name, value) for name, value in case_parameters(item).items()
             if isinstance(value, (str, int, float, bool, type(None)))}
    callspec = getattr(item, "callspec", None)
    for name, value in callspec.params.items() if callspec else ():
        if hasattr(value, "alternative_name"):  # pytest-cases: which case function of a union the case is
            found.add((name, value.alternative_name))
    return found


def each_choice(items: list) -> tuple[list, list]:
    """(kept, left out): each statement's each-choice cover of its cases (rnnspec.plugin.each_choice), in collection
    order."""
    return each_choice_cover(items, choices_of, lambda item: statement_of(item) if isinstance(item, pytest.Function)
                             else item.nodeid)


def pytest_collection_modifyitems(config, items):
    """The catalogue holds every device: the devices not chosen with --devices are deselected here, and a GPU case
    where no GPU is visible is marked skipped with the reason (as `skip_unless_visible` would skip it once its
    fixtures were set up, which for thousands of cases costs seconds). The cases of cells `--cells` leaves out are
    deselected, and with --cases=each-choice the cases beyond each statement's each-choice cover."""
    kept, deselected = [], []
    no_gpu = None if installation.current().gpus else pytest.mark.skip(reason=NO_GPU.format(installation.current()))
    cells = config.stash.get(CELLS_CHOSEN, None)
    for item in items:
        device = case_parameters(item).get("device")  # a lazy value where a case function returns it: kept
        other_device = isinstance(device, str) and device not in options.current.devices
        other_cells = cells is not None and bool(cells_of(item)) and not cells_of(item) & cells
        (deselected if other_device or other_cells else kept).append(item)
        if device == "gpu" and no_gpu:
            item.add_marker(no_gpu)
    if config.getoption("--cases") == EACH_CHOICE:
        kept, left = each_choice(kept)
        deselected += left
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
