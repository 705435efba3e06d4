"""``vespid up`` and ``vespid down``: a whole Vespid on this host, living under one home directory.

``up`` starts the config server (which starts its embedded ZooKeeper) and the node agent
for ``localhost`` as detached processes, waits for the config server's health, and,
given a package, deploys it and waits until the container answers. Without a package it
waits for an application deployed earlier, if there is one: the config server keeps it
in ZooKeeper under the home directory, and content nodes keep their documents there.

``down`` stops the node agent (which stops the services) and then the config server,
and leaves every file in place for the next ``up``.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vespid.cli.configserver import ConfigServer
from vespid.cli.deploy import deploy, describe_endpoints, wait_for_application
from vespid.cli.errors import CliError
from vespid.cli.processes import Home, is_running, read_pid_file, start_detached, stop_recorded
from vespid.cli.readiness import Watched, tail_block, wait_until

CONFIG_SERVER = "configserver"
NODE_AGENT = "node-agent"
CRASH_LOOP = 3
"""Quick exits in a row after which `vespid up` stops waiting for a service."""
ZOOKEEPER_JAR = Path("/usr/share/java/zookeeper.jar")


@dataclass(frozen=True, slots=True)
class UpOptions:
    """What ``vespid up`` was asked to do."""

    home: Path
    app_dir: Path | None = None
    config_port: int = 19071
    zookeeper_port: int = 2181
    hostname: str = "localhost"
    wait: float = 180.0
    """Seconds to wait for each step (config server health, convergence, container)."""

    @property
    def config_server_url(self) -> str:
        """The config server's base URL."""
        return f"http://{self.hostname}:{self.config_port}"


def check_system_dependencies(
    which: Callable[[str], str | None] = shutil.which, zookeeper_jar: Path = ZOOKEEPER_JAR
) -> None:
    """Fail with the apt packages to install when Java or ZooKeeper's jars are missing."""
    missing = []
    if which("java") is None:
        missing.append("default-jre-headless (java)")
    if not zookeeper_jar.is_file():
        missing.append(f"zookeeper ({zookeeper_jar})")
    if missing:
        raise CliError(
            "Vespid runs ZooKeeper from Debian's packages, and these are missing: "
            + ", ".join(missing)
            + ".\nInstall them with: sudo apt-get install zookeeper default-jre-headless"
        )


def running(home: Home, name: str) -> bool:
    """True when the process ``name`` recorded under ``home`` is running."""
    record = read_pid_file(home.pid_file(name))
    return record is not None and is_running(record)


def service_logs(home: Home) -> list[tuple[str, Path]]:
    """Every log under ``home`` but the config server's, as (name, path)."""
    return [
        (path.stem, path)
        for path in sorted(home.logs_dir.glob("*.log"))
        if path.stem != CONFIG_SERVER
    ]


def _start_config_server(opts: UpOptions, home: Home, server: ConfigServer) -> list[Watched]:
    url_file = home.run_dir / f"{CONFIG_SERVER}.url"
    if running(home, CONFIG_SERVER):
        started_at = url_file.read_text().strip() if url_file.exists() else server.url
        if started_at != server.url:
            raise CliError(
                f"Vespid under {home.root} already runs with its config server at "
                f"{started_at}; stop it with `vespid down --home {home.root}` to change ports"
            )
        return []
    if server.healthy():
        raise CliError(
            f"Something else already answers on port {opts.config_port} "
            f"(another Vespid?); choose another --config-port"
        )
    argv = [
        sys.executable, "-m", "configserver",
        "--port", str(opts.config_port),
        "--home", str(home.root),
        "--zookeeper-port", str(opts.zookeeper_port),
        "--hostname", opts.hostname,
    ]  # fmt: skip
    log = home.log_file(CONFIG_SERVER)
    process = start_detached(argv, log, home.pid_file(CONFIG_SERVER))
    url_file.write_text(server.url + "\n")
    return [Watched("The config server", process, log)]


def crash_looping(home: Home) -> str | None:
    """Why waiting is hopeless: a service that keeps exiting soon after it starts, with its log."""
    try:
        status = json.loads(home.services_status_file.read_text())
    except (OSError, ValueError):
        return None
    for name, service in sorted(status.items()):
        if service.get("quick_exits", 0) >= CRASH_LOOP:
            return (
                f"{name} keeps exiting (last status {service.get('last_exit')}, "
                f"started {service.get('starts')} times).\n" + tail_block(name, home.log_file(name))
            )
    return None


def _stop_services(home: Home, timeout: float) -> list[str]:
    """Stop services whose PID files are left (their node agent is gone); return their names."""
    stopped = []
    for pid_file in sorted(home.run_dir.glob("*.pid")):
        if pid_file.stem not in (CONFIG_SERVER, NODE_AGENT) and stop_recorded(pid_file, timeout):
            stopped.append(pid_file.stem)
    return stopped


def _start_node_agent(opts: UpOptions, home: Home) -> list[Watched]:
    if running(home, NODE_AGENT):
        return []
    # Services left by an agent that died would hold their ports and data directories.
    _stop_services(home, timeout=20.0)
    home.services_status_file.unlink(missing_ok=True)
    argv = [
        sys.executable, "-m", "vespid.cli", "node",
        "--config-server", opts.config_server_url,
        "--hostname", opts.hostname,
        "--home", str(home.root),
    ]  # fmt: skip
    log = home.log_file(NODE_AGENT)
    process = start_detached(argv, log, home.pid_file(NODE_AGENT))
    return [Watched("The node agent", process, log)]


def up(opts: UpOptions, out: Callable[[str], None]) -> None:
    """Start Vespid under ``opts.home``; deploy ``opts.app_dir`` when given (see module doc)."""
    home = Home(opts.home.expanduser().resolve())
    home.make_dirs()
    check_system_dependencies()
    server = ConfigServer(opts.config_server_url)
    try:
        # The node agent waits for the config server by itself: start both at once.
        watched = _start_config_server(opts, home, server) + _start_node_agent(opts, home)
        wait_until(
            lambda: True if server.healthy() else None,
            f"the config server at {server.url}",
            opts.wait,
            watched,
        )
        out(f"Config server at {server.url} is ready (home {home.root})")
        if opts.app_dir is not None:
            generation = deploy(server, opts.app_dir, out).session_id
        elif server.has_application():
            generation = 0
        else:
            out("No application deployed yet: deploy one with `vespid deploy DIR`")
            return
        state = wait_for_application(
            server,
            generation,
            opts.wait,
            watched,
            lambda: service_logs(home),
            lambda: crash_looping(home),
        )
        for line in describe_endpoints(state):
            out(line)
    except CliError as e:
        if running(home, CONFIG_SERVER) or running(home, NODE_AGENT):
            e.message += f"\nWhat started is still running: `vespid down --home {home.root}`"
        raise
    finally:
        server.close()


def down(home_dir: Path, out: Callable[[str], None], timeout: float = 20.0) -> None:
    """Stop everything started under ``home_dir``; keep its data."""
    home = Home(home_dir.expanduser().resolve())
    stopped = []
    if stop_recorded(home.pid_file(NODE_AGENT), timeout):
        stopped.append(NODE_AGENT)
    # Services the agent could not stop (it was killed, say) still have PID files.
    stopped += _stop_services(home, timeout)
    if stop_recorded(home.pid_file(CONFIG_SERVER), timeout):
        stopped.append(CONFIG_SERVER)
    (home.run_dir / f"{CONFIG_SERVER}.url").unlink(missing_ok=True)
    if stopped:
        out(f"Stopped {', '.join(stopped)} (data kept in {home.root})")
    else:
        out(f"Nothing was running under {home.root}")
