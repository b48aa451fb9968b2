"""The wheelhouse for an offline install: what it gathers, and what it refuses to carry."""

import pytest

from rnnspec.tools import wheelhouse

pytestmark = pytest.mark.meta


def test_the_suite_needs_its_test_tools_keras_numpy_the_plots_and_a_build_backend_but_no_framework():
    names = {wheelhouse.distribution_name(requirement) for requirement in wheelhouse.suite_requirements()}
    assert {"keras", "numpy", "pytest", "pytest-cases", "pytest-benchmark", "markdown-it-py", "matplotlib",
            "setuptools", "wheel"} <= names
    assert not names & {"tensorflow", "tensorflow-cpu", "jax", "jaxlib", "torch"}


def test_the_wheelhouse_takes_the_suites_own_requirements():
    """The wheels gathered are those of the suite's declared dependencies: pytest among them, with its bound."""
    assert "pytest>=8" in wheelhouse.suite_requirements()


@pytest.mark.parametrize("requirement, name", [("pytest>=8,<9.1", "pytest"), ("Markdown_It.py>=3", "markdown-it-py"),
                                               ("tensorflow-cpu>=2.16; sys_platform == 'linux'", "tensorflow-cpu")])
def test_requirement_names_are_normalised_as_the_index_compares_them(requirement, name):
    assert wheelhouse.distribution_name(requirement) == name


def test_only_wheels_are_downloaded_for_the_platform_named(tmp_path):
    command = wheelhouse.download_command(tmp_path, ["keras>=3"], "3.11", ["manylinux_2_28_x86_64"])
    assert command[-1] == "keras>=3" and "--only-binary=:all:" in command
    assert "--python-version=3.11" in command and "--platform=manylinux_2_28_x86_64" in command


def test_a_framework_or_its_cuda_libraries_in_the_wheelhouse_is_refused(tmp_path):
    (tmp_path / "keras-3.15.1-py3-none-any.whl").write_bytes(b"k")
    (tmp_path / "nvidia_cudnn_cu12-9.1.0-py3-none-manylinux_2_28_x86_64.whl").write_bytes(b"n")
    with pytest.raises(SystemExit, match="nvidia_cudnn_cu12"):
        wheelhouse.check(tmp_path)


def test_wheels_over_the_budget_are_refused_naming_the_largest(tmp_path):
    with (tmp_path / "numpy-9-cp311-cp311-linux_x86_64.whl").open("wb") as large:
        large.truncate((wheelhouse.BUDGET_MIB + 1) * 2**20)  # sparse: the size counts, nothing is written
    with pytest.raises(SystemExit, match=r"over the 64 MiB budget; largest: numpy-9"):
        wheelhouse.check(tmp_path)


def test_a_folder_holding_files_already_is_refused(tmp_path):
    (tmp_path / "old-1.0-py3-none-any.whl").write_bytes(b"o")
    with pytest.raises(SystemExit) as stopped:
        wheelhouse.main([str(tmp_path)])
    assert stopped.value.code == 2  # a usage error: the message is argparse's, on stderr
