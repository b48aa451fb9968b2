"""The Keras 3 APIs the suite relies on that not every Keras 3 release has: where each is found, release by release,
and what the suite states where none is there.

The suite never errors in its own machinery on a Keras it supports: an API found under another name is used under
that name, and one found nowhere skips the statements that need it, with the reason (`require`). The table is the
whole list; spec/meta/test_compat.py checks it against the installed Keras and its own fakes.
"""

import importlib
import inspect
from dataclasses import dataclass
from functools import reduce

import pytest


@dataclass(frozen=True)
class Api:
    name: str  # what the suite calls it
    paths: tuple[str, ...]  # where to look, from the `keras` module, newest name first
    since: str  # the first Keras 3 release where one of the paths is there
    without: str  # what the suite states less where none is

    def reason(self, keras_version: str) -> str:
        return (f"Keras {keras_version} has no {' or '.join('keras.' + p for p in self.paths)} (Keras {self.since} "
                f"added it): {self.without}")


APIS = {api.name: api for api in (
    # keras.config.dtype_policy came in 3.0.5; keras.mixed_precision has held the same functions from 3.0.0 on.
    Api("dtype_policy", ("config.dtype_policy", "mixed_precision.dtype_policy"), "3.0.0",
        "the global dtype policy cannot be read, so no statement can check it is left as found"),
    Api("set_dtype_policy", ("config.set_dtype_policy", "mixed_precision.set_dtype_policy"), "3.0.0",
        "no statement can build under a global mixed precision policy"),
    Api("device", ("device",), "3.0.1",
        "nothing can be placed on a device other than the default, and building inside keras.device is not stated"),
    Api("LSTM(use_cudnn)", ("layers.LSTM(use_cudnn)",), "3.2.0",
        "the kernel cannot be chosen with use_cudnn, so the statements about use_cudnn are not stated"),
)}


def lookup(module, path: str):
    """The attribute at `path` ("config.dtype_policy"), or a layer's keyword argument ("layers.LSTM(use_cudnn)",
    found: True); None where it is not there."""
    attribute, _, argument = path.partition("(")
    try:
        found = reduce(getattr, attribute.split("."), module)
    except AttributeError:
        return None
    if argument:
        return True if argument.rstrip(")") in inspect.signature(found.__init__).parameters else None
    return found


def find(name: str, module=None):
    """What this Keras has of the API `name` (the first of its paths there), or None."""
    module = module or importlib.import_module("keras")
    for path in APIS[name].paths:
        found = lookup(module, path)
        if found is not None:
            return found
    return None


def require(name: str, module=None):
    """The API `name`; where this Keras has none of it, the statement that needs it is skipped with the reason."""
    module = module or importlib.import_module("keras")
    found = find(name, module)
    if found is None:
        pytest.skip(APIS[name].reason(module.__version__))
    return found
