"""Fast-search attributes answer filters from their posting lists, never by a scan,
unless the filter passes very many distinct values; answers equal the scan's."""

from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

from content.attribute import NumericAttribute, StringAttribute
from content.index import docids_from_mask

operations = st.lists(
    st.tuples(st.integers(0, 300), st.one_of(st.none(), st.integers(-20, 20))), max_size=200
)


def between(low: int, high: int):  # type: ignore[no-untyped-def]
    def test(values: np.ndarray) -> np.ndarray:
        return np.asarray((values >= low) & (values <= high), dtype=bool)

    return test


@given(operations, st.integers(-25, 25), st.integers(0, 10))
def test_posting_lists_answer_ranges_like_the_scan(
    ops: list[tuple[int, int | None]], low: int, width: int
) -> None:
    fast = NumericAttribute("year", "int", fast_search=True)
    for lid, value in ops:
        fast.put(lid, value)
    test = between(low, low + width)
    found = fast.postings_where(test)
    assert found is not None  # at most 11 distinct values pass: never a scan
    assert found == docids_from_mask(fast.mask_where(test))


def test_equality_on_a_fast_search_attribute_reads_one_posting_list() -> None:
    fast = NumericAttribute("group", "int", fast_search=True)
    for lid in range(10_000):
        fast.put(lid, lid % 100)
    found = fast.postings_where(lambda v: np.asarray(v == 7))
    assert found is not None
    assert list(found) == list(range(7, 10_000, 100))
    found.add(0)  # a new set: the posting list itself is untouched
    assert 0 not in fast.postings_where(lambda v: np.asarray(v == 7))  # type: ignore[operator]


def test_a_range_over_very_many_distinct_values_is_left_to_the_scan() -> None:
    fast = NumericAttribute("stamp", "long", fast_search=True)
    for lid in range(20_000):
        fast.put(lid, lid)
    assert fast.postings_where(lambda v: np.asarray(v >= 0)) is None
    assert fast.postings_where(lambda v: np.asarray(v < 50)) is not None


def test_without_fast_search_there_are_no_posting_lists() -> None:
    plain = NumericAttribute("year", "int")
    plain.put(3, 1999)
    assert plain.postings_where(lambda v: np.asarray(v == 1999)) is None
    assert np.flatnonzero(plain.mask_where(lambda v: np.asarray(v == 1999))).tolist() == [3]


@given(st.lists(st.tuples(st.integers(0, 50), st.sampled_from(["Ab", "ab", "c", None]))))
def test_fast_search_strings_answer_from_posting_lists(ops: list[tuple[int, str | None]]) -> None:
    fast = StringAttribute("artist", fast_search=True)
    for lid, value in ops:
        fast.put(lid, value)

    def test(values: np.ndarray) -> np.ndarray:
        return np.asarray(values == "ab", dtype=bool)

    found = fast.postings_where(test)
    assert found is not None
    assert found == docids_from_mask(fast.mask_where(test))
