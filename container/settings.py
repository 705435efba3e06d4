"""Process settings of a container: command-line flags first, then VESPID_* variables.

``python -m container --port P --cluster NAME --config-server URL[,URL]
[--tenant default] [--application default] [--host 0.0.0.0]``. Each flag may instead
come from the environment (``VESPID_PORT``, ``VESPID_CLUSTER``, ...); a flag wins
over the variable. The reading itself is `vespid.runtime.settings`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vespid.runtime.settings import SettingsError, config_server_urls, read_flags

__all__ = ["Settings", "SettingsError", "parse_settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a container process needs before it has any config."""

    port: int
    cluster: str
    """The container cluster this process belongs to (services.xml `<container id>`)."""
    config_servers: tuple[str, ...]
    tenant: str = "default"
    application: str = "default"
    host: str = "0.0.0.0"


_FLAGS: dict[str, tuple[str, Callable[[str], Any], bool]] = {
    "port": ("VESPID_PORT", int, True),
    "cluster": ("VESPID_CLUSTER", str, True),
    "config_server": ("VESPID_CONFIG_SERVER", str, True),
    "tenant": ("VESPID_TENANT", str, False),
    "application": ("VESPID_APPLICATION", str, False),
    "host": ("VESPID_HOST", str, False),
}


def parse_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build `Settings` from ``argv`` (default: the process's) and ``environ``.

    Raises:
        SettingsError: for a missing required setting or a value that does not cast.
    """
    values = read_flags("python -m container", __doc__, _FLAGS, argv, environ)
    servers = config_server_urls(values.pop("config_server"))
    return Settings(config_servers=servers, **values)
