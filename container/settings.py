"""Process settings of a container: command-line flags first, then VESPID_* variables.

``python -m container --port P --cluster NAME --config-server URL[,URL]
[--tenant default] [--application default] [--host 0.0.0.0]``. Each flag may instead
come from the environment (``VESPID_PORT``, ``VESPID_CLUSTER``, ...); a flag wins
over the variable. This is the only module of the container that reads ``os.environ``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class SettingsError(ValueError):
    """A setting is missing or has a value of the wrong kind."""


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
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="python -m container", description=__doc__)
    for name in _FLAGS:
        parser.add_argument("--" + name.replace("_", "-"), dest=name, default=None)
    args = vars(parser.parse_args(argv))
    values: dict[str, Any] = {}
    for name, (variable, cast, required) in _FLAGS.items():
        flag = "--" + name.replace("_", "-")
        raw, origin = (
            (args[name], flag) if args[name] is not None else (env.get(variable), variable)
        )
        if raw is None:
            if required:
                raise SettingsError(f"Missing setting: pass {flag} or set {variable}")
            continue
        values[name] = _cast(origin, raw, cast)
    servers = tuple(u.strip() for u in values.pop("config_server").split(",") if u.strip())
    if not servers:
        raise SettingsError("Config '--config-server' names no URL")
    return Settings(config_servers=servers, **values)


def _cast(origin: str, raw: str, cast: Callable[[str], T]) -> T:
    try:
        return cast(raw)
    except ValueError:
        kind = getattr(cast, "__name__", "value")
        raise SettingsError(f"Config '{origin}' has value '{raw}'. Not a valid {kind}.") from None
