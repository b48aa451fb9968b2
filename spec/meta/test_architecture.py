"""The package's architecture holds (docs/architecture.md): its layers import only their own and those below, no
modules import each other in a cycle, the oracles import nothing of rnnspec, no chapter imports another, and the
diagram shown is the one the imports give."""

import ast
from pathlib import Path

from rnnspec.tools import architecture

ROOT = Path(__file__).resolve().parents[2]


def test_no_module_imports_a_higher_layer():
    """Every import of a project module goes to its own layer or one below (rnnspec.tools.architecture.LAYERS)."""
    wrong = architecture.against_the_layering(architecture.imports())
    assert not wrong, "imports against the layering:\n" + "\n".join(
        f"  {edge.importer} (line {edge.line}) imports {edge.imported}" for edge in wrong
    )


def test_no_modules_import_each_other_in_a_cycle():
    found = architecture.cycles(architecture.imports())
    assert not found, "import cycles: " + "; ".join(" -> ".join(cycle) for cycle in found)


def test_the_oracles_import_nothing_of_rnnspec():
    """The NumPy references are independent of the code they judge: they import NumPy and each other alone."""
    leaking = [
        edge for edge in architecture.imports()
        if architecture.layer_of(edge.importer) == "oracle" and architecture.layer_of(edge.imported) != "oracle"
    ]
    assert not leaking, f"the oracle imports {[(edge.importer, edge.imported) for edge in leaking]}"


def test_every_module_belongs_to_a_layer():
    outside = [m for m in architecture.modules() if m != "rnnspec" and architecture.layer_of(m) is None]
    assert not outside, f"modules in no layer of rnnspec.tools.architecture.LAYERS: {outside}"


def test_no_chapter_imports_a_chapter():
    """A chapter states its own behaviours; what chapters share lives in a case catalogue or in rnnspec.statements."""
    found = []
    for chapter in sorted((ROOT / "spec").glob("test_*.py")):
        for node in ast.walk(ast.parse(chapter.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            found += [f"{chapter.name} imports {name}" for name in names if name.startswith("spec.test_")]
    assert not found, "\n".join(found)


def test_the_architecture_page_shows_the_diagram_the_imports_give():
    page = (ROOT / "docs" / "architecture.md").read_text()
    assert architecture.shown_diagram(page) == architecture.diagram(architecture.imports()), (
        "docs/architecture.md's diagram is not the one the imports give; regenerate it with "
        "`python -m rnnspec.tools.architecture --update docs/architecture.md`"
    )


def test_a_cycle_and_an_import_upwards_are_found():
    """The checks above can fail: a cycle and an upward import, made up, are reported."""
    Import = architecture.Import
    made_up = [Import("rnnspec.oracle.recurrent", "rnnspec.subjects.layers", 1),
               Import("rnnspec.subjects.layers", "rnnspec.oracle.recurrent", 2)]
    assert architecture.cycles(made_up) == [["rnnspec.oracle.recurrent", "rnnspec.subjects.layers"]]
    assert architecture.against_the_layering(made_up) == [made_up[0]]
