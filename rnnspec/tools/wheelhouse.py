"""Gather the wheels of everything the suite needs beyond the framework, to install it where there is no package
index (an air-gapped GPU machine whose image holds TensorFlow, JAX or PyTorch with CUDA, and nothing else).

    python -m rnnspec.tools.wheelhouse DIR [--python-version 3.11] [--platform manylinux_2_28_x86_64]

On a connected machine, DIR receives, by `pip download`, wheels only: Keras and its dependencies, NumPy (an image
may lack it), pytest and the plugins the suite uses, the `plots` extra (matplotlib), and the build backend an
editable install needs (setuptools, wheel); the requirements come from pyproject.toml, less the frameworks
(TensorFlow, JAX, PyTorch), whose CUDA builds the image provides. DIR/requirements.txt lists them. Carry DIR and
the clone to the GPU machine; there, in the clone:

    python -m pip install --no-index --find-links DIR -e ".[plots]"

The frameworks are extras of the project, never its dependencies, so that install leaves the image's own. Wheels are chosen for this Python and platform unless
--python-version and --platform name the GPU machine's. More than 64 MiB of wheels fails, naming the largest.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

from rnnspec.installation import FRAMEWORK_DISTRIBUTIONS

try:
    import tomllib
except ImportError:  # Python 3.10: pip, which this tool runs anyway, carries the same parser
    from pip._vendor import tomli as tomllib

REPOSITORY = Path(__file__).resolve().parents[2]
BUDGET_MIB = 64
# The build backend of an editable install, besides what pyproject.toml's build-system requires.
BUILD_TOOLS = ("wheel",)
FRAMEWORKS = {name for names in FRAMEWORK_DISTRIBUTIONS.values() for name in names} | {"jaxlib"}
REQUIREMENTS_FILE = "requirements.txt"
# The extras a GPU run uses beyond the framework: the report's plot. (The others are frameworks, or the export
# runtimes, which no GPU report needs.)
CARRIED_EXTRAS = ("plots",)


def distribution_name(requirement: str) -> str:
    """`pytest>=8,<9.1` -> `pytest`, normalised as PyPI compares names (PEP 503)."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement.strip()).group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


def is_framework_or_its_cuda(name: str) -> bool:
    return name in FRAMEWORKS or name.startswith("nvidia-")


def suite_requirements(pyproject: Path = REPOSITORY / "pyproject.toml") -> list[str]:
    """What the suite needs beyond the framework: its dependencies and the carried extras', less the frameworks,
    then the build backend of an editable install."""
    project = tomllib.loads(pyproject.read_text())
    needed = list(project["project"]["dependencies"])
    for extra in CARRIED_EXTRAS:
        needed += project["project"]["optional-dependencies"][extra]
    needed += project["build-system"]["requires"] + list(BUILD_TOOLS)
    kept = [requirement for requirement in needed if not is_framework_or_its_cuda(distribution_name(requirement))]
    return list(dict.fromkeys(kept))


def download_command(folder: Path, requirements: list[str], python_version: str | None, platforms: list[str]) -> list[str]:
    target = ([f"--python-version={python_version}"] if python_version else []) + [f"--platform={p}" for p in platforms]
    # Wheels only: the GPU machine installs without building anything but the project itself.
    return [sys.executable, "-m", "pip", "download", "--dest", str(folder), "--only-binary=:all:", *target, *requirements]


def wheel_distribution(wheel: Path) -> str:
    return distribution_name(wheel.name.split("-")[0])


def mebibytes(size: int) -> float:
    return size / 2**20


def check(folder: Path) -> tuple[list[Path], int]:
    """The wheels gathered and their total size; an error names a framework that slipped in, or the largest wheels
    when they exceed the budget."""
    wheels = sorted(folder.glob("*.whl"), key=lambda wheel: wheel.stat().st_size, reverse=True)
    total = sum(wheel.stat().st_size for wheel in wheels)
    frameworks = [wheel.name for wheel in wheels if is_framework_or_its_cuda(wheel_distribution(wheel))]
    if frameworks:
        raise SystemExit(f"a framework or its CUDA libraries came in as a dependency: {', '.join(frameworks)}")
    if mebibytes(total) > BUDGET_MIB:
        largest = ", ".join(f"{wheel.name} ({mebibytes(wheel.stat().st_size):.1f} MiB)" for wheel in wheels[:5])
        raise SystemExit(f"the wheels take {mebibytes(total):.1f} MiB, over the {BUDGET_MIB} MiB budget; largest: {largest}")
    return wheels, total


def main(argv=None, prog="python -m rnnspec.tools.wheelhouse") -> Path:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a new or empty folder for the wheels")
    parser.add_argument("--python-version", help="the GPU machine's Python, e.g. 3.11 (default: this one's)")
    parser.add_argument("--platform", action="append", default=[],
                        help="the GPU machine's platform tag, e.g. manylinux_2_28_x86_64 (repeatable; default: this one's)")
    arguments = parser.parse_args(argv)
    folder = arguments.folder
    if folder.exists() and any(folder.iterdir()):
        parser.error(f"{folder} is not empty: gather into a new folder, so that no older wheel is carried along")
    folder.mkdir(parents=True, exist_ok=True)
    requirements = suite_requirements()
    subprocess.run(download_command(folder, requirements, arguments.python_version, arguments.platform), check=True)
    (folder / REQUIREMENTS_FILE).write_text(
        "# What rnnspec needs beyond the framework (python -m rnnspec.tools.wheelhouse); install offline with\n"
        f"#   python -m pip install --no-index --find-links {folder} -e '.[plots]'\n"
        + "\n".join(requirements) + "\n"
    )
    wheels, total = check(folder)
    for wheel in wheels:
        print(f"{mebibytes(wheel.stat().st_size):7.2f} MiB  {wheel.name}")
    print(f"\n{len(wheels)} wheels, {mebibytes(total):.1f} MiB in {folder} (budget {BUDGET_MIB} MiB). On the GPU machine, "
          f"in the clone:\n  python -m pip install --no-index --find-links {folder} -e '.[plots]'")
    return folder


if __name__ == "__main__":
    main(sys.argv[1:])
