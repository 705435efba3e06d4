"""The session store contract against a real ZooKeeper, plus what only ZooKeeper shows:
durability across clients and races between two stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from kazoo.exceptions import NodeExistsError

from configserver.errors import ActivationConflictError, NotFoundError
from configserver.session import SessionStore
from configserver.zk import EmbeddedZooKeeper, ZooKeeperSessionStore, connect
from tests.conftest import free_port
from tests.unit.configserver.test_session_store import FILES, SessionStoreContract, record

pytestmark = pytest.mark.zookeeper


@pytest.fixture
def stores(zookeeper_hosts: str) -> Iterator[list[ZooKeeperSessionStore]]:
    """Two stores on two clients of one chroot: two config servers sharing ZooKeeper."""
    clients = [connect(zookeeper_hosts), connect(zookeeper_hosts)]
    yield [ZooKeeperSessionStore(c) for c in clients]
    for client in clients:
        client.stop()
        client.close()


class TestZooKeeperSessionStore(SessionStoreContract):
    @pytest.fixture
    def store(self, stores: list[ZooKeeperSessionStore]) -> SessionStore:
        return stores[0]


def test_other_client_sees_session(stores: list[ZooKeeperSessionStore]) -> None:
    first, second = stores
    session_id = first.next_session_id()
    first.create_session(record(session_id), FILES)
    assert second.read_files("default", session_id) == FILES
    assert second.next_session_id() == session_id + 1


def test_half_written_session_is_invisible(
    stores: list[ZooKeeperSessionStore], zookeeper_hosts: str
) -> None:
    first, _ = stores
    client = connect(zookeeper_hosts)
    client.ensure_path("/vespid/tenants/default/sessions/5/content/schemas")
    client.stop()
    client.close()
    assert first.session_ids("default") == []
    assert first.read_session("default", 5) is None


def test_concurrent_activation_one_wins(stores: list[ZooKeeperSessionStore]) -> None:
    first, second = stores
    for i in (1, 2, 3):
        first.create_session(record(i), FILES)
        first.write_prepared("default", i, b"{}")
    first.activate("default", "default", 1, None)
    pointer = first.active("default", "default")
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def activate(store: ZooKeeperSessionStore, session_id: int) -> None:
        barrier.wait()
        try:
            store.activate("default", "default", session_id, pointer)
            outcomes.append("won")
        except ActivationConflictError:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=activate, args=(first, 2)),
        threading.Thread(target=activate, args=(second, 3)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]


def test_listener_hears_other_client(stores: list[ZooKeeperSessionStore]) -> None:
    first, second = stores
    heard = threading.Event()
    first.create_session(record(1), FILES)
    first.write_prepared("default", 1, b"{}")
    second.add_activation_listener(heard.set)
    heard.clear()
    first.activate("default", "default", 1, None)
    assert heard.wait(5)


def test_failed_upload_leaves_nothing(stores: list[ZooKeeperSessionStore]) -> None:
    first, _ = stores
    with pytest.raises(NodeExistsError):
        # The unpacker refuses a path that is both file and directory; here it fails a batch.
        first.create_session(record(4), {"a": b"x", "a/b": b"y"})
    assert first.session_ids("default") == []
    assert first.read_session("default", 4) is None
    with pytest.raises(NotFoundError):
        first.read_files("default", 4)


def test_connection_listener_follows_the_server(tmp_path: Path) -> None:
    states: list[bool] = []
    changed = threading.Event()

    def listener(connected: bool) -> None:
        states.append(connected)
        changed.set()

    port = free_port()
    with EmbeddedZooKeeper(tmp_path, port) as server:
        client = connect(server.connect_string)
        try:
            ZooKeeperSessionStore(client).add_connection_listener(listener)
            server.stop()
            assert changed.wait(15)
            assert states[-1] is False
            changed.clear()
            server.start()
            assert changed.wait(30)
            assert states[-1] is True
        finally:
            client.stop()
            client.close()


def test_session_ids_unique_across_threads_and_clients(
    stores: list[ZooKeeperSessionStore],
) -> None:
    ids: list[int] = []
    lock = threading.Lock()

    def take(store: ZooKeeperSessionStore) -> None:
        for _ in range(5):
            session_id = store.next_session_id()
            with lock:
                ids.append(session_id)

    threads = [threading.Thread(target=take, args=(stores[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(ids) == list(range(1, 21))
