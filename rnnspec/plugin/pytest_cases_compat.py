"""Lets pytest-cases 3.10.1 (the newest release) run on pytest >= 9.1: smarie/python-pytest-cases#385, open,
https://github.com/smarie/python-pytest-cases/issues/385.

Why: pytest 9.1 changed three internals that pytest-cases relies on.
- `_pytest.python.IdMaker` lost its `func_name` field, so its constructor takes six arguments, no longer seven.
  `pytest_cases.common_pytest` makes one at import (`IdMaker([], [], None, None, None, None, None)._idval`, behind
  `mini_idval`): importing pytest-cases raises TypeError, and pytest stops while loading its plugins.
- `Metafunc.parametrize` makes a `DirectParamFixtureDef` on `definition.session`, reading its `config` and `nodeid`;
  the `FakeSession` of pytest-cases' `MiniMetafunc` has neither, so a `@parametrize`d case function fails to collect.
- `FuncFixtureInfo.prune_dependency_tree` assigns a generator to `names_closure[:]`, no longer a list; pytest-cases'
  `SuperClosure` finds it unequal to its names and warns on each test, "An attempt was made to reorder a super
  fixture closure with unions", though nothing is reordered.

What it patches: pytest-cases is imported while `_pytest.python.IdMaker` is an adapter that takes the old arguments,
then the real IdMaker is put back (in pytest and pytest-cases: ids are made as on pytest 9.0); `FakeSession` gets a
Session's empty `nodeid` and no `config`; `SuperClosure.__setitem__` gets a list, as from pytest 9.0. Nothing on
pytest < 9.1.

When it runs: once, on import, which must come before pytest-cases' import. pytest imports the plugins of its entry
points (pytest-cases' among them) before any conftest.py, so on pytest >= 9.1 this module must be named with `-p`,
on the command line or in pytest.ini's addopts (`-p rnnspec.plugin` does too: it loads this module first).

When it goes: when a pytest-cases release fixes #385. Then raise the pytest-cases lower bound in pyproject.toml to
that release and delete this module, with its entries in `rnnspec.plugin.pytest_plugins` and pytest.ini.
"""

import importlib
import sys
import warnings

import _pytest.python
import pytest
from packaging.version import Version

FIRST_PYTEST_THAT_PYTEST_CASES_FAILS_ON = (9, 1)


def shim_needed_on(pytest_version: str) -> bool:
    """Whether this pytest is one that pytest-cases 3.10.1 fails on: 9.1 and later, their dev builds included."""
    return Version(pytest_version).release[:2] >= FIRST_PYTEST_THAT_PYTEST_CASES_FAILS_ON


def id_maker_taking_func_name(real_id_maker):
    """IdMaker as pytest < 9.1 built it, seven arguments, `func_name` last; a real IdMaker without it comes back."""

    def id_maker(argnames, parametersets, idfn, ids, config, nodeid, func_name=None):
        return real_id_maker(argnames, parametersets, idfn, ids, config, nodeid)

    return id_maker


def import_pytest_cases_through_the_old_id_maker():
    if "pytest_cases.common_pytest" in sys.modules:
        return sys.modules["pytest_cases.common_pytest"]  # already imported: it made its IdMaker without failing
    real_id_maker = _pytest.python.IdMaker
    _pytest.python.IdMaker = id_maker_taking_func_name(real_id_maker)
    try:
        common_pytest = importlib.import_module("pytest_cases.common_pytest")
    finally:
        _pytest.python.IdMaker = real_id_maker
    common_pytest.IdMaker = real_id_maker
    return common_pytest


def give_the_fake_session_what_a_fixture_def_reads(common_pytest) -> None:
    if hasattr(common_pytest.FakeSession, "nodeid"):
        return

    class FakeSessionWithNodeid(common_pytest.FakeSession):
        __slots__ = ()
        nodeid = ""  # a Session's
        config = None

    common_pytest.FakeSession = FakeSessionWithNodeid


def give_the_super_closure_a_list_as_before(super_closure) -> None:
    set_item = super_closure.__setitem__
    if getattr(set_item, "takes_a_generator", False):
        return

    def set_item_from_a_list(self, index, names):
        return set_item(self, index, list(names) if isinstance(index, slice) else names)

    set_item_from_a_list.takes_a_generator = True
    super_closure.__setitem__ = set_item_from_a_list


def apply(pytest_version: str = pytest.__version__) -> bool:
    """Patch pytest-cases where this pytest needs it; whether it did."""
    if not shim_needed_on(pytest_version):
        return False
    with warnings.catch_warnings():
        # pytest 9.2 deprecates the name pytest-cases imports CallSpec under, a warning for its maintainers, not users
        warnings.filterwarnings("ignore", message=r"_pytest\.python\.CallSpec2 has been renamed")
        give_the_fake_session_what_a_fixture_def_reads(import_pytest_cases_through_the_old_id_maker())
        give_the_super_closure_a_list_as_before(importlib.import_module("pytest_cases.plugin").SuperClosure)
    return True


APPLIED = apply()
