"""`python -m rnnspec`: the `rnnspec` command (rnnspec.tools.cli)."""

from rnnspec.tools.cli import main

raise SystemExit(main())
