"""Several config servers, end to end: services fail over when theirs dies; stops are quick.

Three ``python -m configserver`` processes, each running one member of a 3-server
ZooKeeper ensemble (``--zookeeper-ensemble``/``--zookeeper-id``, as Vespa runs its config
servers), and one node agent (``vespid node``) given all three URLs, which passes them on
to the container and the content node it starts. A deploy through the first config
server reaches the services; the first is then SIGKILLed (its ZooKeeper member dies with
it), a new generation is deployed through the second, and every service must run it.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.e2e.harness import REPO, copy_sample, free_port
from tests.integration.configserver.test_zk_process import (
    ConfigServerProcess,
    deploy_retrying,
    logs_on_failure,
    zip_directory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.zookeeper, pytest.mark.timeout(180)]

DEPLOY = "/application/v2/tenant/default/prepareandactivate"
CONVERGE = (
    "/application/v2/tenant/default/application/default/environment/prod/region/default"
    "/instance/default/serviceconverge"
)
T = TypeVar("T")


def _eventually(check: Callable[[], T | None], what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.TransportError):
            result = check()
            if result is not None:
                return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _ensemble(root: Path, size: int = 3) -> list[ConfigServerProcess]:
    """Config servers, each the member ``i`` of one embedded ZooKeeper ensemble."""
    members = [(free_port(), free_port(), free_port()) for _ in range(size)]
    ensemble = ",".join(f"127.0.0.1:{c}:{p}:{e}" for c, p, e in members)
    servers = []
    for i, (client_port, _, _) in enumerate(members, start=1):
        server = ConfigServerProcess(root / f"cs{i}", free_port(), client_port)
        server.argv += ["--zookeeper-ensemble", ensemble, "--zookeeper-id", str(i)]
        servers.append(server)
    return servers


@contextlib.contextmanager
def _node_agent(home: Path, urls: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    """``vespid node`` for localhost, following every config server in ``urls``."""
    home.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "vespid.cli", "node", "--config-server", ",".join(urls)]
    with (home / "node-agent.log").open("ab") as out:
        agent = subprocess.Popen(
            [*argv, "--hostname", "localhost", "--home", str(home)],
            cwd=REPO,
            stdout=out,
            stderr=out,
        )
    try:
        yield agent
    finally:
        agent.send_signal(signal.SIGTERM)
        try:
            agent.wait(30)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait()


def _generation(url: str) -> int | None:
    response = httpx.get(url + "/state/v1/config", timeout=2)
    generation: int = response.json()["config"]["generation"]
    return generation


def _runs(url: str, generation: int) -> Callable[[], bool | None]:
    """A check that the service at ``url`` runs ``generation``."""
    return lambda: _generation(url) == generation or None


def _services(config_server: str) -> list[dict[str, Any]]:
    services: list[dict[str, Any]] = httpx.get(config_server + CONVERGE, timeout=10).json()[
        "services"
    ]
    return services


def _config_server_flags(home: Path) -> dict[str, str]:
    """The ``--config-server`` value each running service was started with, by kind."""
    flags = {}
    for pid_file in sorted((home / "run").glob("*.pid")):
        pid = pid_file.read_text().split()[0]
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        kind = argv[argv.index("-m") + 1]
        flags[kind] = argv[argv.index("--config-server") + 1]
    return flags


def _dump_agent_logs(home: Path) -> None:
    for path in sorted(home.rglob("*.log")):
        lines = path.read_text(errors="replace").splitlines()[-40:]
        print(f"===== {path}\n" + "\n".join(lines))


def test_services_fail_over_to_a_live_config_server(tmp_path: Path) -> None:
    servers = _ensemble(tmp_path)
    container_port = free_port()
    app = copy_sample(tmp_path / "app", container_port)
    container = f"http://localhost:{container_port}"
    agent_home = tmp_path / "node"
    with logs_on_failure(*servers):
        try:
            for server in servers:
                server.launch()
            for server in servers:
                server.start_wait()
            first = deploy_retrying(servers[0].url + DEPLOY, zip_directory(app))
            assert first.status_code == 200, first.text
            generation = int(first.json()["session-id"])

            with _node_agent(agent_home, [s.url for s in servers]):
                _eventually(
                    lambda: httpx.get(servers[1].url + CONVERGE).json()["converged"] or None,
                    "the services to run the first generation",
                )
                result = httpx.get(
                    container + "/search/", params={"yql": "select * from book where true"}
                )
                assert result.status_code == 200, result.text
                assert result.json()["root"]["fields"]["totalCount"] == 0
                services = _services(servers[1].url)
                urls = [f"http://localhost:{s['port']}" for s in services]
                assert {s["type"] for s in services} == {"container", "content"}
                assert all(_generation(u) == generation for u in urls)
                assert _config_server_flags(agent_home) == {
                    "container": ",".join(s.url for s in servers),
                    "content": ",".join(s.url for s in servers),
                }

                assert servers[0].signal(signal.SIGKILL) == -signal.SIGKILL
                second = deploy_retrying(servers[1].url + DEPLOY, zip_directory(app))
                assert second.status_code == 200, second.text
                new = int(second.json()["session-id"])
                assert new > generation
                deployed_at = time.monotonic()
                for url in urls:
                    _eventually(_runs(url, new), f"{url} to run generation {new}")
                took = time.monotonic() - deployed_at
                answer = httpx.get(servers[2].url + CONVERGE, timeout=10).json()
                assert answer["converged"] is True, answer
                assert answer["currentGeneration"] == new
                result = httpx.get(
                    container + "/search/", params={"yql": "select * from book where true"}
                )
                assert result.status_code == 200, result.text
                print(f"services converged on generation {new} {took:.2f} s after the deploy")
        except BaseException:
            _dump_agent_logs(agent_home)
            raise


def test_a_stop_does_not_wait_for_outstanding_long_polls(tmp_path: Path) -> None:
    """SIGTERM with a config long poll held open: the poll is answered and the server
    exits at once, instead of after uvicorn's graceful-shutdown timeout."""
    server = ConfigServerProcess(tmp_path / "home", free_port(), free_port())
    with logs_on_failure(server):
        server.start()
        deployed = deploy_retrying(
            server.url + DEPLOY,
            zip_directory(shutil.copytree(REPO / "apppackages" / "sample", tmp_path / "app")),
        )
        assert deployed.status_code == 200, deployed.text
        generation = int(deployed.json()["session-id"])
        answers: list[httpx.Response] = []
        poll = threading.Thread(
            target=lambda: answers.append(
                httpx.get(
                    server.url + "/config/v1/default/default/container",
                    params={"generation": generation, "timeout": 60},
                    timeout=70,
                )
            )
        )
        poll.start()
        time.sleep(0.5)  # the poll is waiting on the server now
        stopping = time.monotonic()
        assert server.signal(signal.SIGTERM) == 0
        took = time.monotonic() - stopping
        poll.join(10)
        assert [a.status_code for a in answers] == [200]
        assert answers[0].json()["generation"] == generation
        log = server.log.read_text()
        assert "timeout graceful shutdown exceeded" not in log
        assert took < 3, f"the config server took {took:.1f} s to stop\n{log}"
