"""Starting Vespid as users do, for end-to-end tests and benchmarks: ports, packages, commands."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "apppackages" / "sample"
INVALID = REPO / "apppackages" / "invalid"


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_vespid(
    *args: str, timeout: float = 300, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``vespid`` command as a user would, capturing its output.

    ``env`` adds variables to this process's environment, and so to every process
    the command starts (``vespid up``'s services read their ``VESPID_*`` settings).
    """
    return subprocess.run(
        [sys.executable, "-m", "vespid.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )


@dataclass(frozen=True)
class Instance:
    """One running Vespid: where it lives and where it answers."""

    home: Path
    app_dir: Path
    config_port: int
    zookeeper_port: int
    container_port: int

    @property
    def config_server(self) -> str:
        """The config server's URL."""
        return f"http://localhost:{self.config_port}"

    @property
    def container(self) -> str:
        """The container's URL (from the rewritten services.xml)."""
        return f"http://localhost:{self.container_port}"

    def up_args(self) -> list[str]:
        """Flags of ``vespid up`` for this instance."""
        return [
            "--home", str(self.home),
            "--config-port", str(self.config_port),
            "--zookeeper-port", str(self.zookeeper_port),
            "--wait", "180",
        ]  # fmt: skip

    def query(self, yql: str, **params: Any) -> dict[str, Any]:
        """Run a query against the container and return the JSON result (expects 200)."""
        response = httpx.get(self.container + "/search/", params={"yql": yql, **params}, timeout=30)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def logs(self) -> str:
        """The end of every log under the home directory."""
        blocks = []
        for path in sorted((self.home / "logs").glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-60:]
            blocks.append(f"----- {path.name} (last {len(lines)} lines) -----\n" + "\n".join(lines))
        return "\n".join(blocks) or f"(no logs under {self.home})"


def copy_sample(target: Path, container_port: int, source: Path = SAMPLE) -> Path:
    """Copy a package (the sample by default) to ``target``, its container moved to
    ``container_port``."""
    shutil.copytree(source, target)
    services = target / "services.xml"
    text = services.read_text()
    assert 'port="8080"' in text
    services.write_text(text.replace('port="8080"', f'port="{container_port}"'))
    return target


@contextmanager
def running_instance(
    root: Path, write_app: Callable[[Path, int], Path] = copy_sample
) -> Iterator[Instance]:
    """A Vespid started with ``vespid up`` under ``root`` on free ports, for benchmarks;
    ``vespid down`` on exit. ``write_app(directory, container_port)`` writes the package.

    Raises:
        SystemExit: when ``vespid up`` fails (with its output and the services' logs).
    """
    container_port = free_port()
    inst = Instance(
        home=root / "home",
        app_dir=write_app(root / "app", container_port),
        config_port=free_port(),
        zookeeper_port=free_port(),
        container_port=container_port,
    )
    try:
        up = run_vespid("up", str(inst.app_dir), *inst.up_args())
        if up.returncode != 0:
            raise SystemExit(f"vespid up failed:\n{up.stdout}\n{up.stderr}\n{inst.logs()}")
        yield inst
    finally:
        run_vespid("down", "--home", str(inst.home), timeout=120)
