"""The session state machine: create → prepare → activate, over a SessionStore.

A session is one upload of an application package. Preparing it derives the config
documents (through the injected ``derive`` function, normally
``configserver.model.derive_application``) against the application's active session,
and stores them; activating it makes it the application's active session, whose id is
the config generation services see. Every rule about which step may follow which lives
here; the store only offers atomic operations.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from configserver.errors import (
    ActivationConflictError,
    BadRequestError,
    InvalidApplicationPackageError,
    NotFoundError,
    PreconditionFailedError,
)
from configserver.session.changes import blocked_changes, change_actions, change_log
from configserver.session.overrides import OVERRIDES_FILE, allows, read_overrides, refusal
from configserver.session.store import SessionRecord, SessionStatus, SessionStore
from vespid.config import CONFIG_KINDS, ContainerConfig, ContentConfig, NodeAgentConfig

CHANGE_ACTION_KINDS = ("restart", "refeed", "reindex")


class DerivedApplication(Protocol):
    """What derive returns (``configserver.model.DerivedApplication``)."""

    @property
    def content(self) -> ContentConfig: ...
    @property
    def container(self) -> ContainerConfig: ...
    @property
    def node(self) -> NodeAgentConfig: ...
    @property
    def warnings(self) -> Sequence[str]: ...


class DeriveFunction(Protocol):
    """The signature of ``configserver.model.derive_application``."""

    def __call__(
        self,
        *,
        files: Mapping[str, bytes],
        generation: int,
        previous: NodeAgentConfig | None,
        allocate_port: Callable[[], int],
    ) -> DerivedApplication: ...


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of a deploy answer's ``log``."""

    time_ms: int
    level: str
    message: str

    def to_json(self) -> dict[str, Any]:
        """Return the entry as the deploy API writes it."""
        return {"time": self.time_ms, "level": self.level, "message": self.message}


@dataclass(frozen=True, slots=True)
class PrepareResult:
    """What prepare produced and stored: the derived configs, the log, the change actions."""

    session_id: int
    application: str
    configs: dict[str, Any]
    """Config kind (``content``, ``container``, ``node``) → the config document's JSON."""
    log: tuple[LogEntry, ...] = ()
    change_actions: dict[str, list[Any]] = field(
        default_factory=lambda: {kind: [] for kind in CHANGE_ACTION_KINDS}
    )

    def to_bytes(self) -> bytes:
        """Serialize for the store."""
        return orjson.dumps(
            {
                "session-id": self.session_id,
                "application": self.application,
                "configs": self.configs,
                "log": [e.to_json() for e in self.log],
                "configChangeActions": self.change_actions,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> PrepareResult:
        """Read what :meth:`to_bytes` wrote."""
        raw = orjson.loads(data)
        return cls(
            session_id=raw["session-id"],
            application=raw["application"],
            configs=raw["configs"],
            log=tuple(LogEntry(e["time"], e["level"], e["message"]) for e in raw["log"]),
            change_actions=raw["configChangeActions"],
        )


class SessionManager:
    """Create, prepare and activate sessions; read the active application's configs."""

    def __init__(
        self,
        store: SessionStore,
        derive: DeriveFunction,
        allocate_port: Callable[[], int],
        *,
        clock: Callable[[], float] = time.time,
        cache_size: int = 32,
    ) -> None:
        if cache_size < 1:
            raise ValueError(f"cache_size must be at least 1, got {cache_size}")
        self.store = store
        self._derive = derive
        self._allocate_port = allocate_port
        self._clock = clock
        self._cache: OrderedDict[tuple[str, int], PrepareResult] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def require_tenant(self, tenant: str) -> None:
        """Raise NotFoundError unless the tenant exists."""
        if tenant not in self.store.tenants():
            raise NotFoundError(f"Tenant '{tenant}' was not found.")

    def create_tenant(self, tenant: str) -> None:
        """Create a tenant; BadRequestError when it exists."""
        if not self.store.create_tenant(tenant):
            raise BadRequestError(f"There already exists a tenant '{tenant}'")

    def delete_tenant(self, tenant: str) -> None:
        """Delete a tenant that has no active applications, with its sessions."""
        self.require_tenant(tenant)
        applications = self.store.applications(tenant)
        if applications:
            raise BadRequestError(
                f"Cannot delete tenant '{tenant}', as it has active applications: "
                + ", ".join(f"{tenant}.{a}" for a in applications)
            )
        self.store.delete_tenant(tenant)

    def create(self, tenant: str, files: Mapping[str, bytes], application: str = "default") -> int:
        """Store ``files`` as a new session of ``tenant`` and return its id."""
        self.require_tenant(tenant)
        if not files:
            raise BadRequestError("The application package is empty.")
        session_id = self.store.next_session_id()
        active = self.store.active(tenant, application)
        record = SessionRecord(
            tenant,
            session_id,
            application,
            SessionStatus.NEW,
            self._now_ms(),
            base_session_id=None if active is None else active.session_id,
        )
        self.store.create_session(record, files)
        return session_id

    def clone(self, from_tenant: str, application: str, tenant: str) -> int:
        """Create a session of ``tenant`` with the files of an application's active session."""
        active = self.store.active(from_tenant, application)
        if active is None:
            raise NotFoundError(f"Application '{from_tenant}.{application}' has no active session.")
        return self.create(
            tenant, self.store.read_files(from_tenant, active.session_id), application
        )

    def session(self, tenant: str, session_id: int) -> SessionRecord:
        """Return the session's record; NotFoundError when there is none."""
        record = self.store.read_session(tenant, session_id)
        if record is None:
            raise NotFoundError(f"Session {session_id} for tenant '{tenant}' does not exist.")
        return record

    def files(self, tenant: str, session_id: int) -> dict[str, bytes]:
        """Return the session's package files."""
        self.session(tenant, session_id)
        return self.store.read_files(tenant, session_id)

    def write_file(self, tenant: str, session_id: int, path: str, data: bytes | None) -> None:
        """Write (``data``) or delete (None) one file of a session that is not prepared yet."""
        record = self.session(tenant, session_id)
        if record.status is not SessionStatus.NEW:
            raise PreconditionFailedError(
                f"Session {session_id} is {record.status.value}; its files can only be "
                "changed before it is prepared."
            )
        files = self.store.read_files(tenant, session_id)
        if data is not None:
            files[path] = data
        elif path in files:
            del files[path]
        elif any(name.startswith(path.rstrip("/") + "/") for name in files):
            raise BadRequestError(f"File '{path}' is not an empty directory")
        else:
            raise NotFoundError(f"Session {session_id} has no file '{path}'.")
        self.store.replace_files(tenant, session_id, files)

    def delete_application(self, tenant: str, application: str) -> None:
        """Deactivate the application: services get 404 from the config API afterwards."""
        active = self.store.active(tenant, application)
        if active is None:
            raise NotFoundError(f"Application '{tenant}.{application}' was not found.")
        self.store.deactivate(tenant, application, active)

    def prepare(self, tenant: str, session_id: int) -> PrepareResult:
        """Derive the session's configs against the active application and store them.

        Preparing an already prepared session returns the stored result.
        """
        record = self.session(tenant, session_id)
        if record.status is SessionStatus.PREPARED:
            return self.prepared(tenant, session_id)
        if record.status is not SessionStatus.NEW:
            raise PreconditionFailedError(
                f"Session {session_id} is {record.status.value}; only a new session can be "
                "prepared. Create a new session to deploy again."
            )
        active = self.store.active(tenant, record.application)
        previous = None if active is None else self._result(tenant, active.session_id)
        files = self.store.read_files(tenant, session_id)
        derived = self._derive(
            files=files,
            generation=session_id,
            previous=None
            if previous is None
            else NodeAgentConfig.from_json(previous.configs["node"]),
            allocate_port=self._allocate_port,
        )
        old_content = (
            None if previous is None else ContentConfig.from_json(previous.configs["content"])
        )
        actions = change_actions(old_content, derived.content)
        self._check_overrides(files, blocked_changes(old_content, derived.content, actions))
        warnings = [*derived.warnings, *change_log(actions)]
        now = self._now_ms()
        result = PrepareResult(
            session_id=session_id,
            application=record.application,
            configs={
                "content": derived.content.to_json(),
                "container": derived.container.to_json(),
                "node": derived.node.to_json(),
            },
            log=tuple(LogEntry(now, "WARNING", w) for w in warnings),
            change_actions=actions,
        )
        self.store.write_prepared(tenant, session_id, result.to_bytes())
        return result

    def _check_overrides(self, files: Mapping[str, bytes], blocked: list[tuple[str, str]]) -> None:
        """Raise InvalidApplicationPackageError for blocked changes no override allows."""
        today = datetime.datetime.fromtimestamp(self._clock(), datetime.UTC).date()
        overrides = read_overrides(files.get(OVERRIDES_FILE), today)
        refused = [
            refusal(validation_id, message, today)
            for validation_id, message in blocked
            if not allows(overrides, validation_id, today)
        ]
        if refused:
            raise InvalidApplicationPackageError(refused)

    def prepared(self, tenant: str, session_id: int) -> PrepareResult:
        """Return the stored prepare result; PreconditionFailedError before prepare."""
        record = self.session(tenant, session_id)
        if record.status is SessionStatus.NEW:
            raise PreconditionFailedError(f"Session {session_id} is not prepared.")
        return self._result(tenant, session_id)

    def activate(self, tenant: str, session_id: int) -> SessionRecord:
        """Make the prepared session its application's active one; return its record.

        Raises ActivationConflictError (409) when another session was activated since
        this one was created (so a deploy never undoes one it did not see), and
        BadRequestError when the session is already active.
        """
        record = self.session(tenant, session_id)
        name = f"{tenant}.{record.application}"
        active = self.store.active(tenant, record.application)
        current = None if active is None else active.session_id
        if record.status is SessionStatus.ACTIVATED and current == session_id:
            raise BadRequestError(f"app:{name} Session {session_id} is already active")
        if record.status is not SessionStatus.PREPARED:
            raise PreconditionFailedError(
                f"app:{name} Session {session_id} is {record.status.value}; only a prepared "
                "session can be activated."
            )
        if current != record.base_session_id:
            raise ActivationConflictError(
                f"app:{name} Cannot activate session {session_id} because the currently active "
                f"session ({current}) has changed since session {session_id} was created "
                f"(was {record.base_session_id} at creation time)"
            )
        self.store.activate(tenant, record.application, session_id, active)
        return self.session(tenant, session_id)

    def remove_expired(self, max_age_s: float) -> list[tuple[str, int]]:
        """Delete sessions older than ``max_age_s`` seconds, never an active one.

        Returns the (tenant, session id) pairs removed.
        """
        oldest_kept = self._now_ms() - int(max_age_s * 1000)
        removed: list[tuple[str, int]] = []
        for tenant in self.store.tenants():
            pointers = (self.store.active(tenant, a) for a in self.store.applications(tenant))
            active = {p.session_id for p in pointers if p is not None}
            for session_id in self.store.session_ids(tenant):
                record = self.store.read_session(tenant, session_id)
                if record is None or session_id in active:
                    continue
                if record.status is SessionStatus.ACTIVATED:
                    continue
                if record.create_time_ms < oldest_kept:
                    self.store.delete_session(tenant, session_id)
                    removed.append((tenant, session_id))
        return removed

    def active_generation(self, tenant: str, application: str) -> int | None:
        """Return the active session id (the generation), or None when none is active."""
        active = self.store.active(tenant, application)
        return None if active is None else active.session_id

    def active_result(self, tenant: str, application: str) -> PrepareResult | None:
        """Return the active session's prepare result, or None when none is active."""
        active = self.store.active(tenant, application)
        return None if active is None else self._result(tenant, active.session_id)

    def active_config(self, tenant: str, application: str, kind: str) -> tuple[int, Any] | None:
        """Return (generation, config JSON) of ``kind`` for the active session, or None."""
        if kind not in CONFIG_KINDS:
            raise NotFoundError(
                f"Unknown config kind '{kind}'; expected one of {', '.join(sorted(CONFIG_KINDS))}."
            )
        result = self.active_result(tenant, application)
        if result is None:
            return None
        return result.session_id, result.configs[kind]

    def _result(self, tenant: str, session_id: int) -> PrepareResult:
        """Return a session's prepare result; results never change once written."""
        key = (tenant, session_id)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        data = self.store.read_prepared(tenant, session_id)
        if data is None:
            raise PreconditionFailedError(f"Session {session_id} is not prepared.")
        result = PrepareResult.from_bytes(data)
        with self._cache_lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result
