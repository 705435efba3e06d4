"""A RAM implementation of the session store, for unit tests and single-process use."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping

from configserver.errors import ActivationConflictError, NotFoundError
from configserver.session.store import ActivePointer, SessionRecord, SessionStatus


@dataclasses.dataclass
class _Session:
    record: SessionRecord
    files: dict[str, bytes]
    prepared: bytes | None = None


class MemorySessionStore:
    """Sessions in dictionaries, guarded by one lock; same semantics as the ZooKeeper store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = 0
        self._sessions: dict[tuple[str, int], _Session] = {}
        self._active: dict[tuple[str, str], ActivePointer] = {}
        self._listeners: list[Callable[[], None]] = []
        self._tenants: set[str] = {"default"}

    def next_session_id(self) -> int:
        """Return the next value of a process-wide counter."""
        with self._lock:
            self._counter += 1
            return self._counter

    def create_session(self, record: SessionRecord, files: Mapping[str, bytes]) -> None:
        """Store a new session with its files."""
        with self._lock:
            self._tenants.add(record.tenant)
            self._sessions[(record.tenant, record.session_id)] = _Session(record, dict(files))

    def session_ids(self, tenant: str) -> list[int]:
        """Return the tenant's session ids, ascending."""
        with self._lock:
            return sorted(i for t, i in self._sessions if t == tenant)

    def read_session(self, tenant: str, session_id: int) -> SessionRecord | None:
        """Return the session's record, or None."""
        with self._lock:
            session = self._sessions.get((tenant, session_id))
            return None if session is None else session.record

    def read_files(self, tenant: str, session_id: int) -> dict[str, bytes]:
        """Return a copy of the session's files."""
        with self._lock:
            return dict(self._get(tenant, session_id).files)

    def write_prepared(self, tenant: str, session_id: int, prepared: bytes) -> None:
        """Store the prepare result and mark the session prepared."""
        with self._lock:
            session = self._get(tenant, session_id)
            session.prepared = prepared
            session.record = dataclasses.replace(session.record, status=SessionStatus.PREPARED)

    def read_prepared(self, tenant: str, session_id: int) -> bytes | None:
        """Return the stored prepare result, or None."""
        with self._lock:
            return self._get(tenant, session_id).prepared

    def active(self, tenant: str, application: str) -> ActivePointer | None:
        """Return the application's active pointer, or None."""
        with self._lock:
            return self._active.get((tenant, application))

    def activate(
        self, tenant: str, application: str, session_id: int, expected: ActivePointer | None
    ) -> None:
        """Compare-and-set the active pointer; statuses change in the same step."""
        with self._lock:
            key = (tenant, application)
            current = self._active.get(key)
            if current != expected:
                raise ActivationConflictError(
                    f"Cannot activate session {session_id}: the active session of "
                    f"{tenant}.{application} changed while activating."
                )
            session = self._get(tenant, session_id)
            if current is not None and (tenant, current.session_id) in self._sessions:
                old = self._sessions[(tenant, current.session_id)]
                old.record = dataclasses.replace(old.record, status=SessionStatus.DEACTIVATED)
            session.record = dataclasses.replace(session.record, status=SessionStatus.ACTIVATED)
            version = 0 if current is None else current.version + 1
            self._active[key] = ActivePointer(session_id, version)
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def replace_files(self, tenant: str, session_id: int, files: Mapping[str, bytes]) -> None:
        """Replace the session's files."""
        with self._lock:
            self._get(tenant, session_id).files = dict(files)

    def deactivate(self, tenant: str, application: str, expected: ActivePointer) -> None:
        """Compare-and-delete the active pointer; the session becomes deactivated."""
        with self._lock:
            key = (tenant, application)
            if self._active.get(key) != expected:
                raise ActivationConflictError(
                    f"Cannot delete {tenant}.{application}: its active session changed."
                )
            del self._active[key]
            session = self._sessions.get((tenant, expected.session_id))
            if session is not None:
                session.record = dataclasses.replace(
                    session.record, status=SessionStatus.DEACTIVATED
                )
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def delete_session(self, tenant: str, session_id: int) -> None:
        """Forget a session."""
        with self._lock:
            self._sessions.pop((tenant, session_id), None)

    def create_tenant(self, tenant: str) -> bool:
        """Add the tenant; False when it existed."""
        with self._lock:
            if tenant in self._tenants:
                return False
            self._tenants.add(tenant)
            return True

    def delete_tenant(self, tenant: str) -> None:
        """Forget the tenant and its sessions."""
        with self._lock:
            self._tenants.discard(tenant)
            for key in [k for k in self._sessions if k[0] == tenant]:
                del self._sessions[key]

    def tenants(self) -> list[str]:
        """Return every tenant."""
        with self._lock:
            return sorted(self._tenants)

    def applications(self, tenant: str) -> list[str]:
        """Return the tenant's applications with an active session."""
        with self._lock:
            return sorted(a for t, a in self._active if t == tenant)

    def add_activation_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every activation."""
        with self._lock:
            self._listeners.append(listener)

    def _get(self, tenant: str, session_id: int) -> _Session:
        session = self._sessions.get((tenant, session_id))
        if session is None:
            raise NotFoundError(f"Session {session_id} for tenant '{tenant}' does not exist.")
        return session
