"""Search after a restart: snapshots of the search side, loaded instead of rebuilt.

A node fed random puts, updates and removes, flushed and restarted in between, must
answer every query kind (text with bm25 and nativeRank, attribute filters on fast-search
and plain attributes, array attributes, prefix, nearestNeighbor on an HNSW field) exactly
as a node fed the same writes that never restarted. After a flush the restart loads the
index snapshot (no rebuild); a missing, stale or damaged snapshot is rebuilt from the
document store with a log line, never giving other answers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from hypothesis import example, given, settings, strategies as st

from content.node import ContentNode, DocumentDatabase, StorageOptions
from content.storage import RamDirectory
from tests.unit.content.test_node_support import Storage, content_config
from vespid.config import (
    FieldConfig,
    HnswConfig,
    InputConfig,
    RankProfileConfig,
    SchemaConfig,
)
from vespid.messages import (
    AndItem,
    Item,
    NearestNeighborItem,
    PutRequest,
    RangeItem,
    RemoveRequest,
    SearchRequest,
    UpdateRequest,
    item_to_json,
)
from vespid.messages.query import OrItem, PhraseItem, TermItem, TrueItem

SCHEMA = SchemaConfig(
    name="music",
    fields=(
        FieldConfig("title", "string", index=True, summary=True),
        FieldConfig("year", "int", attribute=True, fast_search=True),
        FieldConfig("genre", "string", attribute=True),
        FieldConfig("tags", "array<string>", attribute=True),
        FieldConfig("score", "double", attribute=True),
        FieldConfig(
            "embedding",
            "tensor<float>(x[2])",
            attribute=True,
            hnsw=HnswConfig(),
            distance_metric="euclidean",
        ),
    ),
    rank_profiles=(
        RankProfileConfig("text", first_phase="bm25(title) + attribute(score)"),
        RankProfileConfig(
            "near",
            inputs=(InputConfig("q", "tensor<float>(x[2])"),),
            first_phase="closeness(field, embedding)",
        ),
    ),
)
CONFIG = content_config(schema=SCHEMA)
IDS = [f"id:ns:music::{i}" for i in range(8)]
WORDS = ["red", "read", "blue", "love", "song"]

coordinate = st.integers(-20, 20).map(float)
documents = st.fixed_dictionaries(
    {"title": st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)},
    optional={
        "year": st.integers(1990, 1995),
        "genre": st.sampled_from(["rock", "pop"]),
        "tags": st.lists(st.sampled_from(WORDS), max_size=2),
        "score": st.integers(0, 4).map(float),
        "embedding": st.tuples(coordinate, coordinate).map(lambda v: {"values": list(v)}),
    },
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(IDS), documents),
        st.tuples(
            st.just("update"),
            st.sampled_from(IDS),
            st.one_of(
                st.builds(lambda y: {"year": {"assign": y}}, st.integers(1990, 1995)),
                st.builds(lambda t: {"title": {"assign": t}}, st.sampled_from(WORDS)),
            ),
        ),
        st.tuples(st.just("remove"), st.sampled_from(IDS)),
        st.tuples(st.sampled_from(["flush", "restart", "crash"])),
    ),
    max_size=30,
)


def queries() -> list[SearchRequest]:
    def request(tree: Item, ranking: str = "text", **extra: Any) -> SearchRequest:
        return SearchRequest(("music",), item_to_json(tree), ranking, hits=20, **extra)

    near = NearestNeighborItem("embedding", "q", target_hits=3)
    return [
        request(TermItem("title", "red")),
        request(OrItem((TermItem("title", "love"), TermItem("title", "song")))),
        request(TermItem("title", "blue"), "default"),
        request(TermItem("title", "re", kind="prefix")),
        request(PhraseItem("title", ("red", "blue"))),
        request(RangeItem("year", lower=1992.0)),
        request(AndItem((TermItem("genre", "rock"), TermItem("tags", "love")))),
        request(TrueItem(), "unranked"),
        request(near, "near", inputs={"q": [1.0, 2.0]}),
        request(AndItem((near, RangeItem("year", upper=1993.0))), "near", inputs={"q": [0.0, 0.0]}),
    ]


def answers(node: ContentNode) -> list[tuple[int, list[tuple[str, str]]]]:
    """Per query: the total count and each hit with its relevance (NaN compares as text)."""
    found = []
    for query in queries():
        reply = node.search(query)
        hits = sorted((h.id, repr(round(h.relevance, 9))) for h in reply.hits)
        found.append((reply.total_count, hits))
    return found


def open_real(storage: Storage, options: StorageOptions | None = None) -> ContentNode:
    database = DocumentDatabase.open(storage.snapshots, storage.tlog, options)
    database.start()
    node = ContentNode(database, "music", 0)
    node.apply_config(CONFIG)
    return node


async def write(node: ContentNode, step: tuple[Any, ...]) -> None:
    if step[0] == "put":
        await node.put(PutRequest(step[1], step[2]))
    elif step[0] == "update":
        await node.update(UpdateRequest(step[1], step[2]))
    elif step[0] == "remove":
        await node.remove(RemoveRequest(step[1]))


@settings(max_examples=40, deadline=None)
@given(steps=steps)
@example(steps=[("put", IDS[0], {"title": "red"}), ("flush",), ("restart",)])
@example(
    steps=[
        ("put", IDS[0], {"title": "red", "embedding": {"values": [1.0, 1.0]}}),
        ("put", IDS[1], {"title": "red blue", "year": 1993}),
        ("flush",),
        ("remove", IDS[0]),
        ("put", IDS[2], {"title": "song", "tags": ["love"], "genre": "rock"}),
        ("crash",),
        ("update", IDS[1], {"title": {"assign": "love"}}),
        ("flush",),
        ("restart",),
    ]
)
def test_search_after_flushes_and_restarts_equals_a_node_that_never_restarted(
    steps: list[tuple[Any, ...]],
) -> None:
    async def run() -> None:
        storage = Storage()
        node = open_real(storage)
        reference = open_real(Storage())
        for step in steps:
            if step[0] == "flush":
                await node.flush()
            elif step[0] in ("restart", "crash"):
                await node.aclose()
                storage = storage.crash() if step[0] == "crash" else storage
                node = open_real(storage)
            else:
                await write(node, step)
                await write(reference, step)
            assert answers(node) == answers(reference)
        await node.aclose()
        await reference.aclose()

    asyncio.run(run())


def test_a_restart_after_a_flush_loads_the_index_and_replays_only_the_tail(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def run() -> None:
        storage = Storage()
        node = open_real(storage)
        for i, doc_id in enumerate(IDS):
            fields = {"title": "red song", "year": 1990 + i, "embedding": {"values": [i, 0.0]}}
            await node.put(PutRequest(doc_id, fields))
        await node.flush()
        await node.remove(RemoveRequest(IDS[0]))
        await node.put(PutRequest(IDS[1], {"title": "blue"}))
        expected = answers(node)
        await node.aclose()
        with caplog.at_level(logging.INFO, logger="content.node.search"):
            restarted = open_real(storage)
        assert restarted.search_side_loaded == {"music": True}
        assert "loaded search index of music from its snapshot" in caplog.text
        assert "2 log records applied again" in caplog.text
        assert answers(restarted) == expected
        await restarted.aclose()

    asyncio.run(run())


@pytest.mark.parametrize("damage", ["missing", "flipped", "stale", "schema", "graph"])
def test_an_unusable_index_snapshot_is_rebuilt_with_the_same_answers(
    damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def run() -> None:
        storage = Storage()
        node = open_real(storage)
        for i, doc_id in enumerate(IDS):
            fields = {"title": "red", "year": 1990 + i, "embedding": {"values": [0.0, i]}}
            await node.put(PutRequest(doc_id, fields))
        await node.flush()
        if damage == "stale":
            saved = dict(storage.snapshots.files)
            await node.put(PutRequest(IDS[0], {"title": "love"}))
            await node.flush()
        expected = answers(node)
        await node.aclose()
        files: RamDirectory = storage.snapshots
        main = "index.music.snapshot"
        if damage == "missing":
            files.delete(main)
        elif damage == "flipped":
            files.files[main].data[-3] ^= 0xFF
        elif damage == "stale":
            files.files[main] = saved[main]
        elif damage == "graph":
            (graph,) = [n for n in files.list() if n.endswith(".hnsw")]
            files.files[graph].data[-1] ^= 0xFF
        config = CONFIG
        if damage == "schema":
            other = SchemaConfig(SCHEMA.name, SCHEMA.fields, rank_profiles=SCHEMA.rank_profiles[:1])
            config = content_config(schema=other)
        with caplog.at_level(logging.INFO, logger="content.node.search"):
            database = DocumentDatabase.open(storage.snapshots, storage.tlog)
            database.start()
            restarted = ContentNode(database, "music", 0)
            restarted.apply_config(config)
        assert restarted.search_side_loaded == {"music": False}
        assert "building it" in caplog.text or "rebuilding it" in caplog.text
        if damage != "schema":
            assert answers(restarted) == expected
        await restarted.aclose()

    asyncio.run(run())


def test_unflushed_index_memory_over_the_budget_starts_a_flush() -> None:
    async def run() -> None:
        storage = Storage()
        node = open_real(storage, StorageOptions(memory_budget=20_000))
        for i in range(40):
            await node.put(PutRequest(f"id:ns:music::{i}", {"title": "red blue love song " * 5}))
            await asyncio.sleep(0)
        for _ in range(500):
            if "index.music.snapshot" in storage.snapshots.files:
                break
            await asyncio.sleep(0.01)
        assert "index.music.snapshot" in storage.snapshots.files
        assert node.database.flush_target_bytes < 20_000
        await node.aclose()

    asyncio.run(run())
