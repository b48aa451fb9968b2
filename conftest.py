"""The rnnspec plugin is loaded from here so that `pytest spec` needs no other set-up."""

# pytester lets the meta-tests run the plugin on small test files of their own.
pytest_plugins = ["rnnspec.plugin", "pytester"]
