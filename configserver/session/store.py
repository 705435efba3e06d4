"""The storage interface the session state machine runs over, and its value types.

Two implementations: :class:`configserver.zk.store.ZooKeeperSessionStore` (the real one,
ZooKeeper being the single source of truth, see docs/zookeeper-layout.md) and
:class:`configserver.session.memory.MemorySessionStore` (unit tests). Both pass one
conformance suite. The store knows nothing of the rules (which state may follow which);
it offers the few atomic operations the rules need, activation above all: switching an
application's active session is one compare-and-set over the application's active
pointer, so two concurrent activations cannot both win.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol


class SessionStatus(enum.Enum):
    """Where a session is in its life: new → prepared → activated → deactivated."""

    NEW = "new"
    PREPARED = "prepared"
    ACTIVATED = "activated"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """What the store keeps about a session besides its files."""

    tenant: str
    session_id: int
    application: str
    status: SessionStatus
    create_time_ms: int
    """Milliseconds since the epoch when the session was created."""
    base_session_id: int | None = None
    """The application's active session when this one was created (Vespa checks it on
    activation: another activation in between is a conflict)."""


@dataclass(frozen=True, slots=True)
class ActivePointer:
    """An application's active session, with the version of the pointer for compare-and-set."""

    session_id: int
    version: int


class SessionStore(Protocol):
    """Durable sessions and active pointers; every method may block on I/O."""

    def next_session_id(self) -> int:
        """Return a new session id, larger than every id returned before (any tenant)."""
        ...

    def create_session(self, record: SessionRecord, files: Mapping[str, bytes]) -> None:
        """Store a new session with its package ``files`` (path → bytes).

        The session becomes visible to readers only once everything is stored.
        """
        ...

    def session_ids(self, tenant: str) -> list[int]:
        """Return the ids of the tenant's sessions, ascending."""
        ...

    def read_session(self, tenant: str, session_id: int) -> SessionRecord | None:
        """Return the session's record, or None when there is no such session."""
        ...

    def read_files(self, tenant: str, session_id: int) -> dict[str, bytes]:
        """Return the session's package files; raises NotFoundError for an unknown session."""
        ...

    def write_prepared(self, tenant: str, session_id: int, prepared: bytes) -> None:
        """Store the prepare result (derived configs etc.) and set the status to prepared."""
        ...

    def read_prepared(self, tenant: str, session_id: int) -> bytes | None:
        """Return what :meth:`write_prepared` stored, or None before prepare."""
        ...

    def active(self, tenant: str, application: str) -> ActivePointer | None:
        """Return the application's active session pointer, or None when none is active."""
        ...

    def activate(
        self, tenant: str, application: str, session_id: int, expected: ActivePointer | None
    ) -> None:
        """Make ``session_id`` active if the pointer is still ``expected``, atomically.

        In the same atomic step the session's status becomes activated and the
        previously active session's (if any) deactivated. Raises
        ActivationConflictError when the pointer changed since ``expected`` was read.
        """
        ...

    def replace_files(self, tenant: str, session_id: int, files: Mapping[str, bytes]) -> None:
        """Replace a (new) session's package files; NotFoundError for an unknown session."""
        ...

    def deactivate(self, tenant: str, application: str, expected: ActivePointer) -> None:
        """Remove the application's active pointer if it is still ``expected``, atomically.

        The session it pointed to becomes deactivated in the same step; raises
        ActivationConflictError when the pointer changed.
        """
        ...

    def delete_session(self, tenant: str, session_id: int) -> None:
        """Remove a session and its files (never called for an active session)."""
        ...

    def create_tenant(self, tenant: str) -> bool:
        """Create the tenant; return False when it already existed."""
        ...

    def delete_tenant(self, tenant: str) -> None:
        """Delete the tenant with all its sessions (the caller checks it has no applications)."""
        ...

    def tenants(self) -> list[str]:
        """Return every tenant, sorted; ``default`` always exists."""
        ...

    def applications(self, tenant: str) -> list[str]:
        """Return the tenant's applications that have an active session, sorted."""
        ...

    def add_activation_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from any thread) after any activation, in any process."""
        ...
