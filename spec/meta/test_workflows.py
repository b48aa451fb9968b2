"""The CI workflows are valid GitHub Actions workflows, by the schema check-jsonschema ships (offline), where it is
installed (`pip install -e ".[dev]"`); and the weekly one runs the nightly environments of the noxfile."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from spec.meta import noxfile_loaded

pytestmark = pytest.mark.meta

ROOT = Path(__file__).parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
NIGHTLY = ROOT / ".github" / "workflows" / "nightly-matrix.yml"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_a_workflow_is_valid_by_the_github_workflow_schema(workflow):
    linter = shutil.which("check-jsonschema")
    if linter is None:
        pytest.skip('check-jsonschema is not installed (pip install -e ".[dev]")')
    checked = subprocess.run([linter, "--builtin-schema", "vendor.github-workflows", str(workflow)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, f"{workflow.name} is not a valid workflow:\n{checked.stdout}{checked.stderr}"


def test_the_linter_refuses_a_broken_workflow(tmp_path):
    """The check above can fail: a job without `runs-on` is refused."""
    linter = shutil.which("check-jsonschema")
    if linter is None:
        pytest.skip('check-jsonschema is not installed (pip install -e ".[dev]")')
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  one:\n    steps:\n      - run: echo\n")
    checked = subprocess.run([linter, "--builtin-schema", "vendor.github-workflows", str(broken)], capture_output=True)
    assert checked.returncode != 0


def test_the_weekly_workflow_runs_every_nightly_environment():
    noxfile = noxfile_loaded.noxfile()
    tag = re.search(r"\bnox\b.*-t (\w+)", NIGHTLY.read_text())[1]
    nightlies = {name for name in noxfile.ENVIRONMENTS if "nightly" in name}
    tagged = {name for name, (_, _, tags) in noxfile.ENVIRONMENTS.items() if tag in tags}
    assert nightlies and nightlies <= tagged, f"`nox -t {tag}` leaves out {sorted(nightlies - tagged)}"
    assert re.search(r"cron: .*\* \* \d", NIGHTLY.read_text()), "the workflow is not scheduled once a week"


def test_the_weekly_exploration_runs_every_backend_the_noxfile_explores():
    """The exploration job's matrix names exactly the environments of the noxfile's EXPLORE: a job for each."""
    explored = set(noxfile_loaded.noxfile().EXPLORE)
    matrix = re.search(r"exploration:.*?environment: \[([^\]]*)\]", NIGHTLY.read_text(), re.S)
    assert matrix, "the exploration job has no matrix of environments"
    jobs = {name.strip() for name in matrix[1].split(",")}
    assert jobs == explored, f"the job leaves out {sorted(explored - jobs)} and names {sorted(jobs - explored)} in vain"
