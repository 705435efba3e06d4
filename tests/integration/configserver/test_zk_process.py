"""``python -m configserver`` as a real process with its embedded ZooKeeper: deploy a real
sample application, SIGKILL the server, restart it, and find the same state."""

from __future__ import annotations

import contextlib
import io
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from configserver.zk import ruok
from tests.conftest import free_port

pytestmark = pytest.mark.zookeeper
REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "apppackages" / "sample"


def zip_directory(root: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def deploy_retrying(url: str, package: bytes, patience: float = 60) -> httpx.Response:
    """POST the package, retrying on 503 as clients do while ZooKeeper elects a leader."""
    deadline = time.monotonic() + patience
    while True:
        response = httpx.post(
            url, content=package, headers={"Content-Type": "application/zip"}, timeout=60
        )
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


class ConfigServerProcess:
    def __init__(self, home: Path, port: int, zookeeper_port: int) -> None:
        self.home = home
        self.url = f"http://127.0.0.1:{port}"
        self.argv = [
            sys.executable, "-m", "configserver", "--port", str(port), "--home", str(home),
            "--zookeeper-port", str(zookeeper_port), "--listen", "127.0.0.1",
        ]  # fmt: skip
        self.log = home / "configserver.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.launch()
        self.start_wait()

    def launch(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.argv, cwd=REPO, stdout=out, stderr=out)

    def start_wait(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"config server exited:\n{self.log.read_text()}")
            try:
                if httpx.get(self.url + "/status.html", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        pytest.fail(f"config server did not start:\n{self.log.read_text()}")

    def signal(self, signum: int) -> int:
        assert self.process is not None
        self.process.send_signal(signum)
        return self.process.wait(20)


@contextlib.contextmanager
def logs_on_failure(*servers: ConfigServerProcess) -> Iterator[None]:
    """Print every server's log when the test fails, then stop the servers that still run."""
    try:
        yield
    except BaseException:
        for server in servers:
            if server.log.exists():
                print(f"===== {server.log}\n{server.log.read_text(errors='replace')}")
        raise
    finally:
        for server in servers:
            if server.process is not None and server.process.poll() is None:
                server.signal(signal.SIGTERM)


def test_deploy_kill_restart(tmp_path: Path) -> None:
    server = ConfigServerProcess(tmp_path / "home", free_port(), free_port())
    with logs_on_failure(server):
        server.start()
        deployed = httpx.post(
            server.url + "/application/v2/tenant/default/prepareandactivate",
            content=zip_directory(SAMPLE),
            headers={"Content-Type": "application/zip"},
            timeout=30,
        )
        assert deployed.status_code == 200, deployed.text
        config_url = server.url + "/config/v1/default/default/container"
        before = httpx.get(config_url, timeout=10).json()
        assert server.signal(signal.SIGKILL) == -signal.SIGKILL

        server.start()
        after = httpx.get(config_url, timeout=10).json()
        assert after == before
        zookeeper_port = int(server.argv[server.argv.index("--zookeeper-port") + 1])
        assert server.signal(signal.SIGTERM) == 0
        assert not ruok("127.0.0.1", zookeeper_port)


@pytest.mark.slow
def test_three_config_servers_one_ensemble(tmp_path: Path) -> None:
    """Each config server runs one member of a 3-server ensemble; deploy through the first,
    read and long-poll through the others, then lose the first and deploy through another."""
    members = [f"127.0.0.1:{free_port()}:{free_port()}:{free_port()}" for _ in range(3)]
    servers = [
        ConfigServerProcess(tmp_path / f"cs{i}", free_port(), int(m.split(":")[1]))
        for i, m in enumerate(members, start=1)
    ]
    for i, server in enumerate(servers, start=1):
        server.argv += ["--zookeeper-ensemble", ",".join(members), "--zookeeper-id", str(i)]
    with logs_on_failure(*servers):
        for server in servers:
            server.launch()
        for server in servers:
            server.start_wait()
        package = zip_directory(SAMPLE)
        deploy_path = "/application/v2/tenant/default/prepareandactivate"
        headers = {"Content-Type": "application/zip"}
        first = httpx.post(
            servers[0].url + deploy_path, content=package, headers=headers, timeout=30
        )
        assert first.status_code == 200, first.text
        generation = int(first.json()["session-id"])
        config_path = "/config/v1/default/default/node"
        params = {"generation": str(generation - 1), "timeout": "10"}
        for server in servers[1:]:
            answer = httpx.get(server.url + config_path, params=params, timeout=20).json()
            assert answer["generation"] == generation

        assert servers[0].signal(signal.SIGKILL) == -signal.SIGKILL
        second = deploy_retrying(servers[1].url + deploy_path, package)
        assert second.status_code == 200, second.text
        params = {"generation": str(generation), "timeout": "10"}
        answer = httpx.get(servers[2].url + config_path, params=params, timeout=20).json()
        assert answer["generation"] == int(second.json()["session-id"]) > generation
