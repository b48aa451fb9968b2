"""The known divergences applied to the cases: a strict xfail where a row of the table (or of a user's file,
`--known-divergences`) applies, a warning for a row of the table naming no test, and the reproducers started where
their meta-test runs."""

import inspect
import warnings
from contextlib import contextmanager

import pytest

from rnnspec import installation
from rnnspec.divergences import conditions, repro, table


class StaleDivergenceWarning(pytest.PytestWarning):
    """A row of the table of known divergences names a statement that is no test: its xfail applies nowhere."""


# The rows of the table and of a file of the user's own (--known-divergences), as the run's configuration has them.
KNOWN_ROWS = pytest.StashKey()


def known_rows(config) -> tuple:
    return config.stash.get(KNOWN_ROWS, None) or table.DIVERGENCES


def statement_of(item: pytest.Function) -> str:
    return f"{item.path.name}::{item.originalname}"


def pytest_collection_modifyitems(config, items):
    """A row of the table of known divergences that names no collected statement is reported."""
    chapters = {item.path.name: item.module for item in items if isinstance(item, pytest.Function)}
    for statement in table.stale_statements(chapters):
        warnings.warn(StaleDivergenceWarning(
            f"rnnspec.divergences.table names {statement}, which is no test of the collected chapters (renamed or "
            "removed?)"
        ))


# The meta-test that runs the known divergences' reproducers, each in a process of its own (spec/meta/test_reproducers.py).
REPRODUCER_STATEMENT = "test_reproducers.py::test_a_reproducer_still_diverges_where_its_row_applies"
REPRODUCERS_RUNNING = pytest.StashKey()


def pytest_collection_finish(session):
    """Where that meta-test is collected, the reproducers that apply here start at once, in the background, one at
    a time, on the core this process leaves free. (Not in a pytest-xdist worker, which may not be given that test:
    there the meta-test runs them when it comes, while the other workers go on.)"""
    if hasattr(session.config, "workerinput"):
        return
    if any(statement_of(item) == REPRODUCER_STATEMENT for item in session.items if isinstance(item, pytest.Function)):
        here = installation.current()
        session.config.stash[REPRODUCERS_RUNNING] = repro.start_all(repro.runnable_here(here), here)


def reproducer_results(config) -> dict:
    """The results of the reproducers started as collection ended (or, where they were not, run now)."""
    started = config.stash.get(REPRODUCERS_RUNNING, None)
    here = installation.current()
    return started() if started else repro.run_all(repro.runnable_here(here), here)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    """Mark the case as a strict xfail where a row of the table of known divergences applies to it."""
    # As the call starts, because a case's arguments are known only once it is set up: pytest-cases turns a case's
    # parameters (`config`, or `cell, device`) into a fixture or a lazy value, resolved at setup. Pytest's skipping
    # plugin, having found no xfail mark at setup, evaluates the marks again in its own wrapper of the call, inside
    # this one (tryfirst), so the mark added here decides the call's outcome.
    case = conditions.Case(received_arguments(item))
    row = table.divergence_for(statement_of(item), installation.current(), case, known_rows(item.config))
    if row:
        item.add_marker(row.xfail_marker())
    return (yield)


@contextmanager
def stated_as_known(item: pytest.Function, subject):
    """Where a row of the known divergences applies to a drawn subject (chapter 15, whose cases are drawn as the test
    runs, not collected), a failure in this context as the row says is stated as that divergence (a Hypothesis
    event: --hypothesis-show-statistics counts them) and the example passes. Not strictly: a drawn example may meet
    a row's condition without showing it (a relu unit outputs zero either way); the row's reproducer, run by its
    meta-test, is what tells the day Keras is fixed. Where no row applies, the context changes nothing."""
    from hypothesis import event
    from hypothesis.errors import UnsatisfiedAssumption

    row = table.divergence_for(statement_of(item), installation.current(), conditions.Case({"subject": subject}),
                               known_rows(item.config))
    if row is None:
        yield
        return
    try:
        yield
    except UnsatisfiedAssumption:  # the configuration is set aside (`assume`), not a failure
        raise
    except row.raises or Exception:  # as pytest's xfail takes them: any exception, or the row's own
        event(f"known divergence: {row.reason}")
        return
    event(f"meets a known divergence, not shown by this example: {row.reason}")


def received_arguments(item: pytest.Function) -> dict:
    """The arguments the test function itself receives, by its own parameter names. pytest-cases shows pytest a
    wrapper whose signature has one fixture in place of a case's parameters, and unpacks that fixture's value into
    them when it calls the test; this undoes that, wrapper by wrapper. The fixtures pytest-cases makes of the cases
    themselves are left out: one may bear a parameter's name (the case `wrong` of the initial-state statements)."""
    arguments = dict(item.funcargs)
    function = item.obj
    while hasattr(function, "__wrapped__"):
        wrapped = function.__wrapped__
        outer = inspect.signature(function, follow_wrapped=False).parameters
        inner = inspect.signature(wrapped, follow_wrapped=False).parameters
        fixtures, parameters = [n for n in outer if n not in inner], [n for n in inner if n not in outer]
        if len(fixtures) == 1 and parameters:
            value = arguments.pop(fixtures[0])
            arguments.update(zip(parameters, value) if len(parameters) > 1 else [(parameters[0], value)])
        function = wrapped
    own = inspect.signature(function, follow_wrapped=False).parameters
    return {name: value for name, value in arguments.items() if name in own}
