"""Process settings of a content node: command-line flags first, then VESPID_* variables.

``python -m content --port P --cluster NAME --distribution-key K --data-dir DIR
--config-server URL[,URL] [--tenant default] [--application default]``. Each flag may
instead come from the environment (``VESPID_PORT``, ``VESPID_CLUSTER``, ...); a flag
wins over the variable. The reading itself is `vespid.runtime.settings`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vespid.runtime.settings import SettingsError, config_server_urls, read_flags

__all__ = ["Settings", "SettingsError", "parse_settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a content node process needs before it has any config."""

    port: int
    cluster: str
    distribution_key: int
    data_dir: Path
    config_servers: tuple[str, ...]
    tenant: str = "default"
    application: str = "default"
    host: str = "0.0.0.0"
    flush_bytes: int = 64 << 20
    """Transaction log bytes since the last snapshot that trigger a flush."""
    memory_budget: int = 512 << 20
    """Unflushed in-memory index bytes (writes since the last flush) that trigger a flush."""
    tombstone_ttl: float = 14 * 24 * 3600.0
    """Seconds removes are remembered for replicas that missed them."""
    max_pending_writes: int = 4096
    """Writes accepted but not yet durable beyond which more are refused (429)."""


_FLAGS: dict[str, tuple[str, Callable[[str], Any], bool]] = {
    "port": ("VESPID_PORT", int, True),
    "cluster": ("VESPID_CLUSTER", str, True),
    "distribution_key": ("VESPID_DISTRIBUTION_KEY", int, True),
    "data_dir": ("VESPID_DATA_DIR", Path, True),
    "config_server": ("VESPID_CONFIG_SERVER", str, True),
    "tenant": ("VESPID_TENANT", str, False),
    "application": ("VESPID_APPLICATION", str, False),
    "host": ("VESPID_HOST", str, False),
    "flush_bytes": ("VESPID_FLUSH_BYTES", int, False),
    "memory_budget": ("VESPID_MEMORY_BUDGET", int, False),
    "tombstone_ttl": ("VESPID_TOMBSTONE_TTL", float, False),
    "max_pending_writes": ("VESPID_MAX_PENDING_WRITES", int, False),
}


def parse_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build `Settings` from ``argv`` (default: the process's) and ``environ``.

    Raises:
        SettingsError: for a missing required setting or a value that does not cast.
    """
    values = read_flags("python -m content", __doc__, _FLAGS, argv, environ)
    servers = config_server_urls(values.pop("config_server"))
    return Settings(config_servers=servers, **values)
