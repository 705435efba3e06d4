"""The content node against a dict of documents: writes, restart, flush, crash, reads."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from hypothesis import given, strategies as st

from content.node import ContentNode, DocumentDatabase, StorageOptions
from tests.unit.content.test_node_support import (
    MUSIC,
    Indexes,
    Storage,
    content_config,
    open_node,
)
from vespid.config import FieldConfig, SchemaConfig
from vespid.errors import (
    ConditionNotMetError,
    InvalidDocumentError,
    InvalidQueryError,
    NodeNotReadyError,
    UnknownDocumentTypeError,
)
from vespid.messages import (
    DocsumRequest,
    GetRequest,
    PutRequest,
    RemoveRequest,
    SearchRequest,
    UpdateRequest,
    VisitRequest,
    item_to_json,
)
from vespid.messages.query import TermItem, TrueItem

IDS = [f"id:ns:music::{i}" for i in range(5)]
words = st.sampled_from(["red", "blue", "love", "song"])
puts = st.tuples(
    st.just("put"),
    st.sampled_from(IDS),
    st.fixed_dictionaries(
        {"title": st.lists(words, min_size=1, max_size=3).map(" ".join)},
        optional={"year": st.integers(1900, 2030), "tags": st.lists(words, max_size=2)},
    ),
)
updates = st.tuples(
    st.just("update"),
    st.sampled_from(IDS),
    st.one_of(
        st.builds(lambda y: {"year": {"assign": y}}, st.integers(1900, 2030)),
        st.builds(lambda n: {"year": {"increment": n}}, st.integers(-5, 5)),
        st.builds(lambda t: {"title": {"assign": t}}, words),
    ),
    st.booleans(),
)
removes = st.tuples(st.just("remove"), st.sampled_from(IDS))
conditional_removes = st.tuples(st.just("cremove"), st.sampled_from(IDS), st.integers(1950, 2010))
controls = st.tuples(st.sampled_from(["restart", "flush"]))
steps = st.lists(st.one_of(puts, updates, removes, conditional_removes, controls), max_size=25)

Model = dict[str, dict[str, Any]]


def apply_to_model(model: Model, step: tuple[Any, ...]) -> None:
    if step[0] == "cremove":
        _, doc_id, year = step
        if model.get(doc_id, {}).get("year", year - 1) >= year:
            del model[doc_id]
    elif step[0] == "put":
        model[step[1]] = dict(step[2])
    elif step[0] == "remove":
        model.pop(step[1], None)
    elif step[0] == "update":
        _, doc_id, update, create = step
        if doc_id not in model and not create:
            return
        doc = model.setdefault(doc_id, {})
        ((name, op),) = update.items()
        if "assign" in op:
            doc[name] = op["assign"]
        elif name in doc:
            doc[name] += op["increment"]


async def apply_to_node(node: ContentNode, storage: Storage, step: tuple[Any, ...]) -> ContentNode:
    if step[0] == "cremove":
        condition = f"music.year >= {step[2]}"
        with contextlib.suppress(ConditionNotMetError):  # the model decides whether it held
            await node.remove(RemoveRequest(step[1], condition))
    elif step[0] == "put":
        await node.put(PutRequest(step[1], step[2]))
    elif step[0] == "remove":
        await node.remove(RemoveRequest(step[1]))
    elif step[0] == "update":
        await node.update(UpdateRequest(step[1], step[2], create=step[3]))
    elif step[0] == "flush":
        await node.flush()
    return node


def assert_same(node: ContentNode, model: Model, indexes: Indexes) -> None:
    for doc_id in IDS:
        reply = node.get(GetRequest(doc_id))
        assert reply.found == (doc_id in model)
        if reply.found:
            assert reply.fields == model[doc_id]
    index = indexes.built[-1]
    stored = {node.database.store.get(i) for i in model}
    assert {e.lid: e.id for e in stored if e is not None} == {
        lid: node.database.store.by_lid(lid).id  # type: ignore[union-attr]
        for lid in index.docs
    }
    assert sorted(index.docs.values(), key=str) == sorted(model.values(), key=str)


@given(steps=steps)
def test_node_matches_a_dict_through_restarts_and_flushes(steps: list[tuple[Any, ...]]) -> None:
    async def run() -> None:
        storage = Storage()
        indexes = Indexes()
        node = open_node(storage, StorageOptions(segment_bytes=300), indexes)
        model: Model = {}
        for step in steps:
            if step[0] == "restart":
                crashed = storage.crash()
                await node.aclose()
                storage, indexes = crashed, Indexes()
                node = open_node(storage, StorageOptions(segment_bytes=300), indexes)
            else:
                await apply_to_node(node, storage, step)
                apply_to_model(model, step)
            assert_same(node, model, indexes)
        await node.aclose()

    asyncio.run(run())


def test_acknowledged_writes_survive_a_crash_and_the_rest_is_a_prefix() -> None:
    async def run() -> tuple[set[str], Storage]:
        storage = Storage()
        node = open_node(storage)
        tasks = [
            asyncio.ensure_future(node.put(PutRequest(f"id:ns:music::{i}", {"title": "x"})))
            for i in range(300)
        ]
        await asyncio.wait(tasks[:150])
        acked = {f"id:ns:music::{i}" for i, t in enumerate(tasks) if t.done()}
        crashed = storage.crash()
        await asyncio.gather(*tasks)
        await node.aclose()
        return acked, crashed

    acked, crashed = asyncio.run(run())

    async def reopen() -> list[bool]:
        node = open_node(crashed)
        present = [node.get(GetRequest(f"id:ns:music::{i}")).found for i in range(300)]
        await node.aclose()
        return present

    present = asyncio.run(reopen())
    assert all(present[int(doc_id.rsplit(":", 1)[1])] for doc_id in acked)
    assert present == sorted(present, reverse=True)


def test_flush_prunes_the_log_and_restart_reads_the_snapshot() -> None:
    async def run() -> None:
        storage = Storage()
        options = StorageOptions(segment_bytes=200, flush_bytes=1000)
        node = open_node(storage, options)
        for i in range(60):
            await node.put(PutRequest(f"id:ns:music::{i}", {"title": f"song {i}"}))
        await node.flush()
        segments = storage.tlog.list()
        assert len(segments) <= 2
        assert storage.snapshots.exists("documents.snapshot")
        crashed = storage.crash()
        await node.aclose()
        again = open_node(crashed, options)
        assert again.get(GetRequest("id:ns:music::59")).fields == {"title": "song 59"}
        assert len(again.database.store) == 60
        await again.aclose()

    asyncio.run(run())


def test_flushes_write_deltas_until_they_hold_half_the_store_then_a_full_snapshot() -> None:
    async def run() -> None:
        storage = Storage()
        options = StorageOptions(flush_bytes=1 << 30)
        node = open_node(storage, options)
        for i in range(40):
            await node.put(PutRequest(f"id:ns:music::{i}", {"title": f"song {i}"}))
        await node.flush()
        assert storage.snapshots.list() == ["documents.snapshot"]

        def deltas() -> int:
            return sum(n.endswith(".delta") for n in storage.snapshots.list())

        for round_ in range(3):  # 9 changed entries per flush: deltas until 20 of 40
            for i in range(8):
                await node.put(PutRequest(f"id:ns:music::{i}", {"title": f"round {round_}"}))
            await node.remove(RemoveRequest(f"id:ns:music::{39 - round_}"))
            await node.flush()
            assert deltas() == [1, 2, 0][round_]
        storage.snapshots.fail("write_atomic", "documents")
        await node.put(PutRequest("id:ns:music::100", {"title": "kept for the next flush"}))
        with pytest.raises(OSError, match="injected"):
            await node.flush()
        storage.snapshots.heal()
        await node.flush()
        assert deltas() == 1
        await node.put(PutRequest("id:ns:music::0", {"title": "in a delta again"}))
        await node.flush()
        await node.put(PutRequest("id:ns:music::1", {"title": "in the log only"}))
        await node.aclose()
        again = open_node(storage.crash(), options)
        titles = {i: again.get(GetRequest(f"id:ns:music::{i}")).fields for i in (0, 1, 5, 100)}
        assert titles == {
            0: {"title": "in a delta again"},
            1: {"title": "in the log only"},
            5: {"title": "round 2"},
            100: {"title": "kept for the next flush"},
        }
        assert not again.get(GetRequest("id:ns:music::38")).found
        assert len(again.database.store) == 38
        await again.aclose()

    asyncio.run(run())


def test_writes_report_whether_the_document_existed_and_timestamps_grow() -> None:
    async def run() -> None:
        node = open_node(Storage())
        first = await node.put(PutRequest(IDS[0], {"title": "a"}))
        second = await node.put(PutRequest(IDS[0], {"title": "b"}))
        assert (first.found, second.found) == (False, True)
        assert second.timestamp > first.timestamp
        assert not (await node.update(UpdateRequest(IDS[1], {"year": {"assign": 1}}))).found
        assert node.get(GetRequest(IDS[1])).found is False
        assert (await node.remove(RemoveRequest(IDS[0]))).found
        assert not (await node.remove(RemoveRequest(IDS[0]))).found
        await node.aclose()

    asyncio.run(run())


def test_requests_are_refused_before_config_and_for_unknown_types() -> None:
    async def run() -> None:
        storage = Storage()
        database = DocumentDatabase.open(storage.snapshots, storage.tlog)
        database.start()
        node = ContentNode(database, "music", 0, Indexes())
        with pytest.raises(NodeNotReadyError):
            await node.put(PutRequest(IDS[0], {"title": "a"}))
        node.apply_config(content_config())
        with pytest.raises(UnknownDocumentTypeError, match="'books'"):
            await node.put(PutRequest("id:ns:books::1", {}))
        await node.aclose()

    asyncio.run(run())


def test_test_and_set_conditions() -> None:
    async def run() -> None:
        node = open_node(Storage())
        await node.put(PutRequest(IDS[0], {"title": "a", "year": 2000}))
        with pytest.raises(ConditionNotMetError, match="not met for document"):
            await node.put(PutRequest(IDS[0], {"title": "b"}, condition="music.year > 2000"))
        ok = await node.put(PutRequest(IDS[0], {"title": "b", "year": 1}, "music.year == 2000"))
        assert ok.found
        with pytest.raises(ConditionNotMetError, match="does not exist"):
            await node.update(UpdateRequest(IDS[1], {"year": {"assign": 5}}, "music"))
        created = await node.update(UpdateRequest(IDS[1], {"year": {"assign": 5}}, "false", True))
        assert not created.found
        assert node.get(GetRequest(IDS[1])).fields == {"year": 5}
        with pytest.raises(ConditionNotMetError):
            await node.remove(RemoveRequest(IDS[1], condition='music.title = "x*"'))
        assert (await node.remove(RemoveRequest(IDS[1], condition="not music.title"))).found
        with pytest.raises(InvalidDocumentError, match="Invalid test-and-set condition"):
            await node.remove(RemoveRequest(IDS[0], condition="music.year >"))
        assert node.get(GetRequest(IDS[0])).fields == {"title": "b", "year": 1}
        await node.aclose()

    asyncio.run(run())


def test_get_field_sets_and_docsum_classes() -> None:
    async def run() -> None:
        node = open_node(Storage())
        await node.put(PutRequest(IDS[0], {"title": "love song", "year": 1999, "tags": ["x"]}))
        assert node.get(GetRequest(IDS[0], "[id]")).fields == {}
        assert node.get(GetRequest(IDS[0], "music:year,tags")).fields == {
            "year": 1999,
            "tags": ["x"],
        }
        with pytest.raises(InvalidDocumentError, match="no field 'nope'"):
            node.get(GetRequest(IDS[0], "music:nope"))
        summaries = node.docsum(DocsumRequest((IDS[0], IDS[1]))).summaries
        assert summaries == {
            IDS[0]: {"title": "love song", "year": 1999, "title_copy": "love song"}
        }
        short = node.docsum(DocsumRequest((IDS[0],), "short")).summaries
        assert short == {IDS[0]: {"year": 1999, "title_copy": "love song"}}
        with pytest.raises(InvalidQueryError, match="Unknown document summary 'long'"):
            node.docsum(DocsumRequest((IDS[0],), "long"))
        await node.aclose()

    asyncio.run(run())


def test_search_maps_local_ids_to_document_ids() -> None:
    async def run() -> None:
        node = open_node(Storage())
        for i, title in enumerate(["red song", "blue song", "red love"]):
            await node.put(PutRequest(IDS[i], {"title": title}))
        await node.remove(RemoveRequest(IDS[0]))
        reply = node.search(
            SearchRequest(("music",), item_to_json(TermItem("title", "red")), hits=5)
        )
        assert [h.id for h in reply.hits] == [IDS[2]]
        assert (reply.total_count, reply.documents) == (1, 2)
        everything = node.search(SearchRequest((), item_to_json(TrueItem())))
        assert {h.id for h in everything.hits} == {IDS[1], IDS[2]}
        elsewhere = node.search(SearchRequest(("books",), item_to_json(TrueItem())))
        assert (elsewhere.hits, elsewhere.total_count, elsewhere.documents) == ((), 0, 0)
        await node.aclose()

    asyncio.run(run())


def test_a_changed_schema_rebuilds_the_index_from_the_store() -> None:
    async def run() -> None:
        indexes = Indexes()
        node = open_node(Storage(), indexes=indexes)
        await node.put(PutRequest(IDS[0], {"title": "a"}))
        node.apply_config(content_config(2))
        assert len(indexes.built) == 1
        changed = MUSIC.__class__(name="music", fields=MUSIC.fields[:2])
        node.apply_config(content_config(3, changed))
        assert len(indexes.built) == 2
        assert indexes.built[-1].docs == {0: {"title": "a"}}
        await node.aclose()

    asyncio.run(run())


def test_a_stored_value_the_index_refuses_leaves_the_document_readable() -> None:
    async def run() -> None:
        storage = Storage()
        database = DocumentDatabase.open(storage.snapshots, storage.tlog)
        database.start()
        node = ContentNode(database, "music", 0)
        as_text = SchemaConfig("music", (FieldConfig("year", "string", attribute=True),))
        node.apply_config(content_config(1, as_text))
        await node.put(PutRequest(IDS[0], {"year": "nineteen"}))
        await node.put(PutRequest(IDS[1], {"year": "1999"}))
        as_number = SchemaConfig("music", (FieldConfig("year", "int", attribute=True),))
        node.apply_config(content_config(2, as_number))
        assert node.generation == 2
        assert node.get(GetRequest(IDS[0])).found
        hits = node.search(SearchRequest(("music",), item_to_json(TrueItem())))
        assert [h.id for h in hits.hits] == [IDS[1]]
        await node.put(PutRequest(IDS[2], {"year": "again"}))
        assert node.get(GetRequest(IDS[2])).found
        await node.aclose()

    asyncio.run(run())


@given(
    present=st.lists(st.sampled_from(range(30)), unique=True, max_size=30),
    page_size=st.integers(1, 7),
)
def test_visit_pages_resume_exactly(present: list[int], page_size: int) -> None:
    async def run() -> None:
        node = open_node(Storage())
        ids = [f"id:ns:music:n={i % 4}:{i}" for i in present]
        for doc_id in ids:
            await node.put(PutRequest(doc_id, {"title": doc_id}))
        seen: list[str] = []
        token = ""
        while True:
            reply = node.visit(VisitRequest(wanted_document_count=page_size, continuation=token))
            assert len(reply.documents) <= page_size
            seen.extend(d.id for d in reply.documents)
            assert all(d.fields == {"title": d.id} for d in reply.documents)
            token = reply.continuation
            if not token:
                break
        assert sorted(seen) == sorted(ids)
        assert len(seen) == len(set(seen))
        await node.aclose()

    asyncio.run(run())


def test_visit_with_selections_and_removes() -> None:
    async def run() -> None:
        node = open_node(Storage())
        for i, year in enumerate([1990, 2005, 2010]):
            await node.put(PutRequest(IDS[i], {"title": f"t{i}", "year": year}))
        await node.remove(RemoveRequest(IDS[3]))
        plain = node.visit(VisitRequest(selection="music"))
        assert {d.id for d in plain.documents} == set(IDS[:3])
        recent = node.visit(VisitRequest(selection="music.year >= 2005", wanted_document_count=1))
        assert len(recent.documents) == 1
        rest = node.visit(
            VisitRequest(selection="music.year >= 2005", continuation=recent.continuation)
        )
        assert {d.id for d in recent.documents + rest.documents} == {IDS[1], IDS[2]}
        assert rest.continuation == ""
        both = node.visit(VisitRequest(selection=f'id == "{IDS[3]}"', include_removes=True))
        assert [(d.id, d.removed) for d in both.documents] == [(IDS[3], True)]
        with pytest.raises(InvalidQueryError, match="Invalid document selection"):
            node.visit(VisitRequest(selection="music.year >"))
        with pytest.raises(InvalidQueryError, match="continuation token"):
            node.visit(VisitRequest(continuation="garbage!"))
        with pytest.raises(UnknownDocumentTypeError):
            node.visit(VisitRequest(schema="books"))
        await node.aclose()

    asyncio.run(run())
