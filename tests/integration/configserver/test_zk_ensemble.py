"""A three-server ZooKeeper ensemble on loopback, one member per config server as Vespa runs
it: deploy through one member, read through another, survive losing one member."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from configserver.session import SessionManager
from configserver.settings import parse_settings
from configserver.zk import EmbeddedZooKeeper, EnsembleMember, ZooKeeperSessionStore, connect
from tests.conftest import free_port
from tests.unit.configserver.test_session_manager import SERVICES, counting_ports, tiny_derive

pytestmark = [pytest.mark.zookeeper, pytest.mark.slow]


@pytest.fixture
def ensemble(tmp_path: Path) -> Iterator[list[EmbeddedZooKeeper]]:
    members = [EnsembleMember("127.0.0.1", free_port(), free_port(), free_port()) for _ in range(3)]
    servers = [
        EmbeddedZooKeeper(tmp_path / f"cs{i}", m.client_port, ensemble=members, my_id=i)
        for i, m in enumerate(members, start=1)
    ]
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
        yield servers


def manager_on(server: EmbeddedZooKeeper, stack: contextlib.ExitStack) -> SessionManager:
    """A config server's session manager connected to one member only."""
    client = connect(f"{server.host}:{server.port}", timeout=60)
    stack.callback(client.close)
    stack.callback(client.stop)
    return SessionManager(ZooKeeperSessionStore(client), tiny_derive, counting_ports())


def test_deploy_through_one_read_through_another(ensemble: list[EmbeddedZooKeeper]) -> None:
    assert ensemble[0].connect_string.count(",") == 2
    with contextlib.ExitStack() as stack:
        one, two, three = (manager_on(s, stack) for s in ensemble)
        heard = threading.Event()
        two.store.add_activation_listener(heard.set)
        heard.clear()
        session_id = one.create("default", {"services.xml": SERVICES})
        one.prepare("default", session_id)
        one.activate("default", session_id)
        assert heard.wait(10), "a member's watch fires once it has the activation"
        found = two.active_config("default", "default", "node")
        assert found is not None
        assert found[0] == session_id

        ensemble[0].stop()
        heard = threading.Event()
        three.store.add_activation_listener(heard.set)
        heard.clear()
        next_id = two.create("default", {"services.xml": SERVICES})
        two.prepare("default", next_id)
        two.activate("default", next_id)
        assert heard.wait(10)
        assert three.active_generation("default", "default") == next_id


def test_settings_for_a_member() -> None:
    argv = ["--zookeeper-ensemble", "a:1:2:3,b:4:5:6,c:7:8:9", "--zookeeper-id", "2"]
    settings = parse_settings(argv, {})
    assert settings.zookeeper_ensemble[1] == EnsembleMember("b", 4, 5, 6)
    assert settings.zookeeper_id == 2
