"""Bucket ids match Vespa's BucketIdFactory bit for bit; key order, splits and containment."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from vespid.bucket import MAX_USED_BITS, BucketId, bucket_of, full_bucket_of
from vespid.document import DocumentId

# Expected raw 58-bit bucket ids from Vespa's BucketIdFactoryTestCase.testBucketGeneration.
VESPA_BUCKETS = {
    "id:ns:mytype:n=18:spec": 0xEB3089A300000012,
    "id:ns:mytype:n=18:spec2": 0xEA780A8700000012,
    "id:ns:mytype:n=19:spec": 0xE80D16FC00000013,
    "id:ns:mytype:g=yahoo.com:spec": 0xEB82F2BE9A1ACD50,
    "id:ns2:mytype:g=yahoo.com:spec2": 0xEBFF6E379A1ACD50,
    "id:ns:mytype:g=yahoo:spec": 0xE91B9600AFE81F24,
    "id:ns:mytype::1": 0xE96B22A03842CAC4,
    "id:ns2:mytype::1": 0xEB8EA3DD3842CAC4,
    "id:ns:mytype2::1": 0xE9A1B4AC3842CAC4,
    "id:ns:mytype::2": 0xE8222C758D721EC8,
}

buckets = st.integers(1, MAX_USED_BITS).flatmap(
    lambda bits: st.builds(BucketId, st.just(bits), st.integers(0, 2**bits - 1))
)


@pytest.mark.parametrize(("text", "raw"), VESPA_BUCKETS.items())
def test_full_bucket_id_is_the_one_vespa_computes(text: str, raw: int) -> None:
    assert full_bucket_of(DocumentId.parse(text)).raw == raw


def test_bucket_of_keeps_the_distribution_bits() -> None:
    bucket = bucket_of(DocumentId.parse("id:ns:mytype:n=18:spec"))
    assert str(bucket) == "BucketId(0x4000000000000012)"
    assert bucket_of(DocumentId.parse("id:ns:mytype:n=18:spec"), 8).raw == 0x2000000000000012


def test_documents_with_the_same_number_or_group_share_a_bucket() -> None:
    a, b = DocumentId.parse("id:a:t:n=5:x"), DocumentId.parse("id:b:u:n=5:y")
    assert bucket_of(a) == bucket_of(b)
    g1, g2 = DocumentId.parse("id:a:t:g=mail:x"), DocumentId.parse("id:a:t:g=mail:y")
    assert bucket_of(g1) == bucket_of(g2)


def test_negative_n_wraps_like_strtoul() -> None:
    assert DocumentId.parse("id:ns:t:n=-1:x").location == 2**64 - 1


def test_containment_follows_vespa() -> None:
    # BucketIdFactoryTestCase.testBidContainsBid
    bid = BucketId(18, 0x123456789)
    assert bid.contains(BucketId(20, 0x123456789))
    assert bid.contains(BucketId(18, 0x888F56789))
    assert bid.contains(BucketId(24, 0x888456789))
    assert not bid.contains(BucketId(24, 0x888886789))
    assert not bid.contains(BucketId(16, 0x123456789))


def test_unused_bits_are_dropped() -> None:
    assert BucketId(16, 0x123456789) == BucketId(16, 0x6789)


def test_used_bits_out_of_range_are_rejected() -> None:
    with pytest.raises(ValueError, match="used bits"):
        BucketId(0, 1)
    with pytest.raises(ValueError, match="used bits"):
        BucketId.from_raw(59 << 58)


@given(buckets)
def test_raw_and_key_round_trip(bucket: BucketId) -> None:
    assert BucketId.from_raw(bucket.raw) == bucket
    assert BucketId.from_key(bucket.key) == bucket


@given(buckets.filter(lambda b: b.used_bits < MAX_USED_BITS))
def test_a_split_is_contained_and_sorts_after_its_parent(bucket: BucketId) -> None:
    left, right = bucket.split()
    assert bucket.contains(left)
    assert bucket.contains(right)
    assert left.with_used_bits(bucket.used_bits) == bucket
    assert bucket < left < right


@given(st.lists(buckets, min_size=2, max_size=20))
def test_key_order_keeps_each_subtree_together(items: list[BucketId]) -> None:
    ordered = sorted(items)
    for parent in ordered:
        inside = [i for i, b in enumerate(ordered) if parent.contains(b)]
        assert inside == list(range(inside[0], inside[0] + len(inside)))


def test_widening_is_refused() -> None:
    with pytest.raises(ValueError, match="widen"):
        BucketId(8, 1).with_used_bits(9)


ids = st.one_of(
    st.text(min_size=1).map(lambda u: f"id:ns:t::{u}"),
    st.tuples(st.integers(-(2**64) + 1, 2**64 - 1), st.text(min_size=1)).map(
        lambda p: f"id:ns:t:n={p[0]}:{p[1]}"
    ),
    st.tuples(st.text(min_size=1), st.text(min_size=1)).map(lambda p: f"id:ns:t:g={p[0]}:{p[1]}"),
)


@given(ids)
def test_full_bucket_takes_the_location_bits_from_the_gid_prefix(text: str) -> None:
    doc_id = DocumentId.parse(text)
    location_bits = doc_id.location & 0xFFFFFFFF
    gid_bits = int.from_bytes(doc_id.global_id[4:12], "little") & (((1 << 26) - 1) << 32)
    assert full_bucket_of(doc_id).id == gid_bits | location_bits


@given(buckets)
def test_key_reverses_the_raw_bits_and_keeps_the_used_bit_count(bucket: BucketId) -> None:
    reversed_raw = int(f"{bucket.raw:064b}"[::-1], 2)
    assert bucket.key == (reversed_raw >> 6 << 6) | bucket.used_bits
    assert BucketId.from_key(bucket.key) == bucket
