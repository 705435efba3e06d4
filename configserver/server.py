"""The config server process: ZooKeeper (embedded or not), sessions, the HTTP server.

:func:`run` is what ``python -m configserver`` calls. With no ``--zookeeper`` ensemble
it starts Debian's ZooKeeper as a child under ``home/zookeeper`` and stops it on exit.
Several config servers given the same ensemble serve the same state: ZooKeeper is the
only state there is.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

from configserver.errors import (
    ZooKeeperNotInstalledError,
    ZooKeeperStartError,
    ZooKeeperUnavailableError,
)
from configserver.http import build_app
from configserver.model import derive_application
from configserver.session import FreePortAllocator, SessionManager
from configserver.settings import Settings
from configserver.zk import EmbeddedZooKeeper, ZooKeeperSessionStore, connect
from vespid.runtime import ServiceState, serve, setup_logging

log = logging.getLogger(__name__)

ENSEMBLE_CONNECT_TIMEOUT = 120.0
"""Seconds to wait for ZooKeeper: an ensemble answers once a majority of it has started."""
MAINTENANCE_INTERVAL = 3600.0
"""Seconds between two sweeps for expired sessions."""


@contextlib.contextmanager
def zookeeper_hosts(settings: Settings) -> Iterator[str]:
    """Yield the ensemble's connect string, running an embedded server if none is given."""
    if settings.zookeeper is not None:
        yield settings.zookeeper
        return
    port = settings.zookeeper_port
    if settings.zookeeper_ensemble:
        port = settings.zookeeper_ensemble[settings.zookeeper_id - 1].client_port
    server = EmbeddedZooKeeper(
        settings.home, port, ensemble=settings.zookeeper_ensemble, my_id=settings.zookeeper_id
    )
    with server:
        yield server.connect_string


def _sweep_sessions(manager: SessionManager, max_age: float, stop: threading.Event) -> None:
    while not stop.wait(MAINTENANCE_INTERVAL):
        try:
            removed = manager.remove_expired(max_age)
        except ZooKeeperUnavailableError as e:
            log.warning("Session sweep skipped: %s", e)
            continue
        if removed:
            log.info("Removed %d expired sessions", len(removed))


def _report_connection(state: ServiceState) -> Callable[[bool], None]:
    """Return a listener that marks the server down while ZooKeeper is unreachable."""

    def on_change(connected: bool) -> None:
        state.status = "up" if connected else "down"
        state.message = "" if connected else "ZooKeeper connection lost"
        log.log(
            logging.INFO if connected else logging.WARNING, "ZooKeeper connected: %s", connected
        )

    return on_change


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    """Turn SIGTERM into SystemExit so clean-up (stopping ZooKeeper) runs.

    uvicorn handles the signal for a graceful shutdown, then raises it again once
    it has stopped; with the default handler the process would die right there.
    """
    raise SystemExit(0)


def run(settings: Settings) -> int:
    """Run the config server until SIGTERM or SIGINT; return the process exit status."""
    setup_logging("configserver")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    settings.home.mkdir(parents=True, exist_ok=True)
    try:
        _run(settings)
    except (ZooKeeperNotInstalledError, ZooKeeperStartError, ZooKeeperUnavailableError) as e:
        log.error("%s", e.message)
        return 1
    return 0


def _run(settings: Settings) -> None:
    with zookeeper_hosts(settings) as hosts:
        client = connect(hosts, timeout=ENSEMBLE_CONNECT_TIMEOUT)
        stop = threading.Event()
        try:
            store = ZooKeeperSessionStore(client)
            state = ServiceState()
            store.add_connection_listener(_report_connection(state))
            manager = SessionManager(store, derive_application, FreePortAllocator())
            sweeper = threading.Thread(
                target=_sweep_sessions,
                args=(manager, settings.session_max_age, stop),
                name="session-sweeper",
                daemon=True,
            )
            sweeper.start()
            log.info("Config server on port %d, ZooKeeper %s", settings.port, hosts)
            serve(build_app(manager, state=state), settings.listen, settings.port)
        finally:
            stop.set()
            client.stop()
            client.close()
