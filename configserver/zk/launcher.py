"""The embedded ZooKeeper: Debian's ZooKeeper server run as a child process.

When the config server gets no ``--zookeeper`` ensemble it starts its own, the way
Vespa's config server runs an embedded ZooKeeper: the ``zookeeper`` package's jars on
the system ``java``, a ``zoo.cfg`` generated under ``<home>/zookeeper``, listening on
loopback only. The admin server is switched off (it would take port 8080, the
container's) and only the ``ruok`` and ``srvr`` four-letter words are allowed; ``ruok``
answering ``imok`` is how we know the server is up.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from configserver.errors import ZooKeeperNotInstalledError, ZooKeeperStartError

log = logging.getLogger(__name__)

ZOOKEEPER_JAR = Path("/usr/share/java/zookeeper.jar")
ZOOKEEPER_CONF_DIR = Path("/etc/zookeeper/conf")
"""Holds Debian's log4j.properties; first on the class path, as Debian's own scripts do."""
MAIN_CLASS = "org.apache.zookeeper.server.quorum.QuorumPeerMain"


def ruok(host: str, port: int, timeout: float = 1.0) -> bool:
    """Return whether the ZooKeeper server at ``host:port`` answers ``ruok`` with ``imok``."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"ruok")
            return sock.recv(16) == b"imok"
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class EnsembleMember:
    """One server of a ZooKeeper ensemble: its host and its three ports."""

    host: str
    client_port: int
    peer_port: int
    election_port: int

    @classmethod
    def parse(cls, text: str) -> EnsembleMember:
        """Read ``host:client-port:peer-port:election-port``; ValueError if malformed."""
        host, *ports = text.strip().split(":")
        numbers = [int(p) for p in ports]
        if not host or len(numbers) != 3 or not all(0 < p < 65536 for p in numbers):
            raise ValueError(f"expected host:client-port:peer-port:election-port, got '{text}'")
        return cls(host, *numbers)

    @property
    def address(self) -> str:
        """``host:client-port``, as clients connect."""
        return f"{self.host}:{self.client_port}"


def zoo_cfg(
    data_dir: Path,
    client_port: int,
    host: str = "127.0.0.1",
    ensemble: Sequence[EnsembleMember] = (),
) -> str:
    """Return the text of zoo.cfg: standalone, or one member of ``ensemble``."""
    lines = [
        "tickTime=2000",
        "initLimit=10",
        "syncLimit=5",
        f"dataDir={data_dir}",
        f"clientPort={client_port}",
        f"clientPortAddress={host}",
        "admin.enableServer=false",
        "4lw.commands.whitelist=ruok,srvr",
        "maxClientCnxns=0",
        "autopurge.snapRetainCount=3",
        "autopurge.purgeInterval=1",
    ]
    for i, member in enumerate(ensemble, start=1):
        lines.append(f"server.{i}={member.host}:{member.peer_port}:{member.election_port}")
    return "\n".join(lines) + "\n"


class EmbeddedZooKeeper:
    """A ZooKeeper server child process; use as a context manager or start()/stop().

    Args:
        home: the config server's home; the server keeps its files in ``home/zookeeper``.
        port: the client port, bound on 127.0.0.1 (standalone) or the member's host.
        ensemble: every member when this server is one of an ensemble; empty for standalone.
        my_id: this server's 1-based position in ``ensemble``.
        java: the java executable (looked up on PATH when None).
        jar: ZooKeeper's server jar (Debian's by default).
        start_timeout: seconds to wait for ``imok`` before giving up.
    """

    def __init__(
        self,
        home: Path,
        port: int,
        *,
        ensemble: Sequence[EnsembleMember] = (),
        my_id: int = 1,
        java: str | None = None,
        jar: Path = ZOOKEEPER_JAR,
        start_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if start_timeout <= 0:
            raise ValueError(f"start_timeout must be positive, got {start_timeout}")
        if ensemble and not 1 <= my_id <= len(ensemble):
            raise ValueError(f"my_id must be 1..{len(ensemble)}, got {my_id}")
        if ensemble and ensemble[my_id - 1].client_port != port:
            raise ValueError(f"port {port} is not member {my_id}'s client port")
        self.directory = home / "zookeeper"
        self.port = port
        self.ensemble = tuple(ensemble)
        self.my_id = my_id
        self.host = ensemble[my_id - 1].host if ensemble else "127.0.0.1"
        self._java = java
        self._jar = jar
        self._start_timeout = start_timeout
        self._clock = clock
        self._sleep = sleep
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def connect_string(self) -> str:
        """What clients connect to: this server, or every member of the ensemble."""
        if self.ensemble:
            return ",".join(m.address for m in self.ensemble)
        return f"{self.host}:{self.port}"

    @property
    def pid_path(self) -> Path:
        """Holds the server's process id while it runs."""
        return self.directory / "zookeeper.pid"

    @property
    def log_path(self) -> Path:
        """Where the server's stdout and stderr go."""
        return self.directory / "zookeeper.log"

    def command(self) -> list[str]:
        """Return the command line that starts the server (checks the installation)."""
        java = shutil.which(self._java or "java")
        if java is None:
            raise ZooKeeperNotInstalledError("the 'java' executable")
        if not self._jar.is_file():
            raise ZooKeeperNotInstalledError(str(self._jar))
        class_path = f"{ZOOKEEPER_CONF_DIR}:{self._jar}"
        command = [java, "-cp", class_path, MAIN_CLASS, str(self.directory / "zoo.cfg")]
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            return command
        # The kernel sends SIGTERM to the server when the config server dies, even by SIGKILL.
        return [setpriv, "--pdeathsig", "TERM", *command]

    def start(self) -> None:
        """Write zoo.cfg, start the server and wait until it answers ``imok``."""
        if self._process is not None:
            raise ZooKeeperStartError("The embedded ZooKeeper is already running.")
        command = self.command()
        self._stop_stale()
        if ruok(self.host, self.port):
            raise ZooKeeperStartError(
                f"Port {self.port} already has a ZooKeeper server; give it with --zookeeper "
                "or choose another --zookeeper-port."
            )
        data_dir = self.directory / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        (self.directory / "zoo.cfg").write_text(
            zoo_cfg(data_dir, self.port, self.host, self.ensemble)
        )
        if self.ensemble:
            (data_dir / "myid").write_text(f"{self.my_id}\n")
        log.info("Starting embedded ZooKeeper on %s:%d", self.host, self.port)
        with self.log_path.open("ab") as out:
            self._process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self.pid_path.write_text(f"{self._process.pid}\n")
        self._wait_until_up()

    def _stop_stale(self) -> None:
        """Stop a server a previous config server of this home left (it was killed)."""
        try:
            pid = int(self.pid_path.read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if str(self.directory / "zoo.cfg").encode() not in cmdline:
            return
        log.warning("Stopping the embedded ZooKeeper (pid %d) a killed config server left", pid)
        with contextlib.suppress(ProcessLookupError):  # it may exit by itself meanwhile
            os.kill(pid, signal.SIGTERM)
            deadline = self._clock() + 10
            while Path(f"/proc/{pid}").exists() and self._clock() < deadline:
                self._sleep(0.1)
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)

    def _wait_until_up(self) -> None:
        process = self._process
        assert process is not None
        deadline = self._clock() + self._start_timeout
        while not ruok(self.host, self.port, timeout=0.5):
            if process.poll() is not None:
                self._process = None
                raise ZooKeeperStartError(
                    f"The embedded ZooKeeper exited with status {process.returncode} "
                    f"before answering; see {self.log_path}:\n{self._log_tail()}"
                )
            if self._clock() > deadline:
                self.stop()
                raise ZooKeeperStartError(
                    f"The embedded ZooKeeper did not answer 'ruok' on {self.host}:{self.port} "
                    f"within {self._start_timeout} s; see {self.log_path}"
                )
            self._sleep(0.1)
        log.info("Embedded ZooKeeper is up on %s:%d", self.host, self.port)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as e:
            return f"(log unreadable: {e})"
        return "\n".join(text.splitlines()[-lines:])

    @property
    def running(self) -> bool:
        """Whether the child process is alive."""
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        self.pid_path.unlink(missing_ok=True)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("Embedded ZooKeeper ignored SIGTERM; killing it")
                process.kill()
                process.wait()
        log.info("Embedded ZooKeeper stopped")

    def __enter__(self) -> EmbeddedZooKeeper:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
