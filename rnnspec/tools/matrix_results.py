"""The version matrix's recorded results, kept chapter by chapter (the standard library only: the noxfile imports it).

Each environment's results live in `.nox-results/ENVIRONMENT/`: a JUnit XML file per chapter, with the digest of
all that chapter's results depend on beside it: the installation, the arguments, the configuration, and the project's
modules a run of the chapter imports (from the chapter and the plugin conftest.py loads, followed import by import:
the one observe path, the case catalogues it uses, the chapters it imports), with the data they read. The suite is
deterministic, so a chapter whose digest is unchanged has the same results: a rerun (`nox -R`) runs only the chapters
whose digest changed (a change to a chapter or to a case catalogue: the chapters that import it; to the one observe
path: every chapter; to the report: none), and merges every chapter's results into `.nox-results/ENVIRONMENT.xml`,
the file the report reads.
"""

import ast
import hashlib
from pathlib import Path
from xml.etree import ElementTree

CONFIGURATION = ("conftest.py", "pytest.ini", "pyproject.toml")  # what every run reads
PACKAGES = ("rnnspec", "spec")  # the project's own, whose modules imports are followed into
# Data a module reads: a chapter whose run imports the module depends on the data too.
DATA_READ_BY = {"rnnspec/tools/snapshot.py": "snapshots", "rnnspec/divergences/repro.py": "rnnspec/divergences/reproducers"}
# What `python -m rnnspec.divergences.repro --run` runs: the runner and the reproducers, scripts it finds in their folder.
REPRODUCERS = ("rnnspec/divergences/repro.py", "rnnspec/divergences/reproducers")


def files_under(paths) -> list[Path]:
    found = [p for top in map(Path, paths) for p in ([top] if top.is_file() else sorted(top.rglob("*")))]
    return sorted(p for p in found if p.is_file() and "__pycache__" not in p.parts)


def digest(*parts: str, files=()) -> str:
    hashed = hashlib.sha256("\n".join(parts).encode())
    for path in files:
        hashed.update(str(path).encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()


def chapters(spec: Path = Path("spec")) -> list[Path]:
    return sorted(spec.glob("test_*.py"))


def imported_by(module: Path, root: Path = Path(".")) -> set[Path]:
    """The project's modules a module imports (by `import` or `from ... import`, relative or not, at any depth of its
    code, and the plugins a conftest.py names)."""
    names, package = set(), module.resolve().relative_to(root.resolve()).parent.parts  # what `from .` names
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = [*package[:len(package) + 1 - node.level], node.module] if node.level else [node.module]
            name = ".".join(part for part in base if part)
            names |= {name, *(f"{name}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytest_plugins" for t in node.targets):
            names |= {element.value for element in ast.walk(node.value)  # the plugins conftest.py loads
                      if isinstance(element, ast.Constant) and isinstance(element.value, str)}
    parts = {tuple(name.split(".")) for name in names if name.split(".")[0] in PACKAGES}
    found = {root.joinpath(*name[:end]) for name in parts for end in range(1, len(name) + 1)}  # packages too
    return {path for name in found for path in (name.with_suffix(".py"), name / "__init__.py") if path.is_file()}


def reached_from(modules, root: Path = Path("."), parsed: dict | None = None) -> set[Path]:
    """The modules given and the project's modules they import, and those import, and so on. `parsed` keeps each
    module's imports between calls (the chapters share most of theirs)."""
    parsed = {} if parsed is None else parsed
    reached, waiting = set(), list(modules)
    while waiting:
        module = waiting.pop()
        if module not in reached:
            reached.add(module)
            if module not in parsed:
                parsed[module] = imported_by(module, root)
            waiting += parsed[module]
    return reached


def reproducers_key(installation: str, arguments: list[str], root: Path = Path(".")) -> str:
    """The digest of what the reproducers' record depends on: the runner, the reproducers and the project's modules
    they import (the table of known divergences among them), not the spec's machinery, whose change reruns every
    chapter but no reproducer."""
    started = [path for path in files_under(root / name for name in REPRODUCERS) if path.suffix == ".py"]
    return digest(installation, *arguments, files=sorted(reached_from(started, root)))


def depends_on(chapter: Path, root: Path = Path("."), parsed: dict | None = None) -> list[Path]:
    """The files a run of the chapter reads: the configuration, the modules it imports from conftest.py and the
    chapter on, and the data those read. (An import by a name computed at run time would not be seen; the spec's
    runs import the project's modules by name: `importlib` serves only rnnspec.statements.coverage's own command.)"""
    modules = reached_from([root / "conftest.py", chapter], root, parsed)
    data = [root / folder for module, folder in DATA_READ_BY.items() if root / module in modules]
    return sorted({*files_under(root / name for name in CONFIGURATION if (root / name).exists()), *modules,
                   *files_under(data)})


def chapter_keys(installation: str, arguments: list[str], chosen: list[Path]) -> dict[Path, str]:
    """Each chosen chapter's digest: equal digests, equal results."""
    parsed = {}
    return {chapter: digest(installation, *arguments, files=depends_on(chapter, parsed=parsed)) for chapter in chosen}


class Recorded:
    """One environment's recorded results: RESULTS/ENVIRONMENT/CHAPTER.xml and .key, and the merged
    RESULTS/ENVIRONMENT.xml."""

    def __init__(self, results: Path, environment: str):
        self.folder = Path(results, environment)
        self.merged = Path(results, f"{environment}.xml")

    def _paths(self, chapter: Path) -> tuple[Path, Path]:
        return self.folder / f"{chapter.stem}.xml", self.folder / f"{chapter.stem}.key"

    def stale(self, keys: dict[Path, str]) -> list[Path]:
        """The chapters without results under their digest: those to run."""
        def current(chapter):
            results, key = self._paths(chapter)
            return results.is_file() and key.is_file() and key.read_text() == keys[chapter]
        return [chapter for chapter in keys if not current(chapter)]

    def store(self, junit: Path, keys: dict[Path, str]) -> None:
        """Split a run's JUnit XML into its chapters' files, each with its digest."""
        root = ElementTree.parse(junit).getroot()
        suite = root if root.tag == "testsuite" else root.find("testsuite")
        properties = suite.find("properties")
        self.folder.mkdir(parents=True, exist_ok=True)
        for chapter, key in keys.items():
            cases = [case for case in suite.iter("testcase")
                     if case.get("classname", "").split(".")[:2] == ["spec", chapter.stem]]
            results, key_path = self._paths(chapter)
            key_path.unlink(missing_ok=True)
            write_suite(results, properties, cases)
            key_path.write_text(key)

    def merge(self, chosen: list[Path]) -> None:
        """The chosen chapters' results in one file, with the newest chapter's properties (the installation)."""
        files = [self._paths(chapter)[0] for chapter in chosen]
        suites = [ElementTree.parse(path).getroot().find("testsuite") for path in files]
        newest = max(range(len(files)), key=lambda i: files[i].stat().st_mtime)
        write_suite(self.merged, suites[newest].find("properties"), [c for s in suites for c in s.iter("testcase")])


def write_suite(path: Path, properties, cases: list) -> None:
    root = ElementTree.Element("testsuites")
    suite = ElementTree.SubElement(root, "testsuite", name="pytest", tests=str(len(cases)))
    if properties is not None:
        suite.append(properties)
    suite.extend(cases)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
