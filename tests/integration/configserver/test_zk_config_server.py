"""Config servers sharing one real ZooKeeper: each "server" is the Starlette app over its own
kazoo client and store, as separate processes would have."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from configserver.http import build_app
from configserver.session import SessionManager
from configserver.zk import ZooKeeperSessionStore, connect
from tests.unit.configserver.test_http_deploy import INSTANCE_URL, PACKAGE, TENANT, ZIP
from tests.unit.configserver.test_session_manager import counting_ports, tiny_derive

pytestmark = pytest.mark.zookeeper
CONFIG = "http://cfg:19071/config/v1/default/default"


@contextlib.asynccontextmanager
async def config_server(hosts: str) -> AsyncIterator[httpx.AsyncClient]:
    """One config server over its own ZooKeeper connection; closed on exit (a restart)."""
    zk = await asyncio.to_thread(connect, hosts)
    try:
        store = await asyncio.to_thread(ZooKeeperSessionStore, zk)
        app = build_app(SessionManager(store, tiny_derive, counting_ports()))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://cfg:19071") as c:
                yield c
    finally:
        await asyncio.to_thread(zk.stop)
        zk.close()


def test_state_survives_restart(zookeeper_hosts: str) -> None:
    async def scenario() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        async with config_server(zookeeper_hosts) as first:
            deployed = await first.post(
                TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP
            )
            assert deployed.status_code == 200, deployed.text
        async with config_server(zookeeper_hosts) as restarted:
            config = await restarted.get(CONFIG + "/node")
            application = await restarted.get(INSTANCE_URL)
            again = await restarted.post(
                TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP
            )
        return config, application, again

    config, application, again = asyncio.run(scenario())
    assert config.json()["generation"] == 1
    assert config.json()["config"]["services"][1]["port"] == 30000
    assert application.json()["generation"] == 1
    assert again.json()["session-id"] == "2"


def test_concurrent_activation_conflicts(zookeeper_hosts: str) -> None:
    async def scenario() -> list[int]:
        async with config_server(zookeeper_hosts) as one, config_server(zookeeper_hosts) as two:
            await one.post(TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP)
            for server in (one, two):
                created = await server.post(TENANT + "/session", content=PACKAGE, headers=ZIP)
                session = created.json()["session-id"]
                await server.put(f"{TENANT}/session/{session}/prepared")
            results = await asyncio.gather(
                one.put(TENANT + "/session/2/active"), two.put(TENANT + "/session/3/active")
            )
            return sorted(r.status_code for r in results)

    assert asyncio.run(scenario()) == [200, 409]


def test_long_poll_sees_activation_through_another_server(zookeeper_hosts: str) -> None:
    async def scenario() -> tuple[int, float]:
        async with config_server(zookeeper_hosts) as one, config_server(zookeeper_hosts) as two:
            await one.post(TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP)
            params = {"generation": "1", "timeout": "30"}
            poll = asyncio.create_task(two.get(CONFIG + "/container", params=params))
            await asyncio.sleep(0.3)
            assert not poll.done()
            start = time.monotonic()
            await one.post(TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP)
            response = await poll
            return response.json()["generation"], time.monotonic() - start

    generation, elapsed = asyncio.run(scenario())
    assert generation == 2
    assert elapsed < 5


def test_expired_sessions_are_removed_but_not_the_active_one(zookeeper_hosts: str) -> None:
    zk = connect(zookeeper_hosts)
    try:
        now = [1000.0]
        manager = SessionManager(
            ZooKeeperSessionStore(zk), tiny_derive, counting_ports(), clock=lambda: now[0]
        )
        files = {"services.xml": b"<services/>"}
        for _ in range(2):
            session_id = manager.create("default", files)
            manager.prepare("default", session_id)
            manager.activate("default", session_id)
        abandoned = manager.create("default", files)
        now[0] += 3600
        assert manager.remove_expired(60) == [("default", 1), ("default", abandoned)]
        assert manager.store.session_ids("default") == [2]
        assert manager.active_generation("default", "default") == 2
    finally:
        zk.stop()
        zk.close()
