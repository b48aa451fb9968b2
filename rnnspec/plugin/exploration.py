"""Chapter 15's settings: how many configurations Hypothesis draws per statement (`--explore=N`), drawn alike on
every run unless a seed is given, and no example database written into the checkout.

The default draws a few examples per statement, enough to cover the drawn dimensions over a week of runs at a cost
of seconds; the weekly nightly workflow draws thousands (`--explore=2000 --hypothesis-seed=<run>`), with another
seed each week. A failure is shrunk to a minimal configuration and printed with a standalone reproducer.
"""

import tempfile
from pathlib import Path

import pytest

DEFAULT_EXAMPLES = 8  # per statement: about 1.5 s each on 2 cores (TensorFlow, CPU)
PROFILE = "rnnspec"


def examples(text: str) -> int:
    """`--explore`'s value: a positive number of examples."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise pytest.UsageError(f"--explore={text!r}: give the number of configurations to draw per statement, e.g. --explore=500")
    return count


def pytest_addoption(parser):
    parser.getgroup("rnnspec").addoption(
        "--explore",
        default=None,
        metavar="N",
        help=f"chapter 15 (exploration): draw N configurations per statement (default: {DEFAULT_EXAMPLES}, the same on "
        "every run; with --hypothesis-seed, other ones each seed)",
    )


def pytest_configure(config):
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.configuration import set_hypothesis_home_dir

    # Hypothesis keeps a cache of the code's constants in .hypothesis/ of the working directory: in a folder of the
    # system's temporary files instead, as nothing of a run is written into the checkout.
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "rnnspec-hypothesis")

    chosen = config.getoption("--explore")
    count = DEFAULT_EXAMPLES if chosen is None else examples(chosen)
    settings.register_profile(
        PROFILE,
        max_examples=count,
        # The same examples on every run, unless the run names a seed (Hypothesis's --hypothesis-seed).
        derandomize=config.getoption("hypothesis_seed", None) is None,
        database=None,  # nothing written into the checkout; a failure prints its reproducer instead
        deadline=None,  # building a model takes tenths of a second, more the first time a backend compiles
        print_blob=False,
        phases=[phase for phase in Phase if phase != Phase.explain],  # the reproducer says more than covered lines
        # The statements' fixtures are accessors of the session cache, the same for every example; building models
        # is slow by nature; the drawn configurations are large on purpose.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile(PROFILE)
