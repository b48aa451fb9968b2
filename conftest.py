"""The rnnspec plugin is loaded from here so that `pytest spec` needs no other set-up."""

pytest_plugins = ["rnnspec.plugin"]
