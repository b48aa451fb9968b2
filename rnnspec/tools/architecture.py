"""The package's layers and the imports between its modules, read from the source: what
`spec/meta/test_architecture.py` holds to (no cycle, no import from a lower layer to a higher one) and the diagram of
docs/architecture.md (`python -m rnnspec.tools.architecture --update docs/architecture.md`).

Every import counts, those inside functions too: an import hidden in a function is still a dependency.
"""

import argparse
import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # rnnspec/
# The layers, lowest first, each a sub-package of rnnspec with one job. A module may import its own layer and the
# layers below it, never one above.
LAYERS = {
    "oracle": "NumPy references of the cell equations, ConvLSTM and backpropagation through time; NumPy alone",
    "installation": "the installation under test: Keras, backend, framework, devices; the options that choose it",
    "subjects": "what is built (layers, wrappers, cells, ConvLSTM) and the probe each case carries; shapes, masks, "
    "seeded data",
    "probes": "carrying a probe out: the one observe path and its session cache; kernels and compilation recorded",
    "statements": "what statements share: assertions, tolerances, the oracle's expectations of a subject, coverage, "
    "benchmarks",
    "divergences": "the known divergences: the condition language, the table, reproducers, the README table",
    "plugin": "the pytest plugin: options, scheduling, divergence marking, reporting, fixtures",
    "tools": "the tools: snapshot, version matrix, bisect, GPU report, wheelhouse, throughput plot, this one",
}
# Scripts that are run, never imported: the reproducers import Keras and NumPy alone.
NOT_MODULES = ("divergences/reproducers",)


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module names
    imported: str
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if not any(path.relative_to(PACKAGE).as_posix().startswith(skipped) for skipped in NOT_MODULES):
            found[module_name(path)] = path
    return found


def resolved(name: str, known) -> str | None:
    """The project module an imported name is: itself, or the package it is a member of."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports() -> list[Import]:
    """Every import of a project module by a project module."""
    known = modules()
    found = []
    for importer, path in known.items():
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], *filter(None, [base])])
                targets = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                module = resolved(target, known)
                if module and module != importer and module != "rnnspec":
                    found.append(Import(importer, module, node.lineno))
    return found


def layer_of(module: str) -> str | None:
    if module == "rnnspec.__main__":  # `python -m rnnspec`, the command line
        return "tools"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def against_the_layering(found: list[Import]) -> list[Import]:
    """Imports from a lower layer of a higher one (and of a module in no layer)."""
    rank = {layer: index for index, layer in enumerate(LAYERS)}
    wrong = []
    for edge in found:
        low, high = layer_of(edge.importer), layer_of(edge.imported)
        if low is None or high is None or rank[high] > rank[low]:
            wrong.append(edge)
    return wrong


def cycles(found: list[Import]) -> list[list[str]]:
    """The import cycles between modules (Tarjan's strongly connected components of more than one module)."""
    graph: dict[str, set[str]] = {}
    for edge in found:
        graph.setdefault(edge.importer, set()).add(edge.imported)
    index, low, stack, on_stack, components, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def diagram(found: list[Import]) -> str:
    """A Mermaid graph of the layers, each with its modules, and the imports between layers (with their count)."""
    lines = ["```mermaid", "flowchart BT"]
    for layer in LAYERS:
        members = sorted(m.removeprefix(f"rnnspec.{layer}").lstrip(".") or "__init__" for m in modules() if layer_of(m) == layer)
        lines.append(f'    {layer}["<b>{layer}</b><br/>{"<br/>".join(members)}"]')
    counts: dict[tuple[str, str], int] = {}
    for edge in found:
        low, high = layer_of(edge.importer), layer_of(edge.imported)
        if low and high and low != high:
            counts[(low, high)] = counts.get((low, high), 0) + 1
    for (low, high), count in sorted(counts.items(), key=lambda item: (list(LAYERS).index(item[0][0]), item[0][1])):
        lines.append(f"    {low} -->|{count}| {high}")
    lines.append("```")
    return "\n".join(lines)


START = "<!-- generated by `python -m rnnspec.tools.architecture --update docs/architecture.md` -->"
END = "<!-- end of the generated diagram -->"


def with_diagram(text: str, generated: str) -> str:
    start, end = text.index(START) + len(START), text.index(END)
    return f"{text[:start]}\n{generated}\n{text[end:]}"


def shown_diagram(text: str) -> str:
    return text[text.index(START) + len(START) : text.index(END)].strip()


def main(argv=None, prog="python -m rnnspec.tools.architecture") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="The package's layers and the imports between them, as a Mermaid diagram.",
    )
    parser.add_argument("--update", metavar="FILE", type=Path, help="write the diagram between the markers of FILE")
    arguments = parser.parse_args(argv)
    generated = diagram(imports())
    if arguments.update:
        if not arguments.update.is_file():
            parser.error(f"{arguments.update}: no such file")
        arguments.update.write_text(with_diagram(arguments.update.read_text(), generated))
    else:
        print(generated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
