"""DocumentTypeIndex end to end against a brute-force search over Python dicts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from content.matching import DocumentTypeIndex
from tests.unit.content.test_matching_evaluator import SCHEMA, brute_force, corpus, trees
from vespid.config import RankProfileConfig, SchemaConfig
from vespid.errors import InvalidQueryError
from vespid.messages import Item, OrderBy, SearchRequest, TermItem, TrueItem, item_to_json

PROFILE = RankProfileConfig("years", first_phase="attribute(year) * 2 - 3000")
RANKED = SchemaConfig(SCHEMA.name, SCHEMA.fields, SCHEMA.fieldsets, rank_profiles=(PROFILE,))


def _index(docs: dict[int, dict[str, Any]]) -> DocumentTypeIndex:
    index = DocumentTypeIndex(RANKED)
    for lid, doc in docs.items():
        fields = dict(doc)
        fields["embedding"] = {"values": list(doc["embedding"])}
        index.put(lid, fields)
    return index


@settings(max_examples=100)
@given(
    corpus,
    st.lists(st.integers(0, 40), max_size=4),
    trees(),
    st.integers(0, 3),
    st.integers(0, 6),
)
def test_search_returns_the_brute_force_hits_in_relevance_order(
    docs: dict[int, dict[str, Any]], removed: list[int], tree: Item, offset: int, hits: int
) -> None:
    index = _index(docs)
    for lid in removed:
        index.remove(lid)
        docs.pop(lid, None)
    request = SearchRequest(
        ("music",), item_to_json(tree), ranking="years", offset=offset, hits=hits
    )
    result = index.search(request)
    matched = [lid for lid, doc in docs.items() if brute_force(tree, doc)]
    expected = sorted(matched, key=lambda lid: (-docs[lid]["year"], lid))[: offset + hits]
    assert result.total_count == len(matched)
    assert result.document_count == len(docs)
    assert [h.lid for h in result.hits] == expected
    assert [h.relevance for h in result.hits] == [docs[i]["year"] * 2.0 - 3000 for i in expected]


@given(corpus, st.booleans(), st.booleans())
def test_order_by_sorts_on_attributes_then_relevance(
    docs: dict[int, dict[str, Any]], year_ascending: bool, artist_ascending: bool
) -> None:
    index = _index(docs)
    order = (OrderBy("artist", artist_ascending), OrderBy("year", year_ascending))
    request = SearchRequest(
        ("music",), item_to_json(TrueItem()), ranking="years", hits=100, order_by=order
    )
    result = index.search(request)

    def key(lid: int) -> tuple[Any, ...]:
        doc = docs[lid]
        artist_rank = sorted({d["artist"] for d in docs.values()}).index(doc["artist"])
        return (
            artist_rank if artist_ascending else -artist_rank,
            doc["year"] if year_ascending else -doc["year"],
            -doc["year"],
            lid,
        )

    assert [h.lid for h in result.hits] == sorted(docs, key=key)
    for hit in result.hits:
        assert hit.sort_values == (docs[hit.lid]["artist"], docs[hit.lid]["year"])


def test_order_by_puts_documents_without_a_value_last() -> None:
    index = DocumentTypeIndex(RANKED)
    index.put(1, {"year": 1995})
    index.put(2, {"title": "love"})
    index.put(3, {"year": 1991})
    for ascending, expected in ((True, [3, 1, 2]), (False, [1, 3, 2])):
        request = SearchRequest(
            ("music",), item_to_json(TrueItem()), order_by=(OrderBy("year", ascending),)
        )
        assert [h.lid for h in index.search(request).hits] == expected


def test_put_replaces_what_the_lid_had() -> None:
    index = DocumentTypeIndex(RANKED)
    index.put(1, {"title": "love", "year": 1990})
    index.put(1, {"title": "sky", "year": 1991})
    request = SearchRequest(("music",), item_to_json(TermItem("title", "love")))
    assert index.search(request).total_count == 0
    assert index.document_count == 1
    index.remove(1)
    index.remove(1)
    assert index.document_count == 0


def test_malformed_query_tree_is_an_invalid_query() -> None:
    index = DocumentTypeIndex(RANKED)
    with pytest.raises(InvalidQueryError, match="Malformed query tree"):
        index.search(SearchRequest(("music",), {"type": "bogus"}))


def test_order_by_a_field_that_is_not_an_attribute_is_an_invalid_query() -> None:
    index = DocumentTypeIndex(RANKED)
    index.put(1, {"title": "love"})
    request = SearchRequest(
        ("music",), item_to_json(TrueItem()), order_by=(OrderBy("title", True),)
    )
    with pytest.raises(InvalidQueryError, match="Cannot order by 'title'"):
        index.search(request)


def test_order_by_considers_every_match_not_only_the_kept_rank_count() -> None:
    profile = RankProfileConfig("small", first_phase="attribute(year)", keep_rank_count=1)
    index = DocumentTypeIndex(
        SchemaConfig(SCHEMA.name, SCHEMA.fields, SCHEMA.fieldsets, rank_profiles=(profile,))
    )
    for lid, year in enumerate([1995, 1991, 1993]):
        index.put(lid, {"year": year})
    request = SearchRequest(
        ("music",), item_to_json(TrueItem()), ranking="small", order_by=(OrderBy("year"),)
    )
    hits = index.search(request).hits
    assert [(h.lid, h.relevance) for h in hits] == [(1, 1991.0), (2, 1993.0), (0, 1995.0)]
