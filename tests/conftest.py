"""Shared fixtures: a real ZooKeeper per test session with a chroot per test; hypothesis profiles.

Pick the hypothesis profile with HYPOTHESIS_PROFILE=dev|check|ci|nightly (dev by default;
`make test` uses check).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from configserver.zk import EmbeddedZooKeeper, connect

settings.register_profile("dev", max_examples=30)
# `make test` (and so CI): the dev amount of examples, but the same examples every run and
# no per-example deadline, so a result never depends on luck or on the machine's load.
settings.register_profile(
    "check",
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("nightly", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def free_port() -> int:
    """Return a TCP port that is free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def zookeeper_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedZooKeeper]:
    """A real ZooKeeper server (Debian's jars) on a free loopback port, for the whole run."""
    home: Path = tmp_path_factory.mktemp("zookeeper-home")
    with EmbeddedZooKeeper(home, free_port()) as server:
        yield server


@pytest.fixture
def zookeeper_hosts(zookeeper_server: EmbeddedZooKeeper) -> str:
    """A connect string with a fresh chroot (``/test-<uuid>``), so tests never share nodes."""
    chroot = f"/test-{uuid.uuid4().hex}"
    client = connect(zookeeper_server.connect_string)
    try:
        client.create(chroot, b"")
    finally:
        client.stop()
        client.close()
    return zookeeper_server.connect_string + chroot
