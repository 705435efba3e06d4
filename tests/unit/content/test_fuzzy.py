"""fuzzy(): Levenshtein matching on string attributes against a plain dynamic program."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

from content.index import DocIdSet, lids_of
from content.matching.catalog import FieldCatalog
from content.matching.evaluator import QueryEvaluator
from vespid.config import FieldConfig, SchemaConfig
from vespid.errors import InvalidQueryError
from vespid.messages import FuzzyItem

SCHEMA = SchemaConfig(
    "s",
    fields=(
        FieldConfig("name", "string", attribute=True),
        FieldConfig("names", "array<string>", attribute=True),
        FieldConfig("year", "int", attribute=True),
    ),
)
words = st.text(alphabet="abcA", max_size=5)


def levenshtein(a: str, b: str) -> int:
    """Every edit path, no shortcuts."""
    rows = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            substitution = rows[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, substitution)
    return rows[-1][-1]


def fits(query: str, value: str, distance: int, prefix_length: int, prefix: bool) -> bool:
    query, value = query.lower(), value.lower()
    if value[:prefix_length] != query[:prefix_length]:
        return False
    rest, text = query[prefix_length:], value[prefix_length:]
    candidates = [text[:n] for n in range(len(text) + 1)] if prefix else [text]
    return min(levenshtein(rest, c) for c in candidates) <= distance


def _search(docs: dict[int, dict[str, Any]], item: FuzzyItem) -> list[int]:
    catalog = FieldCatalog(SCHEMA)
    live = DocIdSet()
    for lid, doc in docs.items():
        catalog.put(lid, doc)
        live.add(lid)

    def no_vectors(name: str, attribute: Any) -> Any:
        raise AssertionError("no nearestNeighbor expected")

    found: list[int] = lids_of(QueryEvaluator(catalog, live, no_vectors).evaluate(item)).tolist()
    return found


@given(
    st.dictionaries(
        st.integers(0, 20),
        st.fixed_dictionaries({"name": words, "names": st.lists(words, max_size=3)}),
        max_size=10,
    ),
    words,
    st.integers(0, 3),
    st.integers(0, 2),
    st.booleans(),
)
def test_fuzzy_matches_what_a_plain_levenshtein_accepts(
    docs: dict[int, dict[str, Any]], query: str, distance: int, prefix_length: int, prefix: bool
) -> None:
    for field in ("name", "names"):
        item = FuzzyItem(field, query, distance, prefix_length, prefix)
        expected = sorted(
            lid
            for lid, doc in docs.items()
            if any(
                fits(query, v, distance, prefix_length, prefix)
                for v in (doc[field] if field == "names" else [doc[field]])
            )
        )
        assert _search(docs, item) == expected


def test_fuzzy_on_a_numeric_attribute_is_refused() -> None:
    with pytest.raises(InvalidQueryError, match="fuzzy needs a string attribute"):
        _search({1: {"year": 3}}, FuzzyItem("year", "3"))
