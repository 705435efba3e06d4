"""One conformance suite for every `Directory` implementation (file and RAM)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from content.storage import Directory, FileDirectory, RamDirectory


@pytest.fixture(params=["ram", "file"])
def directory(request: pytest.FixtureRequest, tmp_path: Path) -> Directory:
    return RamDirectory() if request.param == "ram" else FileDirectory(tmp_path / "d")


def test_append_grows_a_file_and_reopening_continues(directory: Directory) -> None:
    file = directory.append("a.log")
    file.write(b"hello ")
    file.sync()
    assert file.size == 6
    file.close()
    again = directory.append("a.log")
    assert again.size == 6
    again.write(b"world")
    again.sync()
    again.close()
    assert directory.read("a.log") == b"hello world"
    assert directory.exists("a.log")


def test_truncate_delete_and_list(directory: Directory) -> None:
    for name in ("b", "a", "c"):
        file = directory.append(name)
        file.write(b"12345")
        file.sync()
        file.close()
    directory.truncate("b", 2)
    assert directory.read("b") == b"12"
    directory.delete("c")
    directory.delete("never-there")
    assert directory.list() == ["a", "b"]
    assert not directory.exists("c")
    with pytest.raises(FileNotFoundError):
        directory.read("c")


def test_write_atomic_replaces_the_whole_file(directory: Directory) -> None:
    directory.write_atomic("snap", iter([b"old"]))

    def chunks() -> Iterator[bytes]:
        yield b"new "
        yield b"content"

    directory.write_atomic("snap", chunks())
    assert directory.read("snap") == b"new content"
    assert directory.list() == ["snap"]


def test_describe_names_the_file(directory: Directory) -> None:
    assert directory.describe("x.log").endswith("x.log")


def test_a_crash_keeps_synced_bytes_and_may_tear_the_rest() -> None:
    directory = RamDirectory()
    file = directory.append("log")
    file.write(b"synced")
    file.sync()
    file.write(b"pending")
    assert directory.crash().read("log") == b"synced"
    torn = {directory.crash(random.Random(seed)).read("log") for seed in range(30)}
    assert all(t.startswith(b"synced") and b"syncedpending".startswith(t) for t in torn)
    assert len(torn) > 2


def test_injected_faults_raise_until_healed() -> None:
    directory = RamDirectory()
    file = directory.append("tlog-1")
    directory.fail("sync", "tlog-")
    file.write(b"x")
    with pytest.raises(OSError, match="injected sync failure"):
        file.sync()
    directory.heal()
    file.sync()
    assert directory.crash().read("tlog-1") == b"x"


def test_leftover_temp_files_are_removed_on_open(tmp_path: Path) -> None:
    (tmp_path / "snap.tmp").write_bytes(b"half written")
    directory = FileDirectory(tmp_path)
    assert directory.list() == []
    assert not (tmp_path / "snap.tmp").exists()
