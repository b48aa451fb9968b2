"""The pytest plugin of rnnspec, one module per job: pytest-cases made to run on pytest >= 9.1
(`pytest_cases_compat`, first), the command line (`command_line`), chapter 15's Hypothesis settings (`exploration`), how a run is spread over
workers (`scheduling`), which cases run (`selection`, `each_choice`), the known divergences marked (`marking`), what
is reported (`reporting`, `behaviour_matrix`), and the fixtures every chapter shares (`fixtures`).

`pytest_plugins` below registers each module's hooks; loading `rnnspec.plugin` (conftest.py, `-p rnnspec.plugin`)
loads them all."""

pytest_plugins = [
    "rnnspec.plugin.pytest_cases_compat",
    "rnnspec.plugin.command_line",
    "rnnspec.plugin.exploration",
    "rnnspec.plugin.scheduling",
    "rnnspec.plugin.selection",
    "rnnspec.plugin.marking",
    "rnnspec.plugin.reporting",
    "rnnspec.plugin.fixtures",
]
