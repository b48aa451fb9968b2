"""The version matrix reuses a chapter's recorded results only while all they depend on is unchanged
(rnnspec.matrix_results), and the report reads every chapter's results merged."""

from pathlib import Path

import pytest

from rnnspec import matrix_results, version_matrix

pytestmark = pytest.mark.meta
INSTALLATION, ARGUMENTS = "python 3.11.9 keras==3.15.1", ["--keras-backend=jax"]


@pytest.fixture
def suite(tmp_path, monkeypatch):
    """A suite of three chapters, one importing another, a case catalogue and a support package."""
    for folder in ("spec", "rnnspec", "snapshots"):
        (tmp_path / folder).mkdir()
    (tmp_path / "spec" / "cases.py").write_text("CELLS = ['LSTM']\n")
    (tmp_path / "spec" / "test_a.py").write_text("def test_a(): pass\n")
    (tmp_path / "spec" / "test_b.py").write_text("from spec.test_a import test_a\ndef test_b(): pass\n")
    (tmp_path / "spec" / "test_c.py").write_text("def test_c(): pass\n")
    (tmp_path / "rnnspec" / "observe.py").write_text("CACHE = {}\n")
    (tmp_path / "rnnspec" / "version_matrix.py").write_text("TITLE = 'Version matrix'\n")
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


@pytest.mark.parametrize("change", ["installation", "arguments", "support package", "case catalogue"])
def test_a_change_to_what_every_chapter_depends_on_runs_them_all_again(suite, change):
    before = keys()
    if change == "support package":
        (suite / "rnnspec" / "observe.py").write_text("CACHE = None\n")
    if change == "case catalogue":
        (suite / "spec" / "cases.py").write_text("CELLS = ['GRU']\n")
    after = keys(INSTALLATION.replace("3.15.1", "3.15.0") if change == "installation" else INSTALLATION,
                 ["--keras-backend=torch"] if change == "arguments" else ARGUMENTS)
    assert changed(before, after) == {"test_a", "test_b", "test_c"}


def test_a_change_to_the_matrix_s_own_tools_runs_nothing_again(suite):
    before = keys()
    (suite / "rnnspec" / "version_matrix.py").write_text("TITLE = 'The version matrix'\n")
    assert changed(before, keys()) == set()


def test_the_reproducers_run_again_when_what_they_import_changes_not_when_the_spec_s_machinery_does(suite):
    """The reproducers' record is kept under a digest of the runner, the reproducers and the project's modules they
    import, and of the installation: a change to a module they do not import (the one observe path) reruns every
    chapter but no reproducer."""
    (suite / "rnnspec" / "reproducers").mkdir()
    (suite / "rnnspec" / "repro.py").write_text("from rnnspec.divergences import DIVERGENCES\n")
    (suite / "rnnspec" / "divergences.py").write_text("DIVERGENCES = []\n")
    (suite / "rnnspec" / "reproducers" / "fails.py").write_text("import keras\n")
    before = matrix_results.reproducers_key(INSTALLATION, ARGUMENTS)
    (suite / "rnnspec" / "observe.py").write_text("CACHE = None\n")
    assert matrix_results.reproducers_key(INSTALLATION, ARGUMENTS) == before
    for module, changed_text in (("divergences.py", "DIVERGENCES = [1]\n"), ("reproducers/fails.py", "import jax\n")):
        (suite / "rnnspec" / module).write_text(changed_text)
        after = matrix_results.reproducers_key(INSTALLATION, ARGUMENTS)
        assert after != before, f"a change to rnnspec/{module} leaves the reproducers' digest as it was"
        before = after
    assert matrix_results.reproducers_key(INSTALLATION.replace("3.15.1", "3.15.0"), ARGUMENTS) != before


def test_the_reproducers_import_neither_the_plugin_nor_the_one_observe_path():
    """What `python -m rnnspec.repro --run` reaches leaves out the spec's machinery (so a change there keeps the
    reproducers' record) and takes in the table of known divergences (so a change there reruns them)."""
    root = Path(__file__).parents[2]
    started = [root / "rnnspec" / "repro.py", *sorted((root / "rnnspec" / "reproducers").glob("*.py"))]
    reached = {str(path.relative_to(root)) for path in matrix_results.reached_from(started, root)}
    assert "rnnspec/divergences.py" in reached
    assert not reached & {"rnnspec/plugin.py", "rnnspec/observe.py", "conftest.py"}, sorted(reached)


def test_no_spec_run_imports_the_tools_whose_changes_rerun_nothing():
    """What a spec run imports, from conftest.py (the plugin) and spec's modules on, never reaches a module of
    matrix_results.TOOLS: were it to, a change there could change results the matrix reuses."""
    root = Path(__file__).parents[2]
    reached = matrix_results.reached_from([root / "conftest.py", *sorted((root / "spec").glob("*.py"))], root)
    tools = {root / tool for tool in matrix_results.TOOLS}
    assert all(tool.is_file() for tool in tools), "every tool named is a module of the package"
    assert len(reached) > 30, "the plugin, the chapters and the support modules they import are reached"
    imported_tools = sorted(str(tool.relative_to(root)) for tool in reached & tools)
    assert not imported_tools, f"a spec run imports {imported_tools}"


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
