"""The session store in ZooKeeper (kazoo), the config server's single source of truth.

Node layout (see docs/zookeeper-layout.md), under a root (``/vespid``)::

    session-counter                          kazoo Counter: the last session id handed out
    activations                              "tenant/app/id" of the last activation; watched
    tenants/{t}/sessions/{id}/application    application name
    tenants/{t}/sessions/{id}/create-time    milliseconds since the epoch
    tenants/{t}/sessions/{id}/base           the active session id at creation ("" if none)
    tenants/{t}/sessions/{id}/files          JSON manifest {path: size}
    tenants/{t}/sessions/{id}/content/{path} file bytes; over CHUNK_SIZE: in children #0, #1...
    tenants/{t}/sessions/{id}/prepared       prepare result JSON, after prepare
    tenants/{t}/sessions/{id}/status         new|prepared|activated|deactivated, written last
    tenants/{t}/applications/{app}           the active session id

A session exists for readers once its ``status`` node does: it is created after every
other node, so a config server that dies half-way leaves nothing visible.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar

import orjson
from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import (
    BadVersionError,
    ConnectionClosedError,
    ConnectionLoss,
    KazooException,
    NodeExistsError,
    NoNodeError,
    RolledBackError,
    SessionExpiredError,
)
from kazoo.handlers.threading import KazooTimeoutError
from kazoo.retry import KazooRetry, RetryFailedError

from configserver.errors import ActivationConflictError, NotFoundError, ZooKeeperUnavailableError
from configserver.session.store import ActivePointer, SessionRecord, SessionStatus

log = logging.getLogger(__name__)

CHUNK_SIZE = 512 * 1024
"""Largest node we write: ZooKeeper refuses packets over ~1 MiB (jute.maxbuffer)."""
TRANSACTION_BYTES = 768 * 1024
"""Upper bound of the data written in one multi-op transaction."""

READ_RETRY_DEADLINE = 20.0
"""Seconds a read keeps retrying over connection loss (an ensemble electing a leader)."""

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="ZooKeeperSessionStore")


def connect(hosts: str, timeout: float = 15.0) -> KazooClient:
    """Connect to the ensemble ``hosts`` ("h:p,h:p[/chroot]") and return the started client."""
    client = KazooClient(hosts=hosts, timeout=10.0)
    try:
        client.start(timeout=timeout)
    except KazooTimeoutError as e:
        client.close()
        raise ZooKeeperUnavailableError(
            f"Cannot connect to ZooKeeper at {hosts} within {timeout} s"
        ) from e
    return client


def _unavailable_on_connection_loss(method: Callable[P, R]) -> Callable[P, R]:
    """Turn kazoo's connection errors into ZooKeeperUnavailableError."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (ConnectionLoss, SessionExpiredError, ConnectionClosedError) as e:
            raise ZooKeeperUnavailableError(f"ZooKeeper unavailable: {e!r}") from e

    return wrapper


def _retried(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Retry an operation that is safe to repeat while the connection is being re-established.

    Only reads and the session counter (a repeated increment just skips an id) use it:
    a write whose answer was lost may have been applied, so repeating it is not safe.
    """

    @functools.wraps(method)
    def wrapper(store: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result: R = store._retry.copy()(method, store, *args, **kwargs)
        except RetryFailedError as e:
            raise ZooKeeperUnavailableError(
                f"ZooKeeper unavailable for {READ_RETRY_DEADLINE} s"
            ) from e
        return result

    return wrapper


def _raise_first(failures: list[Exception]) -> None:
    """Raise the error of the operation that failed a transaction (the rest rolled back)."""
    if failures:
        raise next((f for f in failures if not isinstance(f, RolledBackError)), failures[0])


def _file_nodes(base: str, files: Mapping[str, bytes]) -> Iterator[tuple[str, bytes]]:
    """Yield (path, data) for every node holding ``files``, parents before children."""
    made: set[str] = set()
    for name in sorted(files):
        parts = name.split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            if directory not in made:
                made.add(directory)
                yield f"{base}/{directory}", b""
        data = files[name]
        if len(data) <= CHUNK_SIZE:
            yield f"{base}/{name}", data
        else:
            yield f"{base}/{name}", b""
            for i, start in enumerate(range(0, len(data), CHUNK_SIZE)):
                yield f"{base}/{name}/#{i}", data[start : start + CHUNK_SIZE]


class ZooKeeperSessionStore:
    """:class:`configserver.session.store.SessionStore` over a started KazooClient."""

    def __init__(self, client: KazooClient, root: str = "/vespid") -> None:
        self._client = client
        self._root = root.rstrip("/")
        self._retry = KazooRetry(max_tries=-1, max_delay=1.0, deadline=READ_RETRY_DEADLINE)
        client.ensure_path(f"{self._root}/tenants/default")
        if client.exists(self._activations_path) is None:
            try:
                client.create(self._activations_path, b"")
            except NodeExistsError:
                log.debug("Another config server created %s first", self._activations_path)
        self._counter = client.Counter(f"{self._root}/session-counter", default=0)
        self._counter_lock = threading.Lock()
        """kazoo's Counter keeps the last result on the object: one increment at a time."""

    @property
    def _activations_path(self) -> str:
        return f"{self._root}/activations"

    def _session_path(self, tenant: str, session_id: int) -> str:
        return f"{self._root}/tenants/{tenant}/sessions/{session_id}"

    def _application_path(self, tenant: str, application: str) -> str:
        return f"{self._root}/tenants/{tenant}/applications/{application}"

    @_unavailable_on_connection_loss
    @_retried
    def next_session_id(self) -> int:
        """Increment the shared counter (a version-checked set, retried on races)."""
        with self._counter_lock:
            self._counter += 1
            value = self._counter.post_value
        assert isinstance(value, int)
        return value

    @_unavailable_on_connection_loss
    def create_session(self, record: SessionRecord, files: Mapping[str, bytes]) -> None:
        """Write the session's nodes in batched transactions, then its status node."""
        base = self._session_path(record.tenant, record.session_id)
        self._client.ensure_path(f"{self._root}/tenants/{record.tenant}/sessions")
        manifest = {name: len(data) for name, data in files.items()}
        nodes: list[tuple[str, bytes]] = [
            (base, b""),
            (f"{base}/application", record.application.encode()),
            (f"{base}/create-time", str(record.create_time_ms).encode()),
            (
                f"{base}/base",
                b"" if record.base_session_id is None else b"%d" % record.base_session_id,
            ),
            (f"{base}/files", orjson.dumps(manifest)),
            (f"{base}/content", b""),
            *_file_nodes(f"{base}/content", files),
        ]
        try:
            self._create_all(nodes)
            self._client.create(f"{base}/status", record.status.value.encode())
        except KazooException:
            with contextlib.suppress(KazooException):  # best effort; invisible without status
                self._client.delete(base, recursive=True)
            raise

    @_unavailable_on_connection_loss
    def replace_files(self, tenant: str, session_id: int, files: Mapping[str, bytes]) -> None:
        """Delete the manifest and content tree, then write them anew (manifest last)."""
        base = self._session_path(tenant, session_id)
        if self._client.exists(f"{base}/status") is None:
            raise NotFoundError(f"Session {session_id} for tenant '{tenant}' does not exist.")
        with contextlib.suppress(NoNodeError):  # a replace that died half-way removed it
            self._client.delete(f"{base}/files")
        self._client.delete(f"{base}/content", recursive=True)
        manifest = orjson.dumps({name: len(data) for name, data in files.items()})
        content = [(f"{base}/content", b""), *_file_nodes(f"{base}/content", files)]
        self._create_all([*content, (f"{base}/files", manifest)])

    def _create_all(self, nodes: list[tuple[str, bytes]]) -> None:
        batch: list[tuple[str, bytes]] = []
        size = 0
        for path, data in nodes:
            if batch and size + len(data) + len(path) > TRANSACTION_BYTES:
                self._commit_creates(batch)
                batch, size = [], 0
            batch.append((path, data))
            size += len(data) + len(path)
        if batch:
            self._commit_creates(batch)

    def _commit_creates(self, batch: list[tuple[str, bytes]]) -> None:
        transaction = self._client.transaction()
        for path, data in batch:
            transaction.create(path, data)
        failures = [r for r in transaction.commit() if isinstance(r, Exception)]
        _raise_first(failures)

    @_unavailable_on_connection_loss
    @_retried
    def session_ids(self, tenant: str) -> list[int]:
        """Return the ids of the tenant's complete sessions."""
        path = f"{self._root}/tenants/{tenant}/sessions"
        try:
            children = self._client.get_children(path)
        except NoNodeError:
            return []
        ids = sorted(int(c) for c in children if c.isdigit())
        return [i for i in ids if self._client.exists(f"{path}/{i}/status") is not None]

    @_unavailable_on_connection_loss
    @_retried
    def read_session(self, tenant: str, session_id: int) -> SessionRecord | None:
        """Read the session's small nodes in parallel."""
        base = self._session_path(tenant, session_id)
        pending = {
            name: self._client.get_async(f"{base}/{name}")
            for name in ("status", "application", "create-time", "base")
        }
        try:
            values = {name: result.get()[0].decode() for name, result in pending.items()}
        except NoNodeError:
            return None
        return SessionRecord(
            tenant=tenant,
            session_id=session_id,
            application=values["application"],
            status=SessionStatus(values["status"]),
            create_time_ms=int(values["create-time"]),
            base_session_id=int(values["base"]) if values["base"] else None,
        )

    @_unavailable_on_connection_loss
    @_retried
    def read_files(self, tenant: str, session_id: int) -> dict[str, bytes]:
        """Read the manifest, then every file node (and chunk) in parallel."""
        base = self._session_path(tenant, session_id)
        try:
            manifest: dict[str, int] = orjson.loads(self._client.get(f"{base}/files")[0])
        except NoNodeError as e:
            raise NotFoundError(
                f"Session {session_id} for tenant '{tenant}' does not exist."
            ) from e
        pending: dict[str, list[Any]] = {}
        for name, size in manifest.items():
            path = f"{base}/content/{name}"
            if size <= CHUNK_SIZE:
                pending[name] = [self._client.get_async(path)]
            else:
                count = -(-size // CHUNK_SIZE)
                pending[name] = [self._client.get_async(f"{path}/#{i}") for i in range(count)]
        return {name: b"".join(r.get()[0] for r in parts) for name, parts in pending.items()}

    @_unavailable_on_connection_loss
    def write_prepared(self, tenant: str, session_id: int, prepared: bytes) -> None:
        """Write the prepare result and the status in one transaction."""
        base = self._session_path(tenant, session_id)
        transaction = self._client.transaction()
        if self._client.exists(f"{base}/prepared") is None:
            transaction.create(f"{base}/prepared", prepared)
        else:
            transaction.set_data(f"{base}/prepared", prepared)
        transaction.set_data(f"{base}/status", SessionStatus.PREPARED.value.encode())
        failures = [r for r in transaction.commit() if isinstance(r, Exception)]
        if any(isinstance(f, NoNodeError) for f in failures):
            raise NotFoundError(f"Session {session_id} for tenant '{tenant}' does not exist.")
        _raise_first(failures)

    @_unavailable_on_connection_loss
    @_retried
    def read_prepared(self, tenant: str, session_id: int) -> bytes | None:
        """Return the stored prepare result, or None before prepare."""
        try:
            data: bytes = self._client.get(f"{self._session_path(tenant, session_id)}/prepared")[0]
        except NoNodeError:
            return None
        return data

    @_unavailable_on_connection_loss
    @_retried
    def active(self, tenant: str, application: str) -> ActivePointer | None:
        """Return the active session id and the pointer node's version."""
        try:
            data, stat = self._client.get(self._application_path(tenant, application))
        except NoNodeError:
            return None
        return ActivePointer(int(data.decode()), stat.version)

    @_unavailable_on_connection_loss
    def activate(
        self, tenant: str, application: str, session_id: int, expected: ActivePointer | None
    ) -> None:
        """One transaction: set the pointer at the expected version, update both statuses."""
        pointer = self._application_path(tenant, application)
        self._client.ensure_path(pointer.rsplit("/", 1)[0])
        value = str(session_id).encode()
        transaction = self._client.transaction()
        if expected is None:
            transaction.create(pointer, value)
        else:
            transaction.set_data(pointer, value, version=expected.version)
            old_status = f"{self._session_path(tenant, expected.session_id)}/status"
            if self._client.exists(old_status) is not None:
                transaction.set_data(old_status, SessionStatus.DEACTIVATED.value.encode())
        status = f"{self._session_path(tenant, session_id)}/status"
        transaction.set_data(status, SessionStatus.ACTIVATED.value.encode())
        transaction.set_data(
            self._activations_path, f"{tenant}/{application}/{session_id}".encode()
        )
        failures = [r for r in transaction.commit() if isinstance(r, Exception)]
        if any(isinstance(f, BadVersionError | NodeExistsError) for f in failures):
            raise ActivationConflictError(
                f"Cannot activate session {session_id}: the active session of "
                f"{tenant}.{application} changed while activating."
            )
        _raise_first(failures)

    @_unavailable_on_connection_loss
    def deactivate(self, tenant: str, application: str, expected: ActivePointer) -> None:
        """One transaction: delete the pointer at the expected version, deactivate its session."""
        transaction = self._client.transaction()
        transaction.delete(self._application_path(tenant, application), version=expected.version)
        status = f"{self._session_path(tenant, expected.session_id)}/status"
        if self._client.exists(status) is not None:
            transaction.set_data(status, SessionStatus.DEACTIVATED.value.encode())
        transaction.set_data(self._activations_path, f"{tenant}/{application}/-".encode())
        failures = [r for r in transaction.commit() if isinstance(r, Exception)]
        if any(isinstance(f, BadVersionError | NoNodeError) for f in failures):
            raise ActivationConflictError(
                f"Cannot delete {tenant}.{application}: its active session changed."
            )
        _raise_first(failures)

    @_unavailable_on_connection_loss
    def delete_session(self, tenant: str, session_id: int) -> None:
        """Delete the status node first (the session vanishes), then the rest."""
        base = self._session_path(tenant, session_id)
        try:
            self._client.delete(f"{base}/status")
        except NoNodeError:
            log.debug("Session %s/%s had no status node", tenant, session_id)
        try:
            self._client.delete(base, recursive=True)
        except NoNodeError:
            log.debug("Session %s/%s was deleted by another config server", tenant, session_id)

    @_unavailable_on_connection_loss
    def create_tenant(self, tenant: str) -> bool:
        """Create the tenant's node; False when it existed."""
        try:
            self._client.create(f"{self._root}/tenants/{tenant}")
        except NodeExistsError:
            return False
        return True

    @_unavailable_on_connection_loss
    def delete_tenant(self, tenant: str) -> None:
        """Delete the tenant's subtree."""
        with contextlib.suppress(NoNodeError):  # another config server deleted it first
            self._client.delete(f"{self._root}/tenants/{tenant}", recursive=True)

    @_unavailable_on_connection_loss
    @_retried
    def tenants(self) -> list[str]:
        """Return the children of the tenants node."""
        return sorted(self._client.get_children(f"{self._root}/tenants"))

    @_unavailable_on_connection_loss
    @_retried
    def applications(self, tenant: str) -> list[str]:
        """Return the tenant's applications with an active pointer."""
        try:
            return sorted(self._client.get_children(f"{self._root}/tenants/{tenant}/applications"))
        except NoNodeError:
            return []

    def add_connection_listener(self, listener: Callable[[bool], None]) -> None:
        """Call ``listener(connected)`` (on kazoo's thread) when the connection state changes."""

        def on_state(state: str) -> None:
            listener(state == KazooState.CONNECTED)

        self._client.add_listener(on_state)

    def add_activation_listener(self, listener: Callable[[], None]) -> None:
        """Watch the activations node; kazoo calls back on its event thread."""

        def on_change(_data: bytes | None, _stat: object) -> None:
            listener()

        self._client.DataWatch(self._activations_path, on_change)
