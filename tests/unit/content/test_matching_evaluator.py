"""Query-tree matching against a brute-force evaluation over Python dicts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from content.index import DocIdSet, lids_of
from content.matching.catalog import FieldCatalog
from content.matching.evaluator import QueryEvaluator
from vespid.config import FieldConfig, FieldsetConfig, SchemaConfig
from vespid.errors import InvalidQueryError
from vespid.messages import (
    AndItem,
    EqualsItem,
    FalseItem,
    InItem,
    Item,
    NearestNeighborItem,
    NotItem,
    OrItem,
    PhraseItem,
    RangeItem,
    RankItem,
    RegexItem,
    TermItem,
    TrueItem,
    WeakAndItem,
)

WORDS = ["love", "song", "blue", "sky"]
ARTISTS = ["Abba", "Beck", "Cher"]
SCHEMA = SchemaConfig(
    "music",
    fields=(
        FieldConfig("title", "string", index=True, stemming="none"),
        FieldConfig("body", "string", index=True, stemming="none"),
        FieldConfig("artist", "string", attribute=True),
        FieldConfig("year", "int", attribute=True),
        FieldConfig("tags", "array<string>", attribute=True),
        FieldConfig("embedding", "tensor<float>(x[2])", attribute=True),
    ),
    fieldsets=(FieldsetConfig("default", ("title", "body")),),
)

text = st.lists(st.sampled_from(WORDS), max_size=5).map(" ".join)
document = st.fixed_dictionaries(
    {
        "title": text,
        "body": text,
        "artist": st.sampled_from(ARTISTS),
        "year": st.integers(1990, 1995),
        "tags": st.lists(st.sampled_from(["x", "y", "z"]), max_size=2),
        "embedding": st.tuples(st.integers(-3, 3), st.integers(-3, 3)),
    }
)
corpus = st.dictionaries(st.integers(0, 40), document, max_size=15)


def leaves() -> st.SearchStrategy[Item]:
    return st.one_of(
        st.builds(TermItem, st.sampled_from(["title", "body", "default"]), st.sampled_from(WORDS)),
        st.builds(TermItem, st.just("artist"), st.sampled_from([a.lower() for a in ARTISTS])),
        st.builds(TermItem, st.just("tags"), st.sampled_from(["x", "y", "z"])),
        st.builds(
            RangeItem,
            st.just("year"),
            st.one_of(st.none(), st.integers(1990, 1995).map(float)),
            st.one_of(st.none(), st.integers(1990, 1995).map(float)),
            st.booleans(),
            st.booleans(),
        ),
        st.builds(EqualsItem, st.just("year"), st.integers(1990, 1995)),
        st.builds(
            InItem, st.just("artist"), st.lists(st.sampled_from(ARTISTS), max_size=2).map(tuple)
        ),
        st.builds(
            PhraseItem,
            st.just("title"),
            st.lists(st.sampled_from(WORDS), min_size=2, max_size=2).map(tuple),
        ),
        st.builds(RegexItem, st.just("artist"), st.sampled_from(["^a", "e", "r$"])),
        st.just(TrueItem()),
        st.just(FalseItem()),
    )


def trees() -> st.SearchStrategy[Item]:
    return st.recursive(
        leaves(),
        lambda children: st.one_of(
            st.builds(AndItem, st.lists(children, min_size=1, max_size=3).map(tuple)),
            st.builds(OrItem, st.lists(children, min_size=1, max_size=3).map(tuple)),
            st.builds(RankItem, st.lists(children, min_size=1, max_size=3).map(tuple)),
            st.builds(NotItem, children, st.lists(children, max_size=2).map(tuple)),
            st.builds(
                WeakAndItem, st.lists(children, min_size=1, max_size=3).map(tuple), st.just(1000)
            ),
        ),
        max_leaves=8,
    )


def _words(value: str) -> list[str]:
    return value.lower().split()


def brute_force(item: Item, doc: dict[str, Any]) -> bool:
    match item:
        case TrueItem():
            return True
        case FalseItem():
            return False
        case AndItem(children=c):
            return all(brute_force(x, doc) for x in c)
        case OrItem(children=c) | WeakAndItem(children=c):
            return any(brute_force(x, doc) for x in c)
        case RankItem(children=c):
            return brute_force(c[0], doc)
        case NotItem(positive=p, negatives=n):
            return brute_force(p, doc) and not any(brute_force(x, doc) for x in n)
        case TermItem(field="default", term=t):
            return t in _words(doc["title"]) or t in _words(doc["body"])
        case TermItem(field="artist", term=t):
            return bool(doc["artist"].lower() == t)
        case TermItem(field="tags", term=t):
            return t in doc["tags"]
        case TermItem(field=f, term=t):
            return t in _words(doc[f])
        case RangeItem(lower=lo, upper=hi, include_lower=il, include_upper=iu):
            y = doc["year"]
            low_ok = lo is None or (y >= lo if il else y > lo)
            return low_ok and (hi is None or (y <= hi if iu else y < hi))
        case EqualsItem(value=v):
            return bool(doc["year"] == v)
        case InItem(values=vs):
            return doc["artist"] in vs
        case PhraseItem(terms=ts):
            w = _words(doc["title"])
            return any(w[i : i + len(ts)] == list(ts) for i in range(len(w) - len(ts) + 1))
        case RegexItem(pattern=p):
            import re

            return re.search(p, doc["artist"].lower()) is not None
    raise AssertionError(item)


def _catalog(docs: dict[int, dict[str, Any]]) -> tuple[FieldCatalog, DocIdSet]:
    catalog = FieldCatalog(SCHEMA)
    live = DocIdSet()
    for lid, doc in docs.items():
        fields = dict(doc)
        fields["embedding"] = {"values": list(doc["embedding"])}
        catalog.put(lid, fields)
        live.add(lid)
    return catalog, live


def _no_vectors(name: str, attribute: Any) -> Any:
    raise AssertionError("no nearestNeighbor expected")


@settings(max_examples=150)
@given(corpus, trees())
def test_query_trees_match_exactly_what_a_brute_force_scan_matches(
    docs: dict[int, dict[str, Any]], tree: Item
) -> None:
    catalog, live = _catalog(docs)
    found = lids_of(QueryEvaluator(catalog, live, _no_vectors).evaluate(tree)).tolist()
    assert found == sorted(lid for lid, doc in docs.items() if brute_force(tree, doc))


@given(corpus, st.integers(1, 5), st.one_of(st.none(), st.floats(0, 4)))
def test_exact_nearest_neighbor_returns_the_k_closest_allowed_documents(
    docs: dict[int, dict[str, Any]], k: int, threshold: float | None
) -> None:
    catalog, live = _catalog(docs)
    query = np.array([0.5, -0.5], dtype=np.float32)
    item = AndItem(
        (
            RangeItem("year", upper=1993.0),
            NearestNeighborItem("embedding", "q", target_hits=k, distance_threshold=threshold),
        )
    )
    evaluator = QueryEvaluator(catalog, live, lambda name, attribute: query)
    found = lids_of(evaluator.evaluate(item)).tolist()
    allowed = [
        (float(np.hypot(*(np.array(d["embedding"]) - query))), lid)
        for lid, d in docs.items()
        if d["year"] <= 1993
    ]
    nearest = sorted(allowed)[:k]
    expected = sorted(lid for dist, lid in nearest if threshold is None or dist <= threshold)
    assert found == expected
    assert evaluator.data.nearest[0].lids.tolist() == expected


def test_weak_and_keeps_the_documents_with_the_best_idf_sums() -> None:
    docs = {
        1: {"title": "love song"},
        2: {"title": "love"},
        3: {"title": "love"},
        4: {"title": "blue"},
    }
    catalog = FieldCatalog(SCHEMA)
    live = DocIdSet()
    for lid, doc in docs.items():
        catalog.put(lid, doc)
        live.add(lid)
    tree = WeakAndItem((TermItem("title", "love"), TermItem("title", "song")), target_hits=1)
    assert lids_of(QueryEvaluator(catalog, live, _no_vectors).evaluate(tree)).tolist() == [1]


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        (TermItem("nope", "x"), "Field 'nope' does not exist"),
        (RangeItem("title", lower=1.0), "must be a numeric or string attribute"),
        (TermItem("year", "abc"), "is not a number"),
        (NearestNeighborItem("year", "q"), "tensor attribute of dense vectors"),
        (RegexItem("artist", "("), "invalid regular expression"),
    ],
)
def test_bad_queries_are_rejected_with_a_clear_message(tree: Item, message: str) -> None:
    catalog, live = _catalog({})
    with pytest.raises(InvalidQueryError, match=message):
        QueryEvaluator(catalog, live, _no_vectors).evaluate(tree)


def test_default_without_a_default_fieldset_is_an_invalid_query() -> None:
    catalog = FieldCatalog(SchemaConfig("s", fields=(FieldConfig("a", "string", index=True),)))
    with pytest.raises(InvalidQueryError, match="no fieldset 'default'"):
        QueryEvaluator(catalog, DocIdSet(), _no_vectors).evaluate(TermItem("default", "x"))


def test_an_unsupported_distance_metric_is_an_invalid_query() -> None:
    geo = SchemaConfig(
        "s",
        fields=(
            FieldConfig(
                "where", "tensor<float>(x[2])", attribute=True, distance_metric="geodegrees"
            ),
        ),
    )
    catalog = FieldCatalog(geo)
    catalog.put(1, {"where": {"values": [63.4, 10.4]}})
    live = DocIdSet()
    live.add(1)
    query = np.array([59.9, 10.7], dtype=np.float32)
    evaluator = QueryEvaluator(catalog, live, lambda name, tensor_type: query)
    with pytest.raises(InvalidQueryError, match="geodegrees"):
        evaluator.evaluate(NearestNeighborItem("where", "q"))
