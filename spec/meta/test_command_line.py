"""The `rnnspec` command line: every command answers `--help`, and a user's mistake with a usage line and one line
saying what to do, exit 2, no traceback (rnnspec.tools.cli documents the exit codes)."""

import subprocess
import sys

import pytest

from rnnspec.tools import cli

pytestmark = pytest.mark.meta


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        status = cli.main(list(argv))
    except SystemExit as exit:  # argparse ends --help and usage errors so
        status = exit.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_every_command_answers_help(capsys, command):
    """`rnnspec COMMAND --help` prints the command's usage under its own name and exits 0."""
    status, out, err = run(capsys, command, "--help")
    assert (status, err) == (0, ""), err
    assert out.startswith(f"usage: rnnspec {command}"), out[:200]


def test_the_command_lists_every_command_and_the_exit_codes(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert all(f"  {name} " in out for name in cli.COMMANDS), out
    assert "3  does not apply here" in out


def mistakes(tmp_path) -> dict[str, list[str]]:
    """Each user mistake named in issue 27, with what the answer must say."""
    empty = tmp_path / "no-results"
    empty.mkdir()
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "old.whl").write_text("")
    return {
        "no command": ([], "name a command"),
        "an unknown command": (["nonsense"], "invalid choice: 'nonsense'"),
        "a missing snapshot": (["snapshot", str(tmp_path / "before.npz"), str(tmp_path / "after.npz")],
                               "there is no snapshot at"),
        "a version matrix without results": (["matrix", str(empty), "--output", str(tmp_path / "page")],
                                             "run the version matrix first"),
        "bisect without results": (["bisect", "test_x", "--results", str(empty)], "run the version matrix first"),
        "a README that is not there": (["divergences", "--update", str(tmp_path / "README.md")], "no such file"),
        "coverage into a file that is not there": (["coverage", "--update", str(tmp_path / "README.md")],
                                                   "no such file"),
        "a benchmark run that is not there": (["plot", str(tmp_path / "run.json")], "no such file"),
        "a wheelhouse into a folder not empty": (["wheelhouse", str(tmp_path / "wheels")], "is not empty"),
        "an unknown reproducer": (["repro", "no_such_divergence"], "no reproducer is named 'no_such_divergence'"),
    }


@pytest.mark.parametrize("mistake", [
    "no command", "an unknown command", "a missing snapshot", "a version matrix without results",
    "bisect without results", "a README that is not there", "coverage into a file that is not there",
    "a benchmark run that is not there", "a wheelhouse into a folder not empty", "an unknown reproducer",
])
def test_a_users_mistake_is_answered_in_one_line_with_exit_2(capsys, tmp_path, mistake):
    argv, says = mistakes(tmp_path)[mistake]
    status, _, err = run(capsys, *argv)
    lines = err.strip().splitlines()
    assert status == cli.EXIT_USAGE, (status, err)
    assert "Traceback" not in err and lines[-1].startswith("rnnspec") and says in lines[-1], err
    assert len([line for line in lines if "error:" in line]) == 1, err


def test_python_dash_m_rnnspec_is_the_command():
    done = subprocess.run([sys.executable, "-m", "rnnspec", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage: rnnspec"), done.stderr
