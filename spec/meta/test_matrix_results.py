"""The version matrix reuses a chapter's recorded results only while all they depend on is unchanged
(rnnspec.tools.matrix_results), and the report reads every chapter's results merged."""

from pathlib import Path

import pytest

from rnnspec.tools import matrix_results, version_matrix

pytestmark = pytest.mark.meta
INSTALLATION, ARGUMENTS = "python 3.11.9 keras==3.15.1", ["--keras-backend=jax"]


@pytest.fixture
def suite(tmp_path, monkeypatch):
    """A suite of three chapters (b imports a, a imports a case catalogue, c the snapshot's module), the plugin
    conftest.py loads, the one observe path it imports, the snapshot's data, and a tool no run imports."""
    files = {
        "conftest.py": 'pytest_plugins = ["rnnspec.plugin", "pytester"]\n',
        "pytest.ini": "[pytest]\n",
        "rnnspec/__init__.py": "",
        "rnnspec/plugin/__init__.py": "from rnnspec.probes import observe\n",
        "rnnspec/probes/observe.py": "CACHE = {}\n",
        "rnnspec/tools/snapshot.py": "FORMAT = 1\n",
        "rnnspec/tools/version_matrix.py": "TITLE = 'Version matrix'\n",
        "snapshots/reference.npz": "recorded\n",
        "spec/cases.py": "CELLS = ['LSTM']\n",
        "spec/test_a.py": "from spec.cases import CELLS\ndef test_a(): pass\n",
        "spec/test_b.py": "from spec.test_a import test_a\ndef test_b(): pass\n",
        "spec/test_c.py": "from rnnspec.tools import snapshot\ndef test_c(): pass\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def keys(installation=INSTALLATION, arguments=ARGUMENTS) -> dict[str, str]:
    return {chapter.stem: key for chapter, key in
            matrix_results.chapter_keys(installation, arguments, matrix_results.chapters()).items()}


def changed(before: dict, after: dict) -> set[str]:
    return {chapter for chapter in before if before[chapter] != after[chapter]}


def test_a_change_to_a_chapter_runs_it_and_the_chapters_importing_it_again(suite):
    before = keys()
    assert before == keys()
    (suite / "spec" / "test_a.py").write_text("def test_a(): assert False\n")
    assert changed(before, keys()) == {"test_a", "test_b"}
    before = keys()
    (suite / "spec" / "test_c.py").write_text("def test_c(): assert False\n")
    assert changed(before, keys()) == {"test_c"}


@pytest.mark.parametrize("change", ["installation", "arguments", "the one observe path", "configuration"])
def test_a_change_to_what_every_chapter_depends_on_runs_them_all_again(suite, change):
    before = keys()
    if change == "the one observe path":  # imported by the plugin conftest.py loads
        (suite / "rnnspec" / "probes" / "observe.py").write_text("CACHE = None\n")
    if change == "configuration":
        (suite / "pytest.ini").write_text("[pytest]\nxfail_strict = true\n")
    after = keys(INSTALLATION.replace("3.15.1", "3.15.0") if change == "installation" else INSTALLATION,
                 ["--keras-backend=torch"] if change == "arguments" else ARGUMENTS)
    assert changed(before, after) == {"test_a", "test_b", "test_c"}


@pytest.mark.parametrize(("changed_file", "rerun"), [("spec/cases.py", {"test_a", "test_b"}),
                                                      ("snapshots/reference.npz", {"test_c"})])
def test_a_change_to_a_case_catalogue_or_data_runs_the_chapters_that_read_it_again(suite, changed_file, rerun):
    """A case catalogue is read by the chapters that import it (and theirs); the snapshot's data by the chapters
    that import the module reading it."""
    before = keys()
    (suite / changed_file).write_text("changed\n")
    assert changed(before, keys()) == rerun


def test_a_module_imported_relatively_is_followed_too(suite):
    """`from ..probes import observe` and `from ..probes.observe import CACHE` in rnnspec/plugin/__init__.py reach
    rnnspec/probes/observe.py as an absolute import does."""
    for text in ("from ..probes import observe\n", "from ..probes.observe import CACHE\n"):
        (suite / "rnnspec" / "plugin" / "__init__.py").write_text(text)
        before = keys()
        (suite / "rnnspec" / "probes" / "observe.py").write_text(f"CACHE = {text!r}\n")
        assert changed(before, keys()) == {"test_a", "test_b", "test_c"}, text


def test_a_change_to_the_matrix_s_own_tools_runs_nothing_again(suite):
    before = keys()
    (suite / "rnnspec" / "tools" / "version_matrix.py").write_text("TITLE = 'The version matrix'\n")
    assert changed(before, keys()) == set()


def test_the_reproducers_run_again_when_what_they_import_changes_not_when_the_spec_s_machinery_does(suite):
    """The reproducers' record is kept under a digest of the runner, the reproducers and the project's modules they
    import, and of the installation: a change to a module they do not import (the one observe path) reruns every
    chapter but no reproducer."""
    (suite / "rnnspec" / "divergences" / "reproducers").mkdir(parents=True)
    (suite / "rnnspec" / "divergences" / "repro.py").write_text("from rnnspec.divergences.table import DIVERGENCES\n")
    (suite / "rnnspec" / "divergences" / "table.py").write_text("DIVERGENCES = []\n")
    (suite / "rnnspec" / "divergences" / "reproducers" / "fails.py").write_text("import keras\n")
    before = matrix_results.reproducers_key(INSTALLATION, ARGUMENTS)
    (suite / "rnnspec" / "probes" / "observe.py").write_text("CACHE = None\n")
    assert matrix_results.reproducers_key(INSTALLATION, ARGUMENTS) == before
    for module, changed_text in (("divergences/table.py", "DIVERGENCES = [1]\n"), ("divergences/reproducers/fails.py", "import jax\n")):
        (suite / "rnnspec" / module).write_text(changed_text)
        after = matrix_results.reproducers_key(INSTALLATION, ARGUMENTS)
        assert after != before, f"a change to rnnspec/{module} leaves the reproducers' digest as it was"
        before = after
    assert matrix_results.reproducers_key(INSTALLATION.replace("3.15.1", "3.15.0"), ARGUMENTS) != before


def test_the_reproducers_import_neither_the_plugin_nor_the_one_observe_path():
    """What `python -m rnnspec.divergences.repro --run` reaches leaves out the spec's machinery (so a change there keeps the
    reproducers' record) and takes in the table of known divergences (so a change there reruns them)."""
    root = Path(__file__).parents[2]
    started = [root / "rnnspec" / "divergences" / "repro.py", *sorted((root / "rnnspec" / "divergences" / "reproducers").glob("*.py"))]
    reached = {str(path.relative_to(root)) for path in matrix_results.reached_from(started, root)}
    assert "rnnspec/divergences/table.py" in reached
    assert not reached & {"rnnspec/plugin/__init__.py", "rnnspec/probes/observe.py", "conftest.py"}, sorted(reached)


TOOLS = ("bisect", "gpu_report", "matrix_results", "throughput_plot", "version_matrix", "wheelhouse")


def test_each_chapter_depends_on_the_plugin_and_the_observe_path_and_none_on_the_matrix_s_tools():
    """Followed from this project's conftest.py and each chapter: every chapter's digest takes in the plugin and the
    one observe path, the snapshot chapter's the snapshot it compares with, the training chapter's its case
    catalogue; none takes in a tool no spec run imports (the report, bisect, the results, the GPU report, the plot,
    the wheelhouse), so a change to one reruns nothing."""
    root = Path(__file__).parents[2]
    for chapter in matrix_results.chapters(root / "spec"):
        depends = {str(path.relative_to(root)) for path in matrix_results.depends_on(chapter, root)}
        assert {"conftest.py", "pytest.ini", "rnnspec/plugin/__init__.py", "rnnspec/probes/observe.py"} <= depends, chapter.name
        tools = sorted(depends & {f"rnnspec/tools/{tool}.py" for tool in TOOLS})
        assert not tools, f"a run of {chapter.name} imports {tools}"
    snapshot = {str(p.relative_to(root)) for p in matrix_results.depends_on(root / "spec" / "test_snapshot.py", root)}
    assert "snapshots/reference.npz" in snapshot
    training = {str(p.relative_to(root)) for p in matrix_results.depends_on(root / "spec" / "test_training.py", root)}
    assert "spec/cases_training.py" in training


def junit(*chapters: str) -> str:
    cases = "".join(f'<testcase classname="spec.{c}" name="{c}[one]"/>' for c in chapters)
    return ('<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest"><properties><property '
            'name="rnnspec.installation" value="Keras 3.15.1 on jax | jax 0.10.2 | devices: cpu"/></properties>'
            f"{cases}</testsuite></testsuites>")


def test_a_run_is_kept_by_chapter_and_the_report_reads_the_chapters_merged(suite):
    recorded, current = matrix_results.Recorded(suite / "results", "keras-3.15.1-jax"), dict(
        matrix_results.chapter_keys(INSTALLATION, ARGUMENTS, matrix_results.chapters()))
    assert recorded.stale(current) == matrix_results.chapters()
    run = suite / "run.xml"
    run.write_text(junit("test_a", "test_b", "test_c"))
    recorded.store(run, current)
    assert recorded.stale(current) == []
    (suite / "spec" / "test_c.py").write_text("def test_c(): assert False\n")
    current = matrix_results.chapter_keys(INSTALLATION, ARGUMENTS, matrix_results.chapters())
    assert recorded.stale(current) == [Path("spec/test_c.py")]
    run.write_text(junit("test_c"))
    recorded.store(run, {Path("spec/test_c.py"): current[Path("spec/test_c.py")]})
    recorded.merge(matrix_results.chapters())
    environment = version_matrix.read(recorded.merged)
    assert environment.installation.startswith("Keras 3.15.1 on jax")
    assert sorted(environment.cases) == [(f"{c}::{c}", f"{c}[one]") for c in ("test_a", "test_b", "test_c")]
