"""The embedded ZooKeeper, started for real from Debian's jars."""

from __future__ import annotations

from pathlib import Path

import pytest

from configserver.errors import ZooKeeperNotInstalledError, ZooKeeperStartError
from configserver.zk import EmbeddedZooKeeper, connect, ruok
from tests.conftest import free_port

pytestmark = pytest.mark.zookeeper


def test_starts_answers_and_stops(tmp_path: Path) -> None:
    server = EmbeddedZooKeeper(tmp_path, free_port())
    with server:
        assert ruok("127.0.0.1", server.port)
        client = connect(server.connect_string)
        client.create("/hello", b"world")
        client.stop()
        client.close()
        cfg = (tmp_path / "zookeeper" / "zoo.cfg").read_text()
        assert "admin.enableServer=false" in cfg
        assert "clientPortAddress=127.0.0.1" in cfg
    assert not server.running
    assert not ruok("127.0.0.1", server.port)


def test_data_survives_restart(tmp_path: Path) -> None:
    port = free_port()
    with EmbeddedZooKeeper(tmp_path, port) as server:
        client = connect(server.connect_string)
        client.create("/kept", b"yes")
        client.stop()
        client.close()
    with EmbeddedZooKeeper(tmp_path, port) as server:
        client = connect(server.connect_string)
        assert client.get("/kept")[0] == b"yes"
        client.stop()
        client.close()


def test_port_taken_by_another_zookeeper(
    tmp_path: Path, zookeeper_server: EmbeddedZooKeeper
) -> None:
    with pytest.raises(ZooKeeperStartError, match="already has a ZooKeeper"):
        EmbeddedZooKeeper(tmp_path, zookeeper_server.port).start()


def test_missing_jar_names_the_packages(tmp_path: Path) -> None:
    server = EmbeddedZooKeeper(tmp_path, free_port(), jar=tmp_path / "nope.jar")
    with pytest.raises(ZooKeeperNotInstalledError, match="zookeeper default-jre-headless"):
        server.start()


def test_missing_java_names_the_packages(tmp_path: Path) -> None:
    server = EmbeddedZooKeeper(tmp_path, free_port(), java=str(tmp_path / "no-java"))
    with pytest.raises(ZooKeeperNotInstalledError, match="'java' executable"):
        server.start()
