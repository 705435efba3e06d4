"""Content node durability: torn crashes, failing disks, automatic flush, tombstone expiry."""

from __future__ import annotations

import asyncio
import random

import pytest

from content.bucketdb import locate
from content.errors import TlogWriteError
from content.node import StorageOptions
from tests.unit.content.test_node_support import Storage, open_node
from vespid.messages import GetRequest, PutRequest, RemoveRequest, VisitRequest

DOCS = [f"id:ns:music::{i}" for i in range(200)]


@pytest.mark.parametrize("seed", range(8))
def test_a_torn_crash_keeps_every_acknowledged_write(seed: int) -> None:
    """The second wave is written but never synced; the crash tears it anywhere."""

    async def feed() -> Storage:
        storage = Storage()
        node = open_node(storage, StorageOptions(segment_bytes=1 << 20))
        await asyncio.gather(*(node.put(PutRequest(d, {"title": d})) for d in DOCS[:100]))
        storage.tlog.fail("sync", "tlog-")
        second = [node.put(PutRequest(d, {"title": d})) for d in DOCS[100:]]
        results = await asyncio.gather(*second, return_exceptions=True)
        assert all(isinstance(r, TlogWriteError) for r in results)
        crashed = storage.crash(random.Random(seed))
        await node.aclose()
        return crashed

    crashed = asyncio.run(feed())

    async def check() -> list[bool]:
        node = open_node(crashed)
        found = [node.get(GetRequest(d)).found for d in DOCS]
        await node.aclose()
        return found

    found = asyncio.run(check())
    assert all(found[:100])
    assert found == sorted(found, reverse=True), "what survives is a prefix of the log"


def test_a_failing_sync_refuses_writes_but_keeps_reads() -> None:
    async def run() -> None:
        storage = Storage()
        node = open_node(storage)
        await node.put(PutRequest(DOCS[0], {"title": "kept"}))
        storage.tlog.fail("sync", "tlog-")
        with pytest.raises(TlogWriteError):
            await node.put(PutRequest(DOCS[1], {"title": "lost"}))
        with pytest.raises(TlogWriteError):
            await node.remove(RemoveRequest(DOCS[0]))
        assert node.get(GetRequest(DOCS[0])).fields == {"title": "kept"}
        storage.tlog.heal()
        survivor = open_node(storage.crash())
        assert survivor.get(GetRequest(DOCS[0])).found
        assert not survivor.get(GetRequest(DOCS[1])).found
        await survivor.aclose()

    asyncio.run(run())


def test_a_failing_snapshot_write_keeps_the_log() -> None:
    async def run() -> None:
        storage = Storage()
        node = open_node(storage, StorageOptions(segment_bytes=100))
        for doc in DOCS[:20]:
            await node.put(PutRequest(doc, {"title": doc}))
        segments = storage.tlog.list()
        storage.snapshots.fail("write_atomic", "documents")
        with pytest.raises(OSError, match="injected"):
            await node.flush()
        assert storage.tlog.list() == segments
        again = open_node(storage.crash())
        assert all(again.get(GetRequest(d)).found for d in DOCS[:20])
        await again.aclose()
        await node.aclose()

    asyncio.run(run())


def test_the_log_budget_triggers_a_flush() -> None:
    async def run() -> None:
        storage = Storage()
        node = open_node(storage, StorageOptions(segment_bytes=500, flush_bytes=2000))
        for doc in DOCS[:100]:
            await node.put(PutRequest(doc, {"title": doc}))
        await node.aclose()
        assert storage.snapshots.exists("documents.snapshot")
        assert len(storage.tlog.list()) < 10

    asyncio.run(run())


def test_tombstones_expire_at_flush_after_their_time() -> None:
    now = [1000.0]

    async def run() -> None:
        node = open_node(Storage(), StorageOptions(tombstone_ttl=60), clock=lambda: now[0])
        await node.put(PutRequest(DOCS[0], {"title": "x"}))
        await node.remove(RemoveRequest(DOCS[0]))
        bucket = locate(DOCS[0], 16)
        await node.flush()
        assert node.database.buckets.info(bucket).removed_count == 1
        now[0] += 61
        await node.flush()
        assert node.database.buckets.info(bucket).removed_count == 0
        assert node.database.store.get(DOCS[0]) is None
        assert node.visit(VisitRequest(include_removes=True)).documents == ()
        await node.aclose()

    asyncio.run(run())


def test_a_flush_with_nothing_new_keeps_the_previous_delta() -> None:
    """Two flushes at the same serial: the second must not replace the first's delta."""

    async def run() -> Storage:
        storage = Storage()
        node = open_node(storage)
        await node.put(PutRequest(DOCS[0], {"title": "kept"}))
        await node.put(PutRequest(DOCS[1], {"title": "removed"}))
        await node.put(PutRequest(DOCS[2], {"title": "kept"}))
        await node.flush()  # a full snapshot
        await node.remove(RemoveRequest(DOCS[1]))  # then deltas: 1 entry of 3
        await node.flush()
        await node.flush()
        await node.aclose()
        return storage

    storage = asyncio.run(run())

    async def check() -> tuple[bool, bool]:
        node = open_node(storage)
        found = node.get(GetRequest(DOCS[0])).found, node.get(GetRequest(DOCS[1])).found
        await node.aclose()
        return found

    assert asyncio.run(check()) == (True, False)
