"""pytest-cases on the installed pytest, through rnnspec.plugin.pytest_cases_compat (smarie/python-pytest-cases#385):
case functions collect with the ids pytest 9.0 gave them, and the shim acts from pytest 9.1 on only."""

import _pytest.python
import pytest
import pytest_cases.common_pytest

from rnnspec.plugin import pytest_cases_compat

pytestmark = pytest.mark.meta

CASES = """
from pytest_cases import THIS_MODULE, parametrize, parametrize_with_cases


def case_plain():
    return 1


@parametrize(n=(2, 3))
def case_twice(n):
    return n


@parametrize_with_cases("x", cases=THIS_MODULE)
def test_x(x):
    assert x in (1, 2, 3)
"""

IDS = ["test_cases.py::test_x[plain]", "test_cases.py::test_x[twice-n=2]", "test_cases.py::test_x[twice-n=3]"]
WITHOUT_OTHER_PLUGINS = ("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly", "-p", "no:benchmark")


def collected_ids(result) -> list[str]:
    return [line for line in result.outlines if line.startswith("test_cases.py::")]


def test_a_parametrized_case_function_collects_and_runs_with_its_ids(pytester):
    """A plain and a `@parametrize`d case function give a test per case and parameter, named as on pytest 9.0, that
    run without a warning."""
    pytester.makepyfile(test_cases=CASES)
    result = pytester.runpytest_inprocess(*WITHOUT_OTHER_PLUGINS, "-v")
    assert [line.split(" ")[0] for line in collected_ids(result)] == IDS
    result.assert_outcomes(passed=3, warnings=0)


def test_a_fresh_session_loads_pytest_cases_once_the_shim_is_named_with_p(pytester):
    """In a new interpreter, where pytest-cases loads before any conftest.py, the shim named with `-p` comes first."""
    pytester.makepyfile(test_cases=CASES)
    result = pytester.runpytest_subprocess(
        "-p", "rnnspec.plugin.pytest_cases_compat", *WITHOUT_OTHER_PLUGINS, "--collect-only", "-q"
    )
    assert collected_ids(result) == IDS, result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize("version", ["8.0.0", "9.0.3", "9.0.99"])
def test_the_shim_does_nothing_before_pytest_9_1(version, monkeypatch):
    """On a pytest older than 9.1 the shim neither imports nor patches pytest-cases."""

    def must_not_be_called(*args):
        raise AssertionError("the shim patched pytest-cases")

    for patch in ("import_pytest_cases_through_the_old_id_maker", "give_the_fake_session_what_a_fixture_def_reads",
                  "give_the_super_closure_a_list_as_before"):
        monkeypatch.setattr(pytest_cases_compat, patch, must_not_be_called)
    assert pytest_cases_compat.apply(version) is False


@pytest.mark.parametrize("version", ["9.1.0", "9.1.0.dev12", "9.2.0", "10.0.0"])
def test_the_shim_applies_from_pytest_9_1_on(version):
    """From pytest 9.1 on, dev builds included, the shim applies, leaving pytest-cases with pytest's real IdMaker."""
    assert pytest_cases_compat.shim_needed_on(version)
    assert pytest_cases_compat.APPLIED == pytest_cases_compat.shim_needed_on(pytest.__version__)
    assert pytest_cases.common_pytest.IdMaker is _pytest.python.IdMaker
