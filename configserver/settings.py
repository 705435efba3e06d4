"""The config server's process settings: command-line flags, then VESPID_* variables.

``python -m configserver --port 19071 --home DIR [--zookeeper H:P,...]
[--zookeeper-port 2181] [--hostname localhost]``. A flag wins over its environment
variable (named in each flag's help), which wins over the default. This is the only
module that reads ``os.environ``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from configserver.errors import SettingsError
from configserver.zk.launcher import EnsembleMember

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the config server process needs to start."""

    port: int = 19071
    """HTTP port of the deploy and config APIs."""
    home: Path = Path.home() / ".vespid"
    """Where the embedded ZooKeeper keeps its data (``home/zookeeper``)."""
    zookeeper: str | None = None
    """Connect string of an external ensemble (``h:p,h:p``); None starts an embedded one."""
    zookeeper_port: int = 2181
    """Client port of the embedded ZooKeeper."""
    zookeeper_ensemble: tuple[EnsembleMember, ...] = ()
    """When set, the embedded ZooKeeper is member ``zookeeper_id`` of this ensemble (one
    member per config server, as Vespa runs it) and ``zookeeper_port`` is not used."""
    zookeeper_id: int = 1
    """This config server's 1-based position in ``zookeeper_ensemble``."""
    hostname: str = "localhost"
    """This host's name, as services.xml and hosts.xml name hosts."""
    listen: str = "0.0.0.0"
    """Address the HTTP server binds (all interfaces, as Vespa's config server)."""
    session_max_age: float = 7 * 24 * 3600.0
    """Seconds after which sessions other than the active ones are removed."""


_ENV = {
    "port": "VESPID_CONFIGSERVER_PORT",
    "home": "VESPID_HOME",
    "zookeeper": "VESPID_ZOOKEEPER",
    "zookeeper_port": "VESPID_ZOOKEEPER_PORT",
    "zookeeper_ensemble": "VESPID_ZOOKEEPER_ENSEMBLE",
    "zookeeper_id": "VESPID_ZOOKEEPER_ID",
    "hostname": "VESPID_HOSTNAME",
    "listen": "VESPID_CONFIGSERVER_LISTEN",
    "session_max_age": "VESPID_SESSION_MAX_AGE",
}


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise ValueError(text)
    return value


def _ensemble(text: str) -> tuple[EnsembleMember, ...]:
    return tuple(EnsembleMember.parse(member) for member in text.split(",") if member.strip())


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(text)
    return value


def _cast(name: str, raw: str, cast: Callable[[str], T], what: str) -> T:
    try:
        return cast(raw)
    except ValueError:
        raise SettingsError(f"Config '{name}' has value '{raw}'. Not a valid {what}.") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m configserver", description=__doc__)
    parser.add_argument("--port", help=f"HTTP port (env {_ENV['port']}; default 19071)")
    parser.add_argument("--home", help=f"home directory (env {_ENV['home']}; default ~/.vespid)")
    parser.add_argument("--zookeeper", help=f"ZooKeeper ensemble h:p,... (env {_ENV['zookeeper']})")
    parser.add_argument(
        "--zookeeper-port", help=f"embedded ZooKeeper port (env {_ENV['zookeeper_port']})"
    )
    parser.add_argument(
        "--zookeeper-ensemble",
        help="run the embedded ZooKeeper as a member of this ensemble: "
        f"host:client:peer:election,... (env {_ENV['zookeeper_ensemble']})",
    )
    parser.add_argument(
        "--zookeeper-id", help=f"1-based member number in the ensemble (env {_ENV['zookeeper_id']})"
    )
    parser.add_argument("--hostname", help=f"this host's name (env {_ENV['hostname']})")
    parser.add_argument("--listen", help=f"bind address (env {_ENV['listen']}; default 0.0.0.0)")
    parser.add_argument(
        "--session-max-age", help=f"seconds to keep old sessions (env {_ENV['session_max_age']})"
    )
    return parser


def parse_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Return the settings from ``argv`` (default sys.argv[1:]) and ``environ`` (os.environ)."""
    args = vars(_parser().parse_args(argv))
    env = os.environ if environ is None else environ
    defaults = Settings()

    def raw(field: str) -> tuple[str, str] | None:
        flag = args.get(field)
        if flag is not None:
            return "--" + field.replace("_", "-"), str(flag)
        if _ENV[field] in env:
            return _ENV[field], env[_ENV[field]]
        return None

    def get(field: str, cast: Callable[[str], T], what: str, default: T) -> T:
        found = raw(field)
        return default if found is None else _cast(found[0], found[1], cast, what)

    zookeeper = raw("zookeeper")
    no_ensemble: tuple[EnsembleMember, ...] = ()
    ensemble = get("zookeeper_ensemble", _ensemble, "ZooKeeper ensemble", no_ensemble)
    zookeeper_id = get("zookeeper_id", int, "member number", 1)
    if ensemble and not 1 <= zookeeper_id <= len(ensemble):
        raise SettingsError(
            f"Config '--zookeeper-id' has value '{zookeeper_id}'. Not a member number of the "
            f"{len(ensemble)}-server ensemble."
        )
    return Settings(
        port=get("port", _port, "port", defaults.port),
        home=get("home", lambda s: Path(s).expanduser(), "path", defaults.home),
        zookeeper=zookeeper[1] if zookeeper and zookeeper[1] else None,
        zookeeper_port=get("zookeeper_port", _port, "port", defaults.zookeeper_port),
        zookeeper_ensemble=ensemble,
        zookeeper_id=zookeeper_id,
        hostname=get("hostname", str, "host name", defaults.hostname),
        listen=get("listen", str, "address", defaults.listen),
        session_max_age=get("session_max_age", _positive, "number of seconds", 7 * 24 * 3600.0),
    )


def settings_or_exit(argv: Sequence[str] | None = None) -> Settings:
    """Return :func:`parse_settings`; on a bad value print usage and exit with status 2."""
    try:
        return parse_settings(argv)
    except SettingsError as e:
        _parser().error(e.message)
