"""Document store and its snapshots against a dict model; local id allocation."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from content.docstore import (
    DocumentStore,
    LidAllocator,
    StoredDocument,
    load_snapshot,
    read_snapshot,
    serialize_snapshot,
    write_delta,
    write_snapshot,
)
from content.errors import SnapshotCorruptionError
from content.storage import RamDirectory
from content.types import LocalDocId, SerialNum

B = (1 << 58) - 1
"""A bucket value (the largest a full bucket id can have), to see it kept exactly."""
ids = st.sampled_from([f"id:ns:t::{i}" for i in range(6)])
operations = st.lists(
    st.tuples(st.sampled_from(["put", "remove"]), ids, st.integers(1, 30), st.binary(max_size=8)),
    max_size=40,
)


def apply(
    store: DocumentStore, ops: list[tuple[str, str, int, bytes]]
) -> dict[str, tuple[int, bytes | None]]:
    model: dict[str, tuple[int, bytes | None]] = {}
    for op, doc_id, ts, data in ops:
        if doc_id in model and model[doc_id][0] >= ts:
            change = store.put(doc_id, ts, data, B) if op == "put" else store.remove(doc_id, ts, B)
            assert change.current is None
            continue
        model[doc_id] = (ts, data if op == "put" else None)
        if op == "put":
            store.put(doc_id, ts, data, B)
        else:
            store.remove(doc_id, ts, B)
    return model


def contents(store: DocumentStore) -> dict[str, tuple[int, bytes | None]]:
    assert all(e.bucket == B for e in store.entries())
    return {e.id: (e.timestamp, e.data) for e in store.entries()}


def check_lids(store: DocumentStore) -> None:
    live = [e for e in store.entries() if not e.removed]
    lids = sorted(e.lid for e in live if e.lid is not None)
    assert lids == sorted(set(lids))
    assert len(store) == len(live)
    for entry in live:
        assert entry.lid is not None
        assert store.by_lid(entry.lid) == entry
    assert sum(store.by_lid(lid) is not None for lid in range(store.lid_limit)) == len(live)


@given(ops=operations)
def test_the_newest_timestamp_wins_like_a_dict(ops: list[tuple[str, str, int, bytes]]) -> None:
    store = DocumentStore()
    model = apply(store, ops)
    assert contents(store) == model
    assert store.tombstone_count == sum(v[1] is None for v in model.values())
    check_lids(store)


@given(ops=operations)
def test_a_snapshot_round_trips(ops: list[tuple[str, str, int, bytes]]) -> None:
    store = DocumentStore()
    apply(store, ops)
    directory = RamDirectory()
    write_snapshot(directory, SerialNum(7), store.copy_entries())
    snapshot = load_snapshot(directory)
    assert snapshot is not None
    assert snapshot.serial == 7
    restored = DocumentStore()
    restored.restore_all(snapshot.entries)
    assert contents(restored) == contents(store)
    assert [restored.by_lid(i) for i in range(store.lid_limit)] == [
        store.by_lid(i) for i in range(store.lid_limit)
    ]
    check_lids(restored)
    assert restored.tombstone_count == store.tombstone_count
    for i in range(3):  # replaying the log after a snapshot must reuse the same lids
        new = f"id:ns:music::new{i}"
        assert restored.put(new, 1, b"{}", 0).current == store.put(new, 1, b"{}", 0).current


@given(data=st.data())
def test_damaged_snapshot_bytes_are_detected(data: st.DataObject) -> None:
    entries = [StoredDocument(f"id:a:b::{i}", i, LocalDocId(i), b"{}", i << 40) for i in range(3)]
    raw = bytearray(b"".join(serialize_snapshot(SerialNum(3), entries)))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(SnapshotCorruptionError):
        read_snapshot(bytes(raw), "snap")


def test_a_cut_snapshot_is_detected() -> None:
    entries = [StoredDocument("id:a:b::x", 1, None, None, B)]
    raw = b"".join(serialize_snapshot(SerialNum(1), entries))
    with pytest.raises(SnapshotCorruptionError, match="snap: corrupt data"):
        read_snapshot(raw[:-3], "snap")


def test_no_snapshot_yet() -> None:
    assert load_snapshot(RamDirectory()) is None


def test_removed_lids_are_reused_lowest_first() -> None:
    store = DocumentStore()
    for i in range(4):
        store.put(f"id:a:b::{i}", 1, b"{}", B)
    store.remove("id:a:b::2", 2, B)
    store.remove("id:a:b::0", 2, B)
    assert store.put("id:a:b::new", 3, b"{}", B).current == StoredDocument(
        "id:a:b::new", 3, LocalDocId(0), b"{}", B
    )
    update = store.put("id:a:b::1", 3, b"[]", B).current
    assert update is not None
    assert update.lid == 1


def test_old_tombstones_are_pruned() -> None:
    store = DocumentStore()
    store.remove("id:a:b::old", 10, B)
    store.remove("id:a:b::new", 20, B)
    assert [e.id for e in store.prune_tombstones(older_than=15)] == ["id:a:b::old"]
    assert store.get("id:a:b::old") is None
    assert store.tombstone_count == 1


def test_deltas_overlay_the_full_snapshot_in_serial_order() -> None:
    directory = RamDirectory()

    def doc(name: str, ts: int, data: bytes | None) -> StoredDocument:
        lid = None if data is None else LocalDocId(int(name))
        return StoredDocument(f"id:ns:t::{name}", ts, lid, data, B)

    write_snapshot(directory, SerialNum(5), [doc("0", 1, b"a"), doc("1", 1, b"b")])
    write_delta(directory, SerialNum(3), [doc("0", 9, b"left over from a crash")])
    write_delta(directory, SerialNum(9), [doc("0", 2, b"a2"), doc("2", 2, b"c")])
    write_delta(directory, SerialNum(12), [doc("0", 3, b"a3"), doc("1", 3, None)])
    snapshot = load_snapshot(directory)
    assert snapshot is not None
    assert (snapshot.serial, snapshot.delta_entries) == (12, 4)
    assert sorted((e.id, e.data) for e in snapshot.entries) == [
        ("id:ns:t::0", b"a3"),
        ("id:ns:t::1", None),
        ("id:ns:t::2", b"c"),
    ]
    write_snapshot(directory, SerialNum(12), snapshot.entries)
    assert directory.list() == ["documents.snapshot"]


@given(ops=operations, older_than=st.integers(0, 31))
def test_pruning_forgets_exactly_the_tombstones_older_than_the_horizon(
    ops: list[tuple[str, str, int, bytes]], older_than: int
) -> None:
    store = DocumentStore()
    model = apply(store, ops)
    doomed = {i for i, (ts, data) in model.items() if data is None and ts < older_than}
    assert {e.id for e in store.prune_tombstones(older_than)} == doomed
    assert {e.id for e in store.entries()} == set(model) - doomed
    assert store.tombstone_count == sum(data is None for _, data in model.values()) - len(doomed)
    assert store.prune_tombstones(older_than) == []


@given(st.sets(st.integers(0, 20)), st.lists(st.one_of(st.none(), st.integers(0, 20)), max_size=60))
def test_lid_allocator_hands_out_the_lowest_free_id(
    initial: set[int], steps: list[int | None]
) -> None:
    allocator = LidAllocator()
    allocator.reserve_all(sorted(initial))
    used = set(initial)
    assert allocator.used == len(used)
    for step in steps:
        if step is None:
            lid = allocator.allocate()
            expected = min(set(range(allocator.limit + 1)) - used)
            assert lid == expected
            used.add(lid)
        elif step in used:
            allocator.release(LocalDocId(step))
            used.discard(step)
        assert allocator.used == len(used)


def test_lid_allocator_rejects_double_use() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        LidAllocator().reserve_all([3, 1, 3])
    allocator = LidAllocator()
    lid = allocator.allocate()
    with pytest.raises(ValueError, match="needs a new allocator"):
        allocator.reserve_all([5])
    allocator.release(lid)
    with pytest.raises(ValueError, match="not in use"):
        allocator.release(lid)
