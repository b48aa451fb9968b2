"""The project's noxfile as a module, loaded once per process: loading it again would register its sessions with nox
a second time (which nox warns of, and will refuse)."""

import importlib.util
from functools import cache
from pathlib import Path

import pytest


@cache
def loaded():
    spec = importlib.util.spec_from_file_location("noxfile", Path(__file__).parents[2] / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def noxfile():
    """The noxfile, or a skip where nox is not installed."""
    if importlib.util.find_spec("nox") is None:
        pytest.skip('nox is not installed (pip install -e ".[dev]")')
    return loaded()
