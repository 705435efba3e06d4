"""Transaction log: framing, torn tails, corruption, rotation, pruning, group commit."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from content.errors import TlogCorruptionError, TlogWriteError
from content.storage import Directory, FileDirectory, RamDirectory
from content.tlog import GroupCommitter, TransactionLog
from content.types import SerialNum

payloads = st.lists(st.binary(max_size=40), min_size=1, max_size=12)


def write_all(directory: Directory, items: list[bytes], segment_bytes: int = 1 << 20) -> None:
    tlog = TransactionLog.open(directory, segment_bytes=segment_bytes)
    for i, payload in enumerate(items):
        tlog.append(1000 + i, payload)
    tlog.close()


def replayed(directory: Directory, flushed: int = 0) -> list[bytes]:
    tlog = TransactionLog.open(directory, flushed_serial=flushed)
    return [r.payload for r in tlog.replay(SerialNum(flushed))]


def only_segment(directory: RamDirectory) -> str:
    (name,) = directory.list()
    return name


@pytest.mark.parametrize("kind", ["ram", "file"])
def test_records_come_back_in_order_with_serials_and_timestamps(kind: str, tmp_path: Path) -> None:
    directory: Directory = RamDirectory() if kind == "ram" else FileDirectory(tmp_path)
    write_all(directory, [b"a", b"", b"ccc"])
    records = list(TransactionLog.open(directory).replay(SerialNum(0)))
    assert [(r.serial, r.timestamp, r.payload) for r in records] == [
        (1, 1000, b"a"),
        (2, 1001, b""),
        (3, 1002, b"ccc"),
    ]


@given(items=payloads, data=st.data())
def test_a_file_cut_anywhere_replays_a_prefix(items: list[bytes], data: st.DataObject) -> None:
    directory = RamDirectory()
    write_all(directory, items)
    name = only_segment(directory)
    size = len(directory.files[name].data)
    directory.truncate(name, data.draw(st.integers(0, size)))
    result = replayed(directory)
    assert result == items[: len(result)]


@given(items=payloads, data=st.data())
def test_a_flipped_byte_is_detected(items: list[bytes], data: st.DataObject) -> None:
    directory = RamDirectory()
    write_all(directory, items)
    content = directory.files[only_segment(directory)].data
    position = data.draw(st.integers(0, len(content) - 1))
    content[position] ^= 1 << data.draw(st.integers(0, 7))
    outcome: list[bytes] | TlogCorruptionError
    try:
        outcome = replayed(directory)
    except TlogCorruptionError as e:
        outcome = e
    if isinstance(outcome, TlogCorruptionError):
        assert outcome.offset <= position
    else:
        assert outcome == items[: len(outcome)]
        assert len(outcome) < len(items)


def test_a_torn_tail_is_truncated_with_a_log_line_and_writing_continues(
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory = RamDirectory()
    write_all(directory, [b"one", b"two"])
    name = only_segment(directory)
    directory.truncate(name, len(directory.files[name].data) - 2)
    with caplog.at_level(logging.WARNING):
        tlog = TransactionLog.open(directory)
    assert "truncating torn tail" in caplog.text
    assert tlog.last_serial == 1
    tlog.append(5, b"three")
    tlog.commit()
    assert replayed(directory) == [b"one", b"three"]


def test_damage_before_the_tail_names_file_and_offset() -> None:
    directory = RamDirectory()
    write_all(directory, [b"first record", b"second record"])
    content = directory.files[only_segment(directory)].data
    content[8 + 28 + 2] ^= 0xFF
    with pytest.raises(TlogCorruptionError) as info:
        TransactionLog.open(directory)
    assert info.value.offset == 8
    assert "ram:tlog-" in str(info.value)
    assert "payload checksum" in str(info.value)


def test_a_zero_filled_tail_is_torn_not_corrupt() -> None:
    directory = RamDirectory()
    write_all(directory, [b"x"])
    directory.files[only_segment(directory)].data += bytes(100)
    assert replayed(directory) == [b"x"]


def test_segments_rotate_and_prune_behind_a_flush() -> None:
    directory = RamDirectory()
    tlog = TransactionLog.open(directory, segment_bytes=100)
    for i in range(20):
        tlog.append(i, b"p" * 30)
        tlog.commit()
    assert len(directory.list()) > 3
    assert tlog.prune(SerialNum(12)) > 0
    assert all(r.serial > 12 for r in tlog.replay(SerialNum(12)))
    tlog.close()
    reopened = TransactionLog.open(directory, flushed_serial=12, segment_bytes=100)
    assert [r.serial for r in reopened.replay(SerialNum(12))] == list(range(13, 21))


def test_missing_records_after_the_snapshot_are_corruption() -> None:
    directory = RamDirectory()
    tlog = TransactionLog.open(directory, segment_bytes=60)
    for i in range(6):
        tlog.append(i, b"p" * 30)
        tlog.commit()
    tlog.close()
    directory.delete(directory.list()[1])
    with pytest.raises(TlogCorruptionError, match="missing"):
        TransactionLog.open(directory)


def test_numbering_continues_after_the_snapshot_when_the_log_is_empty() -> None:
    tlog = TransactionLog.open(RamDirectory(), flushed_serial=41)
    assert tlog.append(0, b"x") == 42


def test_group_commit_shares_syncs_and_acks_only_durable_records() -> None:
    directory = RamDirectory()

    async def feed() -> tuple[int, RamDirectory]:
        tlog = TransactionLog.open(directory)
        committer = GroupCommitter(tlog)
        committer.start()

        async def write(i: int) -> None:
            await committer.durable(tlog.append(i, str(i).encode()))

        await asyncio.gather(*(write(i) for i in range(200)))
        crashed = directory.crash()
        await committer.aclose()
        return committer.commits, crashed

    commits, crashed = asyncio.run(feed())
    assert commits < 200
    assert sorted(replayed(crashed), key=int) == [str(i).encode() for i in range(200)]


def test_a_failed_sync_fails_the_writers_and_every_later_write() -> None:
    directory = RamDirectory()

    async def feed() -> None:
        tlog = TransactionLog.open(directory)
        committer = GroupCommitter(tlog)
        committer.start()
        await committer.durable(tlog.append(1, b"ok"))
        directory.fail("sync", "tlog-")
        with pytest.raises(TlogWriteError, match="injected sync failure"):
            await committer.durable(tlog.append(2, b"lost"))
        with pytest.raises(TlogWriteError):
            tlog.append(3, b"refused")
        await committer.aclose()

    asyncio.run(feed())
    directory.heal()
    assert replayed(directory.crash()) == [b"ok"]
