"""Reading a service's process settings: command-line flags first, then VESPID_* variables.

Each service declares its flags as ``name -> (VARIABLE, cast, required)`` and builds its
own frozen ``Settings`` from what :func:`read_flags` returns; casting errors read like
Starlette's ``Config`` ("Config '--port' has value 'x'. Not a valid int."). This is the
one place that turns flags and the environment into values for the services.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

Flags = Mapping[str, tuple[str, Callable[[str], Any], bool]]
"""Flag name (``config_server`` for ``--config-server``) → (variable, cast, required)."""


class SettingsError(ValueError):
    """A setting is missing or has a value of the wrong kind."""


def read_flags(
    prog: str,
    description: str | None,
    flags: Flags,
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return the cast value of every flag given on ``argv`` or in ``environ``.

    Flags given neither way are left out, so the service's defaults apply.

    Raises:
        SettingsError: for a missing required setting or a value that does not cast.
    """
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog=prog, description=description)
    for name in flags:
        parser.add_argument("--" + name.replace("_", "-"), dest=name, default=None)
    args = vars(parser.parse_args(argv))
    values: dict[str, Any] = {}
    for name, (variable, cast, required) in flags.items():
        flag = "--" + name.replace("_", "-")
        raw, origin = (
            (args[name], flag) if args[name] is not None else (env.get(variable), variable)
        )
        if raw is None:
            if required:
                raise SettingsError(f"Missing setting: pass {flag} or set {variable}")
            continue
        values[name] = _cast(origin, raw, cast)
    return values


def config_server_urls(text: str) -> tuple[str, ...]:
    """Split a comma-separated ``--config-server`` value into URLs.

    >>> config_server_urls("http://a:19071, http://b:19071")
    ('http://a:19071', 'http://b:19071')
    """
    servers = tuple(u.strip() for u in text.split(",") if u.strip())
    if not servers:
        raise SettingsError("Config '--config-server' names no URL")
    return servers


def _cast(origin: str, raw: str, cast: Callable[[str], T]) -> T:
    try:
        return cast(raw)
    except ValueError:
        kind = getattr(cast, "__name__", "value")
        raise SettingsError(f"Config '{origin}' has value '{raw}'. Not a valid {kind}.") from None
