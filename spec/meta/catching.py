"""The machinery of the meta-tests: a statement, a breakage, and the arguments to hold one against the other; a
chapter and the catches that cover its statements."""

import inspect
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

import pytest

from rnnspec import installation
from rnnspec.divergences import conditions, table
from rnnspec.probes.observe import ObservationCache
from spec.meta.statement_fixtures import PROVIDERS, Scene

CAUGHT = (AssertionError, pytest.fail.Exception)


@dataclass(frozen=True)
class Catch:
    statement: Callable  # a spec test function
    breakage: Callable  # breakage(monkeypatch) breaks the layers
    arguments: dict  # what the statement is called with besides its fixtures (spec/meta/statement_fixtures.py)
    # environment(monkeypatch) sets the scene for both runs (e.g. a simulated GPU); its runs bypass the session
    # cache, so that nothing observed in a simulated scene is served to the spec itself.
    environment: Callable | None = None

    @property
    def id(self) -> str:
        subject = self.arguments.get("subject")
        if subject is None:
            where = "-".join(map(str, self.arguments.values()))
        else:  # a subject: its cell, or its cells (a stack)
            where = getattr(subject, "cell", None) or "-".join(subject.cells)
        return f"{self.statement.__name__}-{self.breakage.__name__}-{where}"


def run_statement(catch: Catch, fixture: Callable[[str], object]) -> None:
    """Call the statement as pytest would, with `fixture(name)` for each fixture it takes."""
    statement = inspect.unwrap(catch.statement)  # pytest-cases wraps parametrized tests in fixture plumbing
    parameters = inspect.signature(statement).parameters
    fixtures = {name: fixture(name) for name in parameters if name not in catch.arguments}
    statement(**catch.arguments, **fixtures)


def assert_caught(catch: Catch, monkeypatch, observation_cache, meta_test: pytest.FixtureRequest) -> None:
    """The statement holds for the real layer and fails once the layer is broken (built afresh, uncached).
    `meta_test` is the meta-test's own request, for the fixtures a statement shares with it (tmp_path)."""
    if installation.is_keras_2():
        pytest.skip("the breakages patch Keras 3's layers and backends; the meta-tests run on Keras 3")
    statement = f"{catch.statement.__module__.removeprefix('spec.')}.py::{catch.statement.__name__}"
    if row := table.divergence_for(statement, installation.current(), conditions.Case(catch.arguments)):
        pytest.skip(f"the statement is a strict xfail here (rnnspec.divergences: {row.reason}); its failure shows it")
    if catch.environment:
        catch.environment(monkeypatch)
        observation_cache = ObservationCache()
    scene = Scene(observation_cache, meta_test)
    # The control: a statement that fails anyway proves nothing.
    run_statement(catch, lambda name: PROVIDERS[name].control(scene))
    catch.breakage(monkeypatch)
    try:
        run_statement(catch, lambda name: PROVIDERS[name].broken(scene))
    except CAUGHT:
        return
    pytest.fail(f"{catch.statement.__name__} passed against the layer broken by {catch.breakage.__name__}")


@dataclass(frozen=True)
class Chapter:
    module: ModuleType  # spec/test_<name>.py
    catches: list[Catch]
    # Statements shown to fail otherwise, each with the reason: strict xfails that fail against today's Keras, or
    # a statement with a meta-test of its own.
    exempt: dict[Callable, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.module.__name__.removeprefix("spec.test_")


def assert_every_statement_caught(chapter: Chapter) -> None:
    """No statement of the chapter goes without a breakage it catches, unless it is exempt."""
    caught = {catch.statement.__name__ for catch in chapter.catches}
    exempt = {statement.__name__ for statement in chapter.exempt}
    uncovered = statements_of(chapter.module) - caught - exempt
    assert not uncovered, f"statements no meta-test breaks: {sorted(uncovered)}"


def statements_of(module) -> set[str]:
    """The test functions of a chapter (not the fixtures pytest-cases generates beside them)."""
    return {name for name, value in vars(module).items() if name.startswith("test_") and inspect.isfunction(value)}
