"""The session state machine over the RAM store, with a small derive of our own.

``tiny_derive`` and ``make_zip`` are shared with the HTTP and integration tests.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import orjson
import pytest

from configserver.errors import (
    ActivationConflictError,
    BadRequestError,
    InvalidApplicationPackageError,
    NotFoundError,
    PreconditionFailedError,
)
from configserver.session import MemorySessionStore, SessionManager, SessionStatus
from vespid.config import (
    ContainerConfig,
    ContentConfig,
    NodeAgentConfig,
    ServiceConfig,
)

SERVICES = b"<services version='1.0'><container id='default'/></services>"


@dataclass(frozen=True)
class TinyDerived:
    content: ContentConfig
    container: ContainerConfig
    node: NodeAgentConfig
    warnings: list[str] = field(default_factory=list)


def tiny_derive(
    *,
    files: Mapping[str, bytes],
    generation: int,
    previous: NodeAgentConfig | None,
    allocate_port: Callable[[], int],
) -> TinyDerived:
    """A stand-in for configserver.model.derive_application: one container on the port in
    ``port.txt`` (8080 by default), one content node whose port stays stable across
    deploys, warnings from ``warnings.txt``, the content config in ``content.json``;
    invalid without services.xml."""
    if "services.xml" not in files:
        raise InvalidApplicationPackageError(["services.xml:1:1: missing services.xml"])
    old = {s.name: s.port for s in previous.services} if previous else {}
    content_port = old.get("content-music-0") or allocate_port()
    container_port = int(files.get("port.txt", b"8080"))
    services = (
        ServiceConfig("container", "default", "localhost", container_port),
        ServiceConfig("content", "music", "localhost", content_port, distribution_key=0),
    )
    warnings = files.get("warnings.txt", b"").decode().splitlines()
    content = ContentConfig(generation)
    if "content.json" in files:
        content = ContentConfig.from_json(
            {**orjson.loads(files["content.json"]), "generation": generation}
        )
    return TinyDerived(
        content,
        ContainerConfig(generation),
        NodeAgentConfig(generation, services),
        warnings,
    )


def make_zip(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def counting_ports(start: int = 30000) -> Callable[[], int]:
    counter = itertools.count(start)
    return lambda: next(counter)


@pytest.fixture
def manager() -> SessionManager:
    return SessionManager(MemorySessionStore(), tiny_derive, counting_ports(), clock=lambda: 1.5)


def deploy(manager: SessionManager, files: Mapping[str, bytes] | None = None) -> int:
    session_id = manager.create("default", files or {"services.xml": SERVICES})
    manager.prepare("default", session_id)
    manager.activate("default", session_id)
    return session_id


def test_create_prepare_activate(manager: SessionManager) -> None:
    session_id = manager.create("default", {"services.xml": SERVICES, "warnings.txt": b"hmm"})
    assert manager.session("default", session_id).status is SessionStatus.NEW
    assert manager.active_config("default", "default", "node") is None
    result = manager.prepare("default", session_id)
    assert [(e.level, e.message, e.time_ms) for e in result.log] == [("WARNING", "hmm", 1500)]
    assert result.change_actions == {"restart": [], "refeed": [], "reindex": []}
    assert manager.prepared("default", session_id) == result
    manager.activate("default", session_id)
    found = manager.active_config("default", "default", "node")
    assert found is not None
    generation, config = found
    assert generation == session_id
    assert NodeAgentConfig.from_json(config).generation == session_id


def test_content_ports_stay_across_deploys(manager: SessionManager) -> None:
    deploy(manager)
    first = manager.active_config("default", "default", "node")
    deploy(manager)
    second = manager.active_config("default", "default", "node")
    assert first is not None
    assert second is not None
    assert second[0] > first[0]
    assert first[1]["services"][1]["port"] == second[1]["services"][1]["port"] == 30000


def test_invalid_package_is_not_prepared(manager: SessionManager) -> None:
    session_id = manager.create("default", {"schemas/a.sd": b""})
    with pytest.raises(InvalidApplicationPackageError, match=r"missing services\.xml"):
        manager.prepare("default", session_id)
    assert manager.session("default", session_id).status is SessionStatus.NEW
    with pytest.raises(PreconditionFailedError):
        manager.activate("default", session_id)


def test_conflict_when_another_session_activated_since_creation(manager: SessionManager) -> None:
    first = deploy(manager)
    late = manager.create("default", {"services.xml": SERVICES})
    manager.prepare("default", late)
    winner = deploy(manager)
    with pytest.raises(ActivationConflictError, match=rf"active session \({winner}\) has changed"):
        manager.activate("default", late)
    assert manager.active_generation("default", "default") == winner
    assert manager.session("default", first).status is SessionStatus.DEACTIVATED


def test_activating_twice_is_a_bad_request(manager: SessionManager) -> None:
    session_id = deploy(manager)
    with pytest.raises(BadRequestError, match="already active"):
        manager.activate("default", session_id)


def test_deactivated_session_cannot_come_back(manager: SessionManager) -> None:
    old = deploy(manager)
    deploy(manager)
    with pytest.raises(PreconditionFailedError, match="deactivated"):
        manager.activate("default", old)
    with pytest.raises(PreconditionFailedError):
        manager.prepare("default", old)


def test_prepare_is_idempotent(manager: SessionManager) -> None:
    session_id = manager.create("default", {"services.xml": SERVICES})
    assert manager.prepare("default", session_id) == manager.prepare("default", session_id)


def test_unknowns(manager: SessionManager) -> None:
    with pytest.raises(NotFoundError):
        manager.prepare("default", 42)
    with pytest.raises(PreconditionFailedError):
        manager.prepared("default", manager.create("default", {"services.xml": SERVICES}))
    with pytest.raises(BadRequestError):
        manager.create("default", {})
    deploy(manager)
    with pytest.raises(NotFoundError, match="Unknown config kind"):
        manager.active_config("default", "default", "nope")


def test_applications_are_independent(manager: SessionManager) -> None:
    a = manager.create("default", {"services.xml": SERVICES}, application="a")
    manager.prepare("default", a)
    manager.activate("default", a)
    assert manager.active_generation("default", "a") == a
    assert manager.active_generation("default", "default") is None
