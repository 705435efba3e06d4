"""Ideal state: Vespa's own cross-platform vectors, and the properties the election promises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, strategies as st

from vespid.bucket import BucketId
from vespid.config import ContentNodeConfig
from vespid.distribution import JavaRandom, ideal_nodes, storage_seed

GOLDEN = Path(__file__).parents[2] / "golden" / "distribution" / "vespa_cross_platform.json"


def nodes_of(keys: list[int], capacity: float = 1.0) -> list[ContentNodeConfig]:
    return [ContentNodeConfig(k, "localhost", 19100 + k, capacity) for k in keys]


def golden_cases() -> list[Any]:
    cases = json.loads(GOLDEN.read_text())["cases"]
    return [pytest.param(case, id=case["name"]) for case in cases]


@pytest.mark.parametrize("case", golden_cases())
def test_ideal_nodes_match_vespa(case: dict[str, Any]) -> None:
    nodes = nodes_of(case["nodes"])
    up = None if case["up"] is None else set(case["up"])
    for raw_hex, expected in case["results"]:
        bucket = BucketId.from_raw(int(raw_hex, 16))
        got = ideal_nodes(
            bucket, nodes, case["redundancy"], up, distribution_bits=case["distribution_bits"]
        )
        assert got == expected, raw_hex


def test_java_random_matches_java() -> None:
    # new java.util.Random(42).nextDouble() and the next one
    random = JavaRandom(42)
    assert random.next_double() == 0.7275636800328681
    assert random.next_double() == 0.6832234717598454


def test_seed_folds_in_bits_above_33() -> None:
    narrow = BucketId(33, 0x1_2345_6789)
    assert storage_seed(narrow) == 0x6789
    wide = BucketId(40, 0x7F_2345_6789)
    assert storage_seed(wide) == 0x6789 ^ (0x7F << 6)


keys = st.sets(st.integers(0, 40), min_size=1, max_size=12).map(sorted)
bucket_ids = st.integers(0, 2**16 - 1).map(lambda i: BucketId(16, i))
redundancies = st.integers(1, 4)


@given(keys, bucket_ids, redundancies)
def test_result_is_distinct_limited_and_deterministic(
    node_keys: list[int], bucket: BucketId, redundancy: int
) -> None:
    nodes = nodes_of(node_keys)
    result = ideal_nodes(bucket, nodes, redundancy)
    assert len(result) == min(redundancy, len(node_keys))
    assert len(set(result)) == len(result)
    assert set(result) <= set(node_keys)
    assert ideal_nodes(bucket, list(reversed(nodes)), redundancy) == result


@given(keys, st.integers(0, 40), bucket_ids, redundancies)
@example(node_keys=[0, 1, 2, 38], new=38, bucket=BucketId(16, 0), redundancy=2)
def test_adding_a_node_only_moves_buckets_to_it(
    node_keys: list[int], new: int, bucket: BucketId, redundancy: int
) -> None:
    before = ideal_nodes(bucket, nodes_of([k for k in node_keys if k != new]), redundancy)
    after = ideal_nodes(bucket, nodes_of(sorted({*node_keys, new})), redundancy)
    assert set(after) - set(before) <= {new}
    assert [k for k in after if k != new] == before[: len([k for k in after if k != new])]


@given(keys, bucket_ids, redundancies, st.data())
def test_removing_a_node_only_moves_its_buckets(
    node_keys: list[int], bucket: BucketId, redundancy: int, data: st.DataObject
) -> None:
    gone = data.draw(st.sampled_from(node_keys))
    before = ideal_nodes(bucket, nodes_of(node_keys), redundancy)
    after = ideal_nodes(bucket, nodes_of([k for k in node_keys if k != gone]), redundancy)
    if gone not in before:
        assert after == before
    else:
        assert [k for k in before if k != gone] == after[: len(before) - 1]


@given(keys, bucket_ids, redundancies, st.data())
def test_down_nodes_are_skipped_without_reordering_the_rest(
    node_keys: list[int], bucket: BucketId, redundancy: int, data: st.DataObject
) -> None:
    up = data.draw(st.sets(st.sampled_from(node_keys)))
    full_order = ideal_nodes(bucket, nodes_of(node_keys), len(node_keys))
    assert (
        ideal_nodes(bucket, nodes_of(node_keys), redundancy, up)
        == [k for k in full_order if k in up][:redundancy]
    )


def test_capacity_weights_the_share_of_buckets() -> None:
    nodes = [*nodes_of([0, 1, 2]), ContentNodeConfig(3, "localhost", 19103, 3.0)]
    primaries = [ideal_nodes(BucketId(16, i), nodes, 1)[0] for i in range(3000)]
    share = primaries.count(3) / len(primaries)
    assert 0.45 < share < 0.55  # capacity 3 of a total of 6


def test_zero_capacity_nodes_hold_nothing() -> None:
    nodes = [*nodes_of([0]), ContentNodeConfig(1, "localhost", 19101, 0.0)]
    assert ideal_nodes(BucketId(16, 7), nodes, 2) == [0]


def test_bucket_with_too_few_bits_is_refused() -> None:
    with pytest.raises(ValueError, match="distribution bits"):
        ideal_nodes(BucketId(8, 1), nodes_of([0]), 1)
