"""The node agent (``vespid node``): runs the services the active application puts on its host.

It subscribes to the ``node`` config (:class:`vespid.config.NodeAgentConfig`) and, for each
new generation, brings its host in line: services that left the config are stopped
first (a content node that moved to another port must release its data directory),
then new ones are started, each under a :class:`~vespid.cli.supervisor.Supervisor` that
restarts it when it dies. On SIGTERM or SIGINT it stops every service and exits.

Command lines follow docs/internals.md; content data lives in ``HOME/data/<service>``
and each service logs to ``HOME/logs/<service>.log``. ``HOME/run/services.json`` tells
``vespid up`` how each service fares (pid, starts, last exit, quick exits in a row), so
it can report a service that keeps crashing instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from vespid.cli.processes import Home
from vespid.cli.supervisor import Backoff, Supervisor
from vespid.config import NodeAgentConfig, ServiceConfig
from vespid.runtime import ConfigSubscriber, follow_config, setup_logging

log = logging.getLogger(__name__)

ArgvFor = Callable[[ServiceConfig], list[str]]


def service_argv(
    service: ServiceConfig, config_servers: Sequence[str], home: Home, python: str
) -> list[str]:
    """The command line that starts ``service`` (docs/internals.md, "Processes")."""
    common = [
        "--port",
        str(service.port),
        "--cluster",
        service.cluster,
        "--config-server",
        ",".join(config_servers),
    ]
    if service.kind == "container":
        return [python, "-m", "container", *common]
    if service.kind == "content":
        if service.distribution_key is None:
            raise ValueError(f"content service {service.name} has no distribution key")
        data_dir = home.data_dir / service.name
        return [
            python,
            "-m",
            "content",
            *common,
            "--distribution-key",
            str(service.distribution_key),
            "--data-dir",
            str(data_dir),
        ]
    raise ValueError(f"unknown service kind '{service.kind}' for {service.name}")


class NodeAgent:
    """Keeps the services of one host running, as the latest ``node`` config says.

    Args:
        hostname: the host name services.xml uses for this host (``localhost``).
        home: where logs, PID files and data live.
        argv_for: the command line of a service.
        backoff: a fresh restart policy for each service.
    """

    def __init__(
        self,
        hostname: str,
        home: Home,
        argv_for: ArgvFor,
        backoff: Callable[[], Backoff] = Backoff,
    ) -> None:
        self._hostname = hostname
        self._home = home
        self._argv_for = argv_for
        self._backoff = backoff
        self._running: dict[ServiceConfig, Supervisor] = {}
        self.generation = -1
        """The generation last applied."""

    @property
    def services(self) -> dict[ServiceConfig, Supervisor]:
        """The supervised services, by their config."""
        return dict(self._running)

    async def apply(self, config: NodeAgentConfig) -> None:
        """Stop services that left ``config``, then start the ones new to it."""
        wanted = set(config.services_on(self._hostname))
        leaving = [s for s in self._running if s not in wanted]
        await asyncio.gather(*(self._running.pop(s).stop() for s in leaving))
        for service in config.services_on(self._hostname):
            if service not in self._running:
                self._start(service)
        self.generation = config.generation
        self._write_status()
        log.info(
            "generation %d: running %s",
            config.generation,
            ", ".join(sorted(s.name for s in self._running)) or "nothing",
        )

    def _start(self, service: ServiceConfig) -> None:
        supervisor = Supervisor(
            service.name,
            self._argv_for(service),
            self._home.log_file(service.name),
            self._home.pid_file(service.name),
            backoff=self._backoff(),
            on_change=self._write_status,
        )
        self._running[service] = supervisor
        supervisor.start()

    def _write_status(self, _: Supervisor | None = None) -> None:
        """Record how each service fares in ``HOME/run/services.json``."""
        status = {
            s.name: {
                "pid": s.pid,
                "starts": s.starts,
                "last_exit": s.last_exit,
                "quick_exits": s.quick_exits,
            }
            for s in self._running.values()
        }
        path = self._home.services_status_file
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(status, indent=2))
        tmp.replace(path)

    async def stop_all(self) -> None:
        """Stop every service."""
        running, self._running = self._running, {}
        await asyncio.gather(*(s.stop() for s in running.values()))
        self._write_status()


async def run_node_agent(config_servers: Sequence[str], hostname: str, home: Path) -> int:
    """Run the node agent until SIGTERM or SIGINT; return the exit status."""
    setup_logging("node-agent")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per long poll otherwise
    layout = Home(home)
    layout.make_dirs()
    agent = NodeAgent(
        hostname,
        layout,
        lambda s: service_argv(s, config_servers, layout, sys.executable),
    )
    subscriber = ConfigSubscriber(list(config_servers), "node", NodeAgentConfig)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    follower = asyncio.create_task(follow_config(subscriber, agent.apply))
    stopper = asyncio.create_task(stop.wait())
    log.info("node agent for %s following %s", hostname, ", ".join(config_servers))
    await asyncio.wait({follower, stopper}, return_when=asyncio.FIRST_COMPLETED)
    status = 0
    if follower.done():
        log.error("config subscription ended", exc_info=follower.exception())
        status = 1
    follower.cancel()
    stopper.cancel()
    await agent.stop_all()
    await subscriber.aclose()
    log.info("node agent stopped")
    return status
