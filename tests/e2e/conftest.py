"""End-to-end fixtures: a whole Vespid started with ``vespid up`` on free loopback ports.

Like Datasette's server fixtures: each instance gets its own home directory and free
ports, is started the way users start it (the ``vespid`` command, in a subprocess),
waited on until it answers, and always stopped at teardown. When a test fails, the end
of every process's log is attached to the report (kazoo's log dump), because the cause
is usually in a service's log, not in the test's traceback.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "apppackages" / "sample"
INVALID = REPO / "apppackages" / "invalid"


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_vespid(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``vespid`` command as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "vespid.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
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


def copy_sample(target: Path, container_port: int) -> Path:
    """Copy the sample package to ``target``, its container moved to ``container_port``."""
    shutil.copytree(SAMPLE, target)
    services = target / "services.xml"
    text = services.read_text()
    assert 'port="8080"' in text
    services.write_text(text.replace('port="8080"', f'port="{container_port}"'))
    return target


_INSTANCES: list[Instance] = []


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """A Vespid with the sample package deployed, stopped after the module's tests."""
    root = tmp_path_factory.mktemp("vespid")
    container_port = free_port()
    inst = Instance(
        home=root / "home",
        app_dir=copy_sample(root / "app", container_port),
        config_port=free_port(),
        zookeeper_port=free_port(),
        container_port=container_port,
    )
    _INSTANCES.append(inst)
    try:
        up = run_vespid("up", str(inst.app_dir), *inst.up_args())
        if up.returncode != 0:
            pytest.fail(f"vespid up failed:\n{up.stdout}\n{up.stderr}\n{inst.logs()}")
        yield inst
    finally:
        down = run_vespid("down", "--home", str(inst.home), timeout=120)
        _INSTANCES.remove(inst)
        assert down.returncode == 0, down.stderr


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach every running instance's logs to a failing test's report."""
    report = yield
    if report.failed:
        for inst in _INSTANCES:
            report.sections.append((f"vespid logs ({inst.home})", inst.logs()))
    return report
