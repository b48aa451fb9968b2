"""A run of the plugin on a small test file of a meta-test's own, in-process, with a table of known divergences of
its own: how the meta-tests watch what the plugin does to a run."""

from rnnspec import installation
from rnnspec.divergences import table
from rnnspec.installation import options


def run_plugin(pytester, monkeypatch, statements: str, rows, *arguments):
    """`statements` as test_statements.py, run under the plugin with `rows` as the table, and `arguments`."""
    monkeypatch.setattr(table, "DIVERGENCES", tuple(rows))
    monkeypatch.setattr(options, "current", options.current)  # the inner run's configuration sets it anew
    pytester.makepyfile(test_statements=statements)
    here = installation.current()
    return pytester.runpytest_inprocess(
        "-p", "rnnspec.plugin", "-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "no:xdist",
        f"--keras={here.keras_module}", f"--keras-backend={here.backend}", *arguments,
    )
