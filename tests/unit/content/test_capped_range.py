"""Capped range (`{hitLimit: n}range(...)`) against sorting the matches by hand."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

from content.index import DocIdSet, lids_of
from content.matching.catalog import FieldCatalog
from content.matching.evaluator import QueryEvaluator
from vespid.config import FieldConfig, SchemaConfig
from vespid.errors import InvalidQueryError
from vespid.messages import RangeItem

SCHEMA = SchemaConfig(
    "s",
    fields=(
        FieldConfig("year", "int", attribute=True),
        FieldConfig("tags", "array<int>", attribute=True),
    ),
)


def _search(years: dict[int, int | None], item: RangeItem) -> list[int]:
    catalog = FieldCatalog(SCHEMA)
    live = DocIdSet()
    for lid, year in years.items():
        catalog.put(lid, {"year": year, "tags": [1]})
        live.add(lid)

    def no_vectors(name: str, attribute: Any) -> Any:
        raise AssertionError("no nearestNeighbor expected")

    found: list[int] = lids_of(QueryEvaluator(catalog, live, no_vectors).evaluate(item)).tolist()
    return found


@given(
    st.dictionaries(st.integers(0, 30), st.none() | st.integers(0, 9), max_size=20),
    st.integers(-6, 6).filter(bool),
    st.integers(0, 9),
)
def test_hit_limit_keeps_the_lowest_or_highest_values_with_their_ties(
    years: dict[int, int | None], hit_limit: int, low: int
) -> None:
    found = _search(years, RangeItem("year", lower=float(low), hit_limit=hit_limit))
    matching = sorted(
        (y for y in years.values() if y is not None and y >= low), reverse=hit_limit < 0
    )
    if len(matching) > abs(hit_limit):
        cut = matching[abs(hit_limit) - 1]
        matching = [y for y in matching if (y <= cut if hit_limit > 0 else y >= cut)]
    expected = sorted(lid for lid, y in years.items() if y is not None and y in matching)
    assert found == expected


def test_hit_limit_on_a_multi_value_attribute_is_refused() -> None:
    with pytest.raises(InvalidQueryError, match="hitLimit needs a single-value numeric"):
        _search({1: 3, 2: 4}, RangeItem("tags", lower=0.0, hit_limit=1))
