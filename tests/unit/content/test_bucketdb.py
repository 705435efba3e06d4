"""Bucket database against a dict model: counts, checksums, order, entries."""

from __future__ import annotations

from hypothesis import given, strategies as st

from content.bucketdb import BucketDatabase, BucketInfo, locate
from content.bucketdb.database import entry_hash
from vespid.bucket import BucketId

buckets = st.builds(BucketId, st.just(16), st.integers(0, 5))
ids = st.sampled_from([f"id:ns:t::{i}" for i in range(8)])
steps = st.lists(
    st.tuples(st.sampled_from(["set", "drop"]), buckets, ids, st.integers(1, 9), st.booleans()),
    max_size=50,
)

Model = dict[BucketId, dict[str, tuple[int, bool]]]


def run(db: BucketDatabase, ops: list[tuple[str, BucketId, str, int, bool]]) -> Model:
    model: Model = {}
    for op, bucket, doc_id, ts, removed in ops:
        if op == "set":
            db.set(bucket, doc_id, ts, removed)
            model.setdefault(bucket, {})[doc_id] = (ts, removed)
        else:
            db.drop(bucket, doc_id)
            model.get(bucket, {}).pop(doc_id, None)
    return {b: e for b, e in model.items() if e}


def expected_info(entries: dict[str, tuple[int, bool]]) -> BucketInfo:
    live = [(i, ts) for i, (ts, removed) in entries.items() if not removed]
    checksum = sum(entry_hash(i, ts) for i, ts in live) % (1 << 64)
    return BucketInfo(len(live), len(entries) - len(live), checksum)


@given(ops=steps)
def test_counts_and_checksums_match_a_recount(
    ops: list[tuple[str, BucketId, str, int, bool]],
) -> None:
    db = BucketDatabase()
    model = run(db, ops)
    assert list(db.buckets()) == sorted(model)
    assert len(db) == len(model)
    for bucket, entries in model.items():
        assert db.info(bucket) == expected_info(entries)
        assert [(e.id, e.timestamp, e.removed) for e in db.entries(bucket)] == sorted(
            (i, ts, rm) for i, (ts, rm) in entries.items()
        )


@given(ops=steps, after=buckets)
def test_buckets_resume_after_a_given_bucket(
    ops: list[tuple[str, BucketId, str, int, bool]], after: BucketId
) -> None:
    db = BucketDatabase()
    model = run(db, ops)
    assert list(db.buckets(after)) == [b for b in sorted(model) if b > after]


def test_checksum_is_independent_of_write_order() -> None:
    a, b = BucketDatabase(), BucketDatabase()
    bucket = BucketId(16, 1)
    a.set(bucket, "id:x:y::1", 5, False)
    a.set(bucket, "id:x:y::2", 6, False)
    b.set(bucket, "id:x:y::2", 6, False)
    b.set(bucket, "id:x:y::1", 3, False)
    b.set(bucket, "id:x:y::1", 5, False)
    assert a.info(bucket) == b.info(bucket)
    assert a.info(bucket).checksum != 0


def test_an_empty_bucket_has_zero_info() -> None:
    assert BucketDatabase().info(BucketId(16, 3)) == BucketInfo(0, 0, 0)


def test_documents_with_the_same_group_share_a_bucket() -> None:
    first = locate("id:ns:music:g=jazz:1", 16)
    assert first == locate("id:ns:music:g=jazz:2", 16)
    assert first.used_bits == 16


@given(
    rows=st.dictionaries(
        ids, st.tuples(st.integers(0, (1 << 20) - 1), st.integers(1, 9), st.booleans())
    ),
    later=steps,
)
def test_a_bulk_load_equals_setting_each_entry(
    rows: dict[str, tuple[int, int, bool]], later: list[tuple[str, BucketId, str, int, bool]]
) -> None:
    """Also after more sets and drops, with some checksums asked for in between (summed
    then, and summed again once their bucket changes)."""
    loaded, one_by_one = BucketDatabase(), BucketDatabase()
    loaded.load(16, ((full, i, ts, rm) for i, (full, ts, rm) in rows.items()))
    for doc_id, (full, ts, removed) in rows.items():
        one_by_one.set(BucketId(16, full), doc_id, ts, removed)
    for db in (loaded, one_by_one):
        for bucket in list(db.buckets())[::2]:
            db.info(bucket)
        run(db, later)
    assert list(loaded.buckets()) == list(one_by_one.buckets())
    for bucket in one_by_one.buckets():
        assert loaded.info(bucket) == one_by_one.info(bucket)
        assert loaded.entries(bucket) == one_by_one.entries(bucket)
