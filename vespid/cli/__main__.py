"""``python -m vespid.cli`` runs the ``vespid`` command; ``vespid up`` starts the node agent so."""

from __future__ import annotations

from vespid.cli.main import main

raise SystemExit(main())
