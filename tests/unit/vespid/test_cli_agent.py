"""The node agent: command lines per docs/internals.md, and reconciling to each generation."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from vespid.cli.agent import NodeAgent, service_argv
from vespid.cli.processes import Home
from vespid.cli.supervisor import Backoff
from vespid.config import NodeAgentConfig, ServiceConfig

CONTAINER = ServiceConfig("container", "default", "localhost", 8080)
CONTENT = ServiceConfig("content", "music", "localhost", 19100, distribution_key=0)
ELSEWHERE = ServiceConfig("content", "music", "node2", 19100, distribution_key=1)


def test_container_and_content_command_lines(tmp_path: Path) -> None:
    home = Home(tmp_path)
    servers = ["http://cs1:19071", "http://cs2:19071"]
    assert service_argv(CONTAINER, servers, home, "py") == [
        "py", "-m", "container", "--port", "8080", "--cluster", "default",
        "--config-server", "http://cs1:19071,http://cs2:19071",
    ]  # fmt: skip
    assert service_argv(CONTENT, servers, home, "py") == [
        "py", "-m", "content", "--port", "19100", "--cluster", "music",
        "--config-server", "http://cs1:19071,http://cs2:19071",
        "--distribution-key", "0", "--data-dir", str(tmp_path / "data" / "content-music-0"),
    ]  # fmt: skip


def _sleeper(_: ServiceConfig) -> list[str]:
    return [sys.executable, "-c", "import time; time.sleep(60)"]


def test_apply_starts_this_hosts_services_and_stops_those_that_leave(tmp_path: Path) -> None:
    home = Home(tmp_path)

    async def scenario() -> None:
        agent = NodeAgent("localhost", home, _sleeper, backoff=lambda: Backoff(initial=0.01))
        await agent.apply(NodeAgentConfig(2, (CONTAINER, CONTENT, ELSEWHERE)))
        assert set(agent.services) == {CONTAINER, CONTENT}
        assert agent.generation == 2
        status = json.loads(home.services_status_file.read_text())
        assert set(status) == {CONTAINER.name, CONTENT.name}
        assert status[CONTENT.name]["quick_exits"] == 0
        content_supervisor = agent.services[CONTENT]

        moved = ServiceConfig("container", "default", "localhost", 8081)
        await agent.apply(NodeAgentConfig(3, (moved, CONTENT)))
        assert set(agent.services) == {moved, CONTENT}
        assert agent.services[CONTENT] is content_supervisor
        assert not home.pid_file(CONTAINER.name).exists()

        await agent.apply(NodeAgentConfig(4, ()))
        assert agent.services == {}
        assert list(home.run_dir.glob("*.pid")) == []
        assert json.loads(home.services_status_file.read_text()) == {}
        await agent.stop_all()

    asyncio.run(scenario())


def test_stop_all_stops_every_service(tmp_path: Path) -> None:
    home = Home(tmp_path)

    async def scenario() -> None:
        agent = NodeAgent("localhost", home, _sleeper)
        await agent.apply(NodeAgentConfig(2, (CONTAINER, CONTENT)))
        supervisors = list(agent.services.values())
        deadline = asyncio.get_running_loop().time() + 10
        while any(s.pid is None for s in supervisors):
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.02)
        await agent.stop_all()
        assert all(s.pid is None for s in supervisors)
        assert agent.services == {}

    asyncio.run(scenario())
