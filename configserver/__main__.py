"""``python -m configserver``: parse the settings and run the config server."""

from __future__ import annotations

from configserver.server import run
from configserver.settings import settings_or_exit

if __name__ == "__main__":
    raise SystemExit(run(settings_or_exit()))
