"""How much of the recurrent layers' documented API the spec states, measured from Keras itself.

The items, read with `inspect` from the installed Keras for each class of CLASSES:
- arguments: the constructor's parameters, named `LSTM.dropout`, and `call`'s, named `LSTM.call(mask)`; not `self`,
  nor `**kwargs` (the base Layer's `name`, `dtype`, `trainable`, which no recurrent class documents as its own);
- methods, named `LSTM.reset_state()`: the public functions, class methods and properties that the class defines, or
  one of its recurrent bases (the Layer subclasses of Keras's `layers.rnn` package it derives from: `RNN`,
  `ConvLSTM`), less the properties that only read back a constructor argument of the same name (`LSTM.units`). A
  method every Keras layer has from `Layer` (`count_params`, `add_weight`) is Layer's contract, not the class's.

A statement says what it documents with `@documents("LSTM.dropout", "GRU.dropout")`; `{a,b}` expands, so
`@documents("{LSTM,GRU,SimpleRNN}.dropout")` says the same for the three. It may name, besides the items it
exercises directly, the same code reached through a layer: a method a layer inherits from RNN unchanged
(`LSTM.reset_state()` is `RNN.reset_state()`), an argument a layer passes on to RNN (`go_backwards`) or to the cell it
builds (`LSTM(dropout=...)` is `RNN(LSTMCell(dropout=...))`, which chapter 8 states equal). An item no statement documents is listed
in OUT_OF_SCOPE, with the reason (a pattern there may also use `*`). The meta-test (spec/meta/test_coverage.py)
fails on an item with neither, and on a declaration or entry that names no item.

    rnnspec coverage             # per class: arguments and methods stated, and out of scope
    rnnspec coverage --missing   # every item with neither a statement nor an entry
    rnnspec coverage --update docs/coverage.md   # the table between the page's markers
"""

import argparse
import fnmatch
import importlib
import inspect
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from rnnspec import installation

CLASSES = (
    "LSTM", "GRU", "SimpleRNN", "LSTMCell", "GRUCell", "SimpleRNNCell", "RNN", "Bidirectional", "StackedRNNCells",
    "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "TimeDistributed",
)
LAYERS = "{LSTM,GRU,SimpleRNN}"
CELLS = "{LSTMCell,GRUCell,SimpleRNNCell}"
CONVLSTM = "{ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}"

# Items no statement documents, each with the reason.
OUT_OF_SCOPE = {
    f"{CONVLSTM}.inner_loop()": "not documented on keras.io: the loop `call` runs, an implementation hook",
    f"{LAYERS}.inner_loop()": "not documented on keras.io: the loop `call` runs, an implementation hook",
    "RNN.inner_loop()": "not documented on keras.io: the loop `call` runs, an implementation hook",
}


def expand(pattern: str) -> list[str]:
    """`{a,b}.x` -> [`a.x`, `b.x`], every brace group expanded."""
    parts = re.split(r"\{([^{}]*)\}", pattern)
    choices = [[part] if i % 2 == 0 else part.split(",") for i, part in enumerate(parts)]
    return ["".join(combination) for combination in itertools.product(*choices)]


def documents(*patterns: str):
    """Declare the items a statement documents (`LSTM.dropout`, `LSTM.call(mask)`, `LSTM.reset_state()`)."""

    def declare(statement):
        statement.documents = tuple(name for pattern in patterns for name in expand(pattern))
        return statement

    return declare


@dataclass(frozen=True)
class Items:
    arguments: tuple[str, ...]
    methods: tuple[str, ...]


def parameters(function) -> list[str]:
    kinds = (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    return [p.name for p in inspect.signature(function).parameters.values() if p.name != "self" and p.kind not in kinds]


def recurrent_bases(cls) -> list[type]:
    layer = installation.keras().layers.Layer
    return [base for base in cls.__mro__ if base is not layer and issubclass(base, layer) and ".layers.rnn" in base.__module__]


def items_of(class_name: str) -> Items:
    """The class's items in the installed Keras (the module's rule)."""
    cls = getattr(installation.keras().layers, class_name)
    constructor = parameters(cls.__init__)
    arguments = [f"{class_name}.{name}" for name in constructor]
    arguments += [f"{class_name}.call({name})" for name in parameters(cls.call)]
    methods = set()
    for base in recurrent_bases(cls):
        for name, value in vars(base).items():
            if name.startswith("_") or (isinstance(value, property) and name in constructor):
                continue
            if inspect.isfunction(value) or isinstance(value, (classmethod, staticmethod, property)):
                methods.add(f"{class_name}.{name}()")
    return Items(tuple(arguments), tuple(sorted(methods)))


def every_item() -> dict[str, str]:
    """Every item of the installed Keras, with its kind ("arguments" or "methods")."""
    found = {}
    for class_name in CLASSES:
        if hasattr(installation.keras().layers, class_name):
            items = items_of(class_name)
            found.update({item: "arguments" for item in items.arguments})
            found.update({item: "methods" for item in items.methods})
    return found


def chapters() -> list:
    """The spec's chapter modules, spec/test_*.py."""
    folder = Path(__file__).resolve().parents[2] / "spec"
    return [importlib.import_module(f"spec.{path.stem}") for path in sorted(folder.glob("test_*.py"))]


def declarations(modules) -> dict[str, list[str]]:
    """Each declared item, with the statements (module::test) that document it."""
    found: dict[str, list[str]] = {}
    for module in modules:
        for name, value in vars(module).items():
            for item in getattr(value, "documents", ()) if name.startswith("test_") else ():
                found.setdefault(item, []).append(f"{module.__name__.removeprefix('spec.')}::{name}")
    return found


def out_of_scope_reason(item: str) -> str | None:
    for pattern, reason in OUT_OF_SCOPE.items():
        if any(fnmatch.fnmatchcase(item, expanded) for expanded in expand(pattern)):
            return reason
    return None


@dataclass(frozen=True)
class Coverage:
    items: dict[str, str]  # item -> kind
    stated: dict[str, list[str]]  # item -> statements (declarations of items that exist)
    excluded: dict[str, str]  # item -> reason (items without a statement only)
    unknown_declarations: tuple[str, ...]  # declared names that are no item here
    unknown_exclusions: tuple[str, ...]  # OUT_OF_SCOPE patterns that match no item here

    @property
    def missing(self) -> list[str]:
        return [item for item in self.items if item not in self.stated and item not in self.excluded]

    def count(self, class_name: str, kind: str) -> tuple[int, int, int]:
        """(stated, out of scope, all) items of that kind of the class."""
        mine = [item for item, k in self.items.items() if k == kind and item.split(".")[0] == class_name]
        return sum(i in self.stated for i in mine), sum(i in self.excluded for i in mine), len(mine)

    def line(self, class_name: str) -> str:
        parts = []
        for kind in ("arguments", "methods"):
            stated, excluded, total = self.count(class_name, kind)
            aside = f" ({excluded} out of scope)" if excluded else ""
            parts.append(f"{stated}/{total} {kind}{aside}")
        return f"{class_name}: {', '.join(parts)}"


def measure(modules=None) -> Coverage:
    items = every_item()
    declared = declarations(chapters() if modules is None else modules)
    stated = {item: statements for item, statements in declared.items() if item in items}
    excluded = {item: reason for item in items if item not in stated and (reason := out_of_scope_reason(item))}
    unknown_exclusions = tuple(
        pattern for pattern in OUT_OF_SCOPE
        if not any(fnmatch.fnmatchcase(item, p) for item in items for p in expand(pattern))
    )
    return Coverage(items, stated, excluded, tuple(sorted(set(declared) - set(items))), unknown_exclusions)


PAGE_START = "<!-- generated by `rnnspec coverage --update docs/coverage.md` -->"
PAGE_END = "<!-- end of the generated coverage -->"


def markdown_table(coverage: Coverage) -> str:
    lines = ["| class | arguments stated | methods stated |", "| --- | --- | --- |"]
    for class_name in CLASSES:
        cells = []
        for kind in ("arguments", "methods"):
            stated, excluded, total = coverage.count(class_name, kind)
            cells.append(f"{stated}/{total}" + (f" ({excluded} out of scope)" if excluded else ""))
        lines.append(f"| `{class_name}` | {' | '.join(cells)} |")
    return "\n".join(lines)


def main(argv=None, prog="python -m rnnspec.statements.coverage") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="The recurrent layers' API items the spec states, per class.")
    parser.add_argument("--missing", action="store_true", help="list the items with neither a statement nor an entry")
    parser.add_argument("--update", metavar="PAGE", type=Path, help="write the table between the markers of this page")
    arguments = parser.parse_args(argv)
    if arguments.update and not arguments.update.is_file():
        parser.error(f"{arguments.update}: no such file")
    coverage = measure()
    if arguments.update:
        readme = arguments.update.read_text()
        start, end = readme.index(PAGE_START) + len(PAGE_START), readme.index(PAGE_END)
        arguments.update.write_text(f"{readme[:start]}\n{markdown_table(coverage)}\n{readme[end:]}")
        return
    if arguments.missing:
        print("\n".join(coverage.missing) or "none")
        return
    print(f"{installation.current().describe()}")
    for class_name in CLASSES:
        print(coverage.line(class_name))
    print(f"neither stated nor out of scope: {len(coverage.missing)}")


if __name__ == "__main__":
    main()
