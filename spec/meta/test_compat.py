"""The compatibility table: each Keras API the suite relies on is found under its newest name, under an older one
where only that is there, and where none is, the statement needing it is skipped with a reason that says what is
stated less. No module of the suite calls these APIs except through the table."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from rnnspec import installation
from rnnspec.installation import compat

pytestmark = pytest.mark.meta

ROOT = Path(__file__).parents[2]


class Layer:
    def __init__(self, units, use_cudnn="auto"):
        pass


class LayerBefore32:
    def __init__(self, units):
        pass


def dtype_policy():
    return "new"


def mixed_precision_dtype_policy():
    return "old"


def fake_keras(version: str, **modules):
    """A stand-in `keras` module holding only what is given."""
    return SimpleNamespace(__version__=version, **modules)


KERAS_3_0_0 = fake_keras(
    "3.0.0", config=SimpleNamespace(), layers=SimpleNamespace(LSTM=LayerBefore32),
    mixed_precision=SimpleNamespace(dtype_policy=mixed_precision_dtype_policy))
KERAS_3_15 = fake_keras(
    "3.15.1", config=SimpleNamespace(dtype_policy=dtype_policy), layers=SimpleNamespace(LSTM=Layer),
    mixed_precision=SimpleNamespace(dtype_policy=mixed_precision_dtype_policy), device=object())


@pytest.mark.skipif(installation.is_keras_2(), reason="the table lists Keras 3's APIs; tf_keras is read as such")
@pytest.mark.parametrize("name", list(compat.APIS))
def test_the_installed_keras_has_every_api_of_the_table(name):
    assert compat.find(name, installation.keras()) is not None, compat.APIS[name].reason(
        installation.current().keras_version)


def test_the_newest_name_is_used_where_it_is_there():
    assert compat.find("dtype_policy", KERAS_3_15) is dtype_policy
    assert compat.find("LSTM(use_cudnn)", KERAS_3_15) is True


def test_an_older_name_is_used_where_only_it_is_there():
    assert compat.find("dtype_policy", KERAS_3_0_0) is mixed_precision_dtype_policy


def test_a_missing_api_skips_the_statement_saying_what_is_stated_less():
    assert compat.find("device", KERAS_3_0_0) is None and compat.find("LSTM(use_cudnn)", KERAS_3_0_0) is None
    with pytest.raises(pytest.skip.Exception) as skipped:
        compat.require("device", KERAS_3_0_0)
    reason = str(skipped.value)
    assert "Keras 3.0.0 has no keras.device" in reason and "Keras 3.0.1 added it" in reason
    assert compat.APIS["device"].without in reason


def test_an_api_that_is_there_is_returned_by_require():
    assert compat.require("dtype_policy", KERAS_3_0_0) is mixed_precision_dtype_policy


def suite_sources():
    """The suite's own modules (not its meta-tests, which test it on the reference installation)."""
    for path in sorted([*ROOT.glob("rnnspec/*.py"), *ROOT.glob("spec/*.py")]):
        if path.name != "compat.py":
            yield path


def test_the_suite_reaches_the_apis_of_the_table_only_through_it():
    """A direct call of an API in the table would error on a Keras without it: say `compat.require` instead."""
    direct = [  # keras.device(...), config.dtype_policy(...) whatever holds the config; not `quoted` in a sentence
        re.compile((r"(?<!`)\bkeras(?:\(\))?\." if "." not in path else r"\b") + re.escape(path) + r"\(")
        for api in compat.APIS.values() for path in api.paths if "(" not in path
    ]
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in suite_sources()
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if any(pattern.search(line) for pattern in direct)]
    assert not found, "Keras APIs of rnnspec.installation.compat called directly:\n" + "\n".join(found)


def test_the_suite_uses_no_keras_tree():
    """`keras.tree` is not in Keras 3.0 nor in tf_keras: the suite walks its nested arguments with its own
    `rnnspec.probes.compiled.leaves` and `refilled` (a call of keras.tree errored on every compiled case there)."""
    uses = re.compile(r"(?<!`)\bkeras(?:\(\))?\.tree\.")
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in suite_sources()
             for number, line in enumerate(path.read_text().splitlines(), 1) if uses.search(line)]
    assert not found, "keras.tree used:\n" + "\n".join(found)


def test_nested_arguments_are_refilled_in_the_order_of_their_leaves():
    from rnnspec.probes.compiled import leaves, refilled

    structure = ("x", {"mask": "m", "initial_state": ["h", "c"], "training": None})
    assert leaves(structure) == ["x", "h", "c", "m", None]  # a dict by its sorted keys
    assert refilled(structure, [1, 2, 3, 4, 5]) == (1, {"initial_state": [2, 3], "mask": 4, "training": 5})
