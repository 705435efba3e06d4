"""The session store contract, run here against the RAM store and in
tests/integration/configserver/test_zk_store.py against ZooKeeper."""

from __future__ import annotations

import threading

import pytest

from configserver.errors import ActivationConflictError, NotFoundError
from configserver.session import (
    MemorySessionStore,
    SessionRecord,
    SessionStatus,
    SessionStore,
)

FILES = {
    "services.xml": b"<services version='1.0'/>",
    "schemas/music.sd": b"schema music { document music {} }",
    "search/query-profiles/default.xml": b"<query-profile id='default'/>",
    "empty.txt": b"",
}


def record(session_id: int, tenant: str = "default", application: str = "default") -> SessionRecord:
    return SessionRecord(tenant, session_id, application, SessionStatus.NEW, 1_700_000_000_000)


class SessionStoreContract:
    """Every SessionStore implementation must pass these (Tantivy's directory tests)."""

    def test_session_ids_grow(self, store: SessionStore) -> None:
        ids = [store.next_session_id() for _ in range(5)]
        assert ids == sorted(set(ids))
        assert ids[0] >= 1

    def test_created_session_reads_back(self, store: SessionStore) -> None:
        store.create_session(record(7), FILES)
        assert store.read_session("default", 7) == record(7)
        assert store.read_files("default", 7) == FILES
        assert store.session_ids("default") == [7]
        assert store.read_prepared("default", 7) is None
        assert store.tenants() == ["default"]

    def test_large_file_round_trips(self, store: SessionStore) -> None:
        big = bytes(range(256)) * 5000
        store.create_session(record(3), {"models/big.onnx": big, "services.xml": b"x"})
        assert store.read_files("default", 3) == {"models/big.onnx": big, "services.xml": b"x"}

    def test_unknown_session(self, store: SessionStore) -> None:
        assert store.read_session("default", 99) is None
        assert store.session_ids("nobody") == []
        with pytest.raises(NotFoundError):
            store.read_files("default", 99)
        with pytest.raises(NotFoundError):
            store.write_prepared("default", 99, b"{}")

    def test_prepare_then_activate(self, store: SessionStore) -> None:
        store.create_session(record(1), FILES)
        store.write_prepared("default", 1, b'{"a":1}')
        assert store.read_prepared("default", 1) == b'{"a":1}'
        session = store.read_session("default", 1)
        assert session is not None
        assert session.status is SessionStatus.PREPARED
        assert store.active("default", "default") is None
        store.activate("default", "default", 1, None)
        active = store.active("default", "default")
        assert active is not None
        assert active.session_id == 1
        assert store.applications("default") == ["default"]
        activated = store.read_session("default", 1)
        assert activated is not None
        assert activated.status is SessionStatus.ACTIVATED

    def test_activation_deactivates_previous(self, store: SessionStore) -> None:
        for i in (1, 2):
            store.create_session(record(i), FILES)
            store.write_prepared("default", i, b"{}")
        store.activate("default", "default", 1, None)
        first = store.active("default", "default")
        store.activate("default", "default", 2, first)
        second = store.active("default", "default")
        assert second is not None
        assert second.session_id == 2
        assert first != second
        old = store.read_session("default", 1)
        assert old is not None
        assert old.status is SessionStatus.DEACTIVATED

    def test_stale_expected_pointer_conflicts(self, store: SessionStore) -> None:
        for i in (1, 2, 3):
            store.create_session(record(i), FILES)
            store.write_prepared("default", i, b"{}")
        store.activate("default", "default", 1, None)
        pointer = store.active("default", "default")
        store.activate("default", "default", 2, pointer)
        with pytest.raises(ActivationConflictError):
            store.activate("default", "default", 3, pointer)
        with pytest.raises(ActivationConflictError):
            store.activate("default", "default", 3, None)
        active = store.active("default", "default")
        assert active is not None
        assert active.session_id == 2
        loser = store.read_session("default", 3)
        assert loser is not None
        assert loser.status is SessionStatus.PREPARED

    def test_applications_are_separate(self, store: SessionStore) -> None:
        store.create_session(record(1, application="a"), FILES)
        store.create_session(record(2, tenant="other", application="b"), FILES)
        store.write_prepared("default", 1, b"{}")
        store.write_prepared("other", 2, b"{}")
        store.activate("default", "a", 1, None)
        store.activate("other", "b", 2, None)
        assert store.applications("default") == ["a"]
        assert store.applications("other") == ["b"]
        assert store.active("default", "b") is None
        assert store.tenants() == ["default", "other"]

    def test_delete_session(self, store: SessionStore) -> None:
        store.create_session(record(1), FILES)
        store.delete_session("default", 1)
        assert store.read_session("default", 1) is None
        assert store.session_ids("default") == []

    def test_replace_files(self, store: SessionStore) -> None:
        store.create_session(record(1), FILES)
        big = b"x" * 600_000
        store.replace_files("default", 1, {"services.xml": b"new", "models/m.onnx": big})
        assert store.read_files("default", 1) == {"services.xml": b"new", "models/m.onnx": big}
        with pytest.raises(NotFoundError):
            store.replace_files("default", 2, FILES)

    def test_deactivate(self, store: SessionStore) -> None:
        store.create_session(record(1), FILES)
        store.write_prepared("default", 1, b"{}")
        store.activate("default", "default", 1, None)
        pointer = store.active("default", "default")
        assert pointer is not None
        store.deactivate("default", "default", pointer)
        assert store.active("default", "default") is None
        assert store.applications("default") == []
        session = store.read_session("default", 1)
        assert session is not None
        assert session.status is SessionStatus.DEACTIVATED
        with pytest.raises(ActivationConflictError):
            store.deactivate("default", "default", pointer)

    def test_tenants(self, store: SessionStore) -> None:
        assert store.tenants() == ["default"]
        assert store.create_tenant("music")
        assert not store.create_tenant("music")
        store.create_session(record(1, tenant="music"), FILES)
        assert store.tenants() == ["default", "music"]
        store.delete_tenant("music")
        assert store.tenants() == ["default"]
        assert store.read_session("music", 1) is None

    def test_listener_hears_activation(self, store: SessionStore) -> None:
        heard = threading.Event()
        store.create_session(record(1), FILES)
        store.write_prepared("default", 1, b"{}")
        store.add_activation_listener(heard.set)
        heard.clear()
        store.activate("default", "default", 1, None)
        assert heard.wait(5)


class TestMemorySessionStore(SessionStoreContract):
    @pytest.fixture
    def store(self) -> SessionStore:
        return MemorySessionStore()
