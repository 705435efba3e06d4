"""``python -m container``: run a container with the given settings."""

from __future__ import annotations

import sys

from container.http.server import run
from container.settings import SettingsError, parse_settings


def main() -> None:
    """Parse settings and run; a settings error exits with status 2 and the message."""
    try:
        settings = parse_settings()
    except SettingsError as e:
        sys.stderr.write(f"python -m container: {e}\n")
        sys.exit(2)
    run(settings)


main()
