"""The machinery of the meta-tests: a statement, a breakage, and the arguments to hold one against the other."""

import inspect
from dataclasses import dataclass
from typing import Callable

import pytest

from rnnspec import installation
from rnnspec.configs import LayerConfig
from rnnspec.observe import ObservationCache, build, observe_fresh

CAUGHT = (AssertionError, pytest.fail.Exception)


@dataclass(frozen=True)
class Catch:
    statement: Callable  # a spec test function
    breakage: Callable  # breakage(monkeypatch) breaks the layers
    arguments: dict  # what the statement is called with; a `config` is observed through `observe`
    # environment(monkeypatch) sets the scene for both runs (e.g. a simulated GPU); its runs bypass the session
    # cache, so that nothing observed in a simulated scene is served to the spec itself.
    environment: Callable | None = None

    @property
    def id(self) -> str:
        config = self.arguments.get("config")
        where = config.cell if isinstance(config, LayerConfig) else "-".join(map(str, self.arguments.values()))
        return f"{self.statement.__name__}-{self.breakage.__name__}-{where}"


def build_fresh(config: LayerConfig):
    with installation.on_device(config.device):
        return build(config)


def run_statement(catch: Catch, observe, built):
    """Call the statement as pytest would, with `observe` and `built` fixtures of the meta-test's choosing."""
    statement = inspect.unwrap(catch.statement)  # pytest-cases wraps parametrized tests in fixture plumbing
    fixtures = {"observe": observe, "built": built}
    parameters = inspect.signature(statement).parameters
    fixtures = {name: value for name, value in fixtures.items() if name in parameters and name not in catch.arguments}
    statement(**catch.arguments, **fixtures)


def assert_caught(catch: Catch, monkeypatch, observation_cache) -> None:
    """The statement holds for the real layer and fails once the layer is broken (built afresh, uncached)."""
    if installation.is_keras_2():
        pytest.skip("the breakages patch Keras 3's layers and backends; the meta-tests run on Keras 3")
    if catch.environment:
        catch.environment(monkeypatch)
        observation_cache = ObservationCache()
    # The control: a statement that fails anyway proves nothing.
    run_statement(catch, observation_cache.get, observation_cache.built_for)
    catch.breakage(monkeypatch)
    try:
        run_statement(catch, observe_fresh, build_fresh)
    except CAUGHT:
        return
    pytest.fail(f"{catch.statement.__name__} passed against the layer broken by {catch.breakage.__name__}")


def assert_every_statement_caught(chapter, catches, exempt=()) -> None:
    """No statement of the chapter goes without a breakage it catches. Exempt are statements shown to fail
    otherwise: strict xfails that fail against today's Keras, or a statement with a meta-test of its own."""
    uncovered = statements_of(chapter) - {catch.statement.__name__ for catch in catches} - set(exempt)
    assert not uncovered, f"statements no meta-test breaks: {sorted(uncovered)}"


def statements_of(module) -> set[str]:
    """The test functions of a chapter (not the fixtures pytest-cases generates beside them)."""
    return {name for name, value in vars(module).items() if name.startswith("test_") and inspect.isfunction(value)}
