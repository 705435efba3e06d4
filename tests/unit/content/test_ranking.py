"""Ranking through DocumentTypeIndex: bm25 against the formula, phases, features."""

from __future__ import annotations

import math
import re
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from content.index import Analyzer, FieldIndex
from content.matching import DocumentTypeIndex, MatchResult
from content.ranking import QueryInputs
from content.ranking.selection import best_positions, best_set
from content.ranking.text_features import CandidatePositions
from vespid.config import (
    ConstantConfig,
    FieldConfig,
    FunctionConfig,
    InputConfig,
    RankProfileConfig,
    SchemaConfig,
)
from vespid.document.tensor_json import canonical_tensor
from vespid.document.tensor_type import parse_tensor_type
from vespid.errors import InvalidQueryError
from vespid.messages import (
    AndItem,
    DotProductItem,
    Item,
    NearestNeighborItem,
    OrItem,
    RangeItem,
    SearchRequest,
    TermItem,
    TrueItem,
    WandItem,
    WeightedSetItem,
    item_to_json,
)

WORDS = ["love", "song", "blue", "sky"]


def schema(*profiles: RankProfileConfig) -> SchemaConfig:
    return SchemaConfig(
        "music",
        fields=(
            FieldConfig("title", "string", index=True, stemming="none", enable_bm25=True),
            FieldConfig("year", "int", attribute=True),
            FieldConfig("embedding", "tensor<float>(x[2])", attribute=True),
        ),
        rank_profiles=profiles,
    )


def search(index: DocumentTypeIndex, tree: Item, profile: str, **kwargs: Any) -> MatchResult:
    return index.search(SearchRequest(("music",), item_to_json(tree), ranking=profile, **kwargs))


def reference_bm25(docs: dict[int, list[str]], terms: list[str], lid: int) -> float:
    n_docs = len(docs)
    lengths = [len(words) for words in docs.values() if words]
    average = sum(lengths) / len(lengths)
    score = 0.0
    for term in terms:
        containing = sum(1 for words in docs.values() if term in words)
        tf = docs[lid].count(term)
        idf = math.log(1 + (n_docs - containing + 0.5) / (containing + 0.5))
        length = len(docs[lid])
        score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
    return score


corpus = st.dictionaries(
    st.integers(0, 50), st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), min_size=1
)


@given(corpus, st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True))
def test_bm25_equals_vespas_formula(docs: dict[int, list[str]], terms: list[str]) -> None:
    index = DocumentTypeIndex(schema(RankProfileConfig("bm25", first_phase="bm25(title)")))
    for lid, words in docs.items():
        index.put(lid, {"title": " ".join(words)})
    tree = OrItem(tuple(TermItem("title", t) for t in terms))
    result = search(index, tree, "bm25", hits=100)
    matching = [lid for lid, words in docs.items() if set(words) & set(terms)]
    assert result.total_count == len(matching)
    assert {h.lid for h in result.hits} == set(matching)
    for hit in result.hits:
        assert hit.relevance == pytest.approx(reference_bm25(docs, terms, hit.lid), abs=1e-6)
    scores = [h.relevance for h in result.hits]
    assert scores == sorted(scores, reverse=True)


@given(
    corpus,
    st.dictionaries(st.integers(0, 50), st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True),
    st.booleans(),
)
def test_bm25_equals_vespas_formula_for_and_or_after_rewrites(
    docs: dict[int, list[str]],
    rewrites: dict[int, list[str]],
    terms: list[str],
    conjunctive: bool,
) -> None:
    index = DocumentTypeIndex(schema(RankProfileConfig("bm25", first_phase="bm25(title)")))
    for lid, words in docs.items():
        index.put(lid, {"title": " ".join(words)})
    words_of: tuple[Item, ...] = tuple(TermItem("title", t) for t in terms)
    tree: Item = AndItem(words_of) if conjunctive else OrItem(words_of)
    search(index, tree, "bm25", hits=100)  # caches postings the rewrites must refresh
    for lid, words in rewrites.items():
        index.put(lid, {"title": " ".join(words)})
        docs[lid] = words
    result = search(index, tree, "bm25", hits=100)
    wanted = set(terms)
    matching = {
        lid
        for lid, words in docs.items()
        if (wanted <= set(words) if conjunctive else wanted & set(words))
    }
    assert {h.lid for h in result.hits} == matching
    for hit in result.hits:
        assert hit.relevance == pytest.approx(reference_bm25(docs, terms, hit.lid), abs=1e-6)


def test_bm25_rank_properties_override_k1_and_b() -> None:
    profile = RankProfileConfig(
        "tuned",
        first_phase="bm25(title)",
        rank_properties=(("bm25(title).k1", "2.0"), ("bm25(title).b", "0.0")),
    )
    index = DocumentTypeIndex(schema(profile))
    index.put(1, {"title": "love love song"})
    index.put(2, {"title": "sky"})
    hit = search(index, TermItem("title", "love"), "tuned").hits[0]
    idf = math.log(1 + (2 - 1 + 0.5) / 1.5)
    assert hit.relevance == pytest.approx(idf * 2 * 3.0 / (2 + 2.0), abs=1e-9)


def _years(index: DocumentTypeIndex, years: list[int]) -> None:
    for lid, year in enumerate(years):
        index.put(lid, {"title": "love", "year": year})


def test_keep_rank_count_and_drop_limit_cut_first_phase_hits() -> None:
    profile = RankProfileConfig(
        "p", first_phase="attribute(year)", keep_rank_count=3, rank_score_drop_limit=1991.0
    )
    index = DocumentTypeIndex(schema(profile))
    _years(index, [1990, 1991, 1992, 1993, 1994, 1995])
    result = search(index, TrueItem(), "p", hits=10)
    assert [h.lid for h in result.hits] == [5, 4, 3]
    assert result.total_count == 6


def test_second_phase_reranks_the_best_and_keeps_them_on_top() -> None:
    profile = RankProfileConfig(
        "p",
        first_phase="attribute(year)",
        second_phase="2000 - attribute(year)",
        rerank_count=2,
        match_features=("firstPhase", "attribute(year)"),
    )
    index = DocumentTypeIndex(schema(profile))
    _years(index, [1990, 1991, 1992, 1993])
    hits = search(index, TrueItem(), "p", hits=4).hits
    assert [h.lid for h in hits] == [2, 3, 1, 0]
    assert [h.relevance for h in hits[:2]] == [8.0, 7.0]
    assert hits[2].relevance < 7.0
    assert hits[3].relevance < hits[2].relevance
    assert hits[0].match_features == {"firstPhase": 1992.0, "attribute(year)": 1992.0}


def test_functions_inputs_and_constants_are_compiled_into_the_profile() -> None:
    profile = RankProfileConfig(
        "p",
        inputs=(InputConfig("boost", "double", "2"),),
        constants=(ConstantConfig("base", "double", "1000"),),
        functions=(FunctionConfig("scaled", ("x",), "x * query(boost)"),),
        first_phase="scaled(attribute(year) - base)",
        summary_features=("query(boost)",),
    )
    index = DocumentTypeIndex(schema(profile))
    _years(index, [1990])
    default = search(index, TrueItem(), "p").hits[0]
    assert default.relevance == 1980.0
    assert default.summary_features == {"query(boost)": 2.0}
    given_input = search(index, TrueItem(), "p", inputs={"boost": 0.5}).hits[0]
    assert given_input.relevance == 495.0


def test_closeness_and_distance_come_from_the_nearest_neighbor_item() -> None:
    profile = RankProfileConfig(
        "nn",
        inputs=(InputConfig("q", "tensor<float>(x[2])"),),
        first_phase="closeness(field, embedding)",
        match_features=("distance(field, embedding)",),
    )
    index = DocumentTypeIndex(schema(profile))
    index.put(1, {"embedding": {"values": [0.0, 0.0]}})
    index.put(2, {"embedding": {"values": [3.0, 4.0]}})
    index.put(3, {"title": "no vector"})
    tree = NearestNeighborItem("embedding", "q", target_hits=5)
    hits = search(index, tree, "nn", inputs={"q": [0.0, 0.0]}).hits
    assert [h.lid for h in hits] == [1, 2]
    assert [h.relevance for h in hits] == [1.0, pytest.approx(1 / 6)]
    assert hits[1].match_features == {"distance(field, embedding)": pytest.approx(5.0)}


def test_native_rank_prefers_more_and_earlier_occurrences() -> None:
    index = DocumentTypeIndex(schema())
    index.put(1, {"title": "love love love"})
    index.put(2, {"title": "sky blue song love"})
    index.put(3, {"title": "sky"})
    hits = search(index, TermItem("title", "love"), "default").hits
    assert [h.lid for h in hits] == [1, 2]
    assert all(0.0 < h.relevance <= 1.0 for h in hits)


def test_unranked_scores_every_hit_zero() -> None:
    index = DocumentTypeIndex(schema())
    _years(index, [1990, 1991])
    assert [h.relevance for h in search(index, TrueItem(), "unranked").hits] == [0.0, 0.0]


def test_unknown_rank_profile_is_an_invalid_query() -> None:
    index = DocumentTypeIndex(schema())
    with pytest.raises(InvalidQueryError, match="does not have a rank profile 'nope'"):
        search(index, TrueItem(), "nope")


def test_unknown_rank_feature_is_an_invalid_query() -> None:
    index = DocumentTypeIndex(schema(RankProfileConfig("p", first_phase="noSuchFeature")))
    _years(index, [1990])
    with pytest.raises(InvalidQueryError, match="noSuchFeature"):
        search(index, TrueItem(), "p")


def test_text_and_query_features_in_summary_features() -> None:
    profile = RankProfileConfig(
        "f",
        first_phase="matchCount(title)",
        summary_features=(
            "matches(title)",
            "matches(year)",
            "fieldLength(title)",
            "queryTermCount",
            "term(0).weight",
            "term(0).significance",
            "term(1).significance",
            "now",
            "fieldMatch(title).queryCompleteness",
        ),
    )
    index = DocumentTypeIndex(schema(profile), clock=lambda: 1700000000.0)
    index.put(1, {"title": "love sky blue", "year": 1990})
    tree = OrItem(
        (TermItem("title", "love", weight=200), TermItem("title", "song"), RangeItem("year"))
    )
    hit = search(index, tree, "f").hits[0]
    assert hit.relevance == 1.0
    assert hit.summary_features == {
        "matches(title)": 1.0,
        "matches(year)": 1.0,
        "fieldLength(title)": 3.0,
        "queryTermCount": 3.0,
        "term(0).weight": 200.0,
        "term(0).significance": 0.5,
        "term(1).significance": 1.0,
        "now": 1700000000.0,
        "fieldMatch(title).queryCompleteness": 0.5,
    }


def test_dot_product_and_wand_score_weighted_set_attributes() -> None:
    tagged = SchemaConfig(
        "music",
        fields=(FieldConfig("tags", "weightedset<string>", attribute=True),),
        rank_profiles=(RankProfileConfig("raw", first_phase="rawScore(tags)"),),
    )
    index = DocumentTypeIndex(tagged)
    index.put(1, {"tags": {"rock": 2, "pop": 1}})
    index.put(2, {"tags": {"pop": 5}})
    index.put(3, {"tags": {"jazz": 1}})
    tokens = {"rock": 3.0, "pop": 1.0}
    hits = search(index, DotProductItem("tags", tokens), "raw").hits
    assert [(h.lid, h.relevance) for h in hits] == [(1, 7.0), (2, 5.0)]
    top = search(index, WandItem("tags", tokens, target_hits=1), "raw").hits
    assert [(h.lid, h.relevance) for h in top] == [(1, 7.0)]
    weighted = search(index, WeightedSetItem("tags", {"jazz": 1, "pop": 1}), "raw").hits
    assert sorted(h.lid for h in weighted) == [1, 2, 3]


def test_tensor_attributes_inputs_and_constants_rank_together() -> None:
    tensors = SchemaConfig(
        "music",
        fields=(
            FieldConfig("e", "tensor<float>(x[2])", attribute=True),
            FieldConfig("m", "tensor(c{})", attribute=True),
        ),
        rank_profiles=(
            RankProfileConfig(
                "dot",
                inputs=(InputConfig("q", "tensor<float>(x[2])", "[1,0]"),),
                constants=(ConstantConfig("w", "tensor(x[2])", "[2,3]"),),
                first_phase="sum(query(q) * attribute(e)) + sum(attribute(e) * constant(w))"
                " + sum(attribute(m))",
                match_features=("attribute(e)",),
            ),
        ),
    )
    index = DocumentTypeIndex(tensors)
    index.put(0, {"e": {"values": [1, 2]}, "m": {"cells": [{"address": {"c": "a"}, "value": 5}]}})
    index.put(1, {"e": {"values": [3, 4]}})
    hits = search(index, TrueItem(), "dot").hits
    assert [(h.lid, h.relevance) for h in hits] == [(1, 21.0), (0, 14.0)]
    assert hits[0].match_features == {
        "attribute(e)": {"type": "tensor<float>(x[2])", "values": [3.0, 4.0]}
    }
    given_q = search(index, TrueItem(), "dot", inputs={"q": {"values": [0, 1]}}).hits
    assert [(h.lid, h.relevance) for h in given_q] == [(1, 22.0), (0, 15.0)]


def test_filter_terms_match_without_ranking() -> None:
    profile = RankProfileConfig("bm25", first_phase="bm25(title)")
    index = DocumentTypeIndex(schema(profile))
    index.put(1, {"title": "love song"})
    index.put(2, {"title": "sky"})
    hits = search(index, TermItem("title", "love", filter=True), "bm25").hits
    assert [(h.lid, h.relevance) for h in hits] == [(1, 0.0)]


def test_a_query_tensor_of_the_wrong_shape_is_an_invalid_query() -> None:
    profile = RankProfileConfig(
        "nn",
        inputs=(InputConfig("q", "tensor<float>(x[2])"),),
        first_phase="sum(query(q) * attribute(embedding))",
    )
    index = DocumentTypeIndex(schema(profile))
    index.put(1, {"embedding": {"values": [1.0, 2.0]}})
    with pytest.raises(InvalidQueryError, match=r"query\(q\)"):
        search(index, TrueItem(), "nn", inputs={"q": [1.0, 2.0, 3.0]})


def test_a_phase_computing_a_tensor_is_an_invalid_query() -> None:
    profile = RankProfileConfig("t", first_phase="attribute(embedding)")
    index = DocumentTypeIndex(schema(profile))
    index.put(1, {"embedding": {"values": [1.0, 2.0]}})
    with pytest.raises(InvalidQueryError, match="must compute a number"):
        search(index, TrueItem(), "t")


CELLS = [{"address": {"t": "rock"}, "value": 2}, {"address": {"t": "pop"}, "value": 0.5}]


@pytest.mark.parametrize("vector", [{"rock": 2, "pop": 0.5}, "{rock:2,pop:0.5}", {"cells": CELLS}])
def test_dot_product_feature_multiplies_query_and_document_weights(vector: Any) -> None:
    tagged = SchemaConfig(
        "music",
        fields=(
            FieldConfig("tags", "weightedset<string>", attribute=True),
            FieldConfig("list", "array<string>", attribute=True),
        ),
        rank_profiles=(
            RankProfileConfig(
                "dp", first_phase="dotProduct(tags, v)", match_features=("dotProduct(list, v)",)
            ),
        ),
    )
    index = DocumentTypeIndex(tagged)
    index.put(1, {"tags": {"rock": 3, "jazz": 7}, "list": ["pop", "pop", "rock"]})
    hit = search(index, TrueItem(), "dp", inputs={"v": vector}).hits[0]
    assert hit.relevance == 6.0
    assert hit.match_features == {"dotProduct(list, v)": 3.0}


def test_age_and_freshness_read_a_timestamp_attribute() -> None:
    stamped = SchemaConfig(
        "music",
        fields=(FieldConfig("published", "long", attribute=True),),
        rank_profiles=(
            RankProfileConfig(
                "fresh",
                first_phase="freshness(published)",
                match_features=("age(published)",),
                rank_properties=(("freshness(published).maxAge", "1000"),),
            ),
        ),
    )
    index = DocumentTypeIndex(stamped, clock=lambda: 10_000.0)
    index.put(1, {"published": 9_750})
    index.put(2, {"published": 5_000})
    hits = search(index, TrueItem(), "fresh").hits
    assert [(h.lid, h.relevance) for h in hits] == [(1, 0.75), (2, 0.0)]
    assert hits[0].match_features == {"age(published)": 250.0}


def _paragraphs(vectors: list[list[float]]) -> dict[str, Any]:
    return {
        "cells": [
            {"address": {"p": str(i), "x": str(j)}, "value": v}
            for i, vector in enumerate(vectors)
            for j, v in enumerate(vector)
        ]
    }


multi_docs = st.dictionaries(
    st.integers(0, 20),
    st.lists(
        st.lists(st.integers(-4, 4).map(float), min_size=2, max_size=2), min_size=1, max_size=3
    ),
    min_size=1,
)


@given(multi_docs, st.integers(1, 4))
def test_nearest_neighbor_on_a_mixed_tensor_uses_each_documents_closest_vector(
    docs: dict[int, list[list[float]]], k: int
) -> None:
    mixed = SchemaConfig(
        "music",
        fields=(FieldConfig("para", "tensor<float>(p{},x[2])", attribute=True),),
        rank_profiles=(
            RankProfileConfig(
                "nn",
                inputs=(InputConfig("q", "tensor<float>(x[2])"),),
                first_phase="closeness(field, para)",
                match_features=("distance(field, para)", "closest(para)"),
            ),
        ),
    )
    index = DocumentTypeIndex(mixed)
    for lid, vectors in docs.items():
        index.put(lid, {"para": _paragraphs(vectors)})
    query = [0.5, -1.0]
    tree = NearestNeighborItem("para", "q", target_hits=k)
    hits = search(index, tree, "nn", inputs={"q": query}, hits=k).hits

    def nearest(vectors: list[list[float]]) -> tuple[float, int]:
        return min((math.dist(v, query), i) for i, v in enumerate(vectors))

    expected = sorted(docs, key=lambda lid: (nearest(docs[lid])[0], lid))[:k]
    assert sorted(h.lid for h in hits) == sorted(expected)
    for hit in hits:
        distance, paragraph = nearest(docs[hit.lid])
        assert hit.relevance == pytest.approx(1 / (1 + distance), abs=1e-6)
        features = hit.match_features
        assert features["distance(field, para)"] == pytest.approx(distance, abs=1e-6)
        closest = features["closest(para)"]["cells"]
        assert len(closest) == 1
        assert closest[0]["value"] == 1.0
        assert math.dist(docs[hit.lid][int(closest[0]["address"]["p"])], query) == (
            pytest.approx(distance, abs=1e-6)
        )
        assert paragraph >= 0


def test_second_phase_and_features_see_the_right_document_whatever_the_rank_order() -> None:
    profile = RankProfileConfig(
        "nn2",
        inputs=(InputConfig("q", "tensor<float>(x[2])"),),
        first_phase="closeness(field, embedding)",
        second_phase="10 * closeness(field, embedding)",
        match_features=("distance(field, embedding)",),
    )
    index = DocumentTypeIndex(schema(profile))
    index.put(1, {"embedding": {"values": [3.0, 4.0]}})
    index.put(2, {"embedding": {"values": [0.0, 0.0]}})
    index.put(3, {"embedding": {"values": [0.0, 1.0]}})
    tree = NearestNeighborItem("embedding", "q", target_hits=3)
    hits = search(index, tree, "nn2", inputs={"q": [0.0, 0.0]}).hits
    assert [h.lid for h in hits] == [2, 3, 1]
    assert [h.relevance for h in hits] == pytest.approx([10.0, 5.0, 10 / 6])
    assert [h.match_features["distance(field, embedding)"] for h in hits] == pytest.approx(
        [0.0, 1.0, 5.0]
    )


def test_sparse_tensor_attributes_join_query_tensors_per_label() -> None:
    sparse = SchemaConfig(
        "music",
        fields=(FieldConfig("scores", "tensor<float>(cat{})", attribute=True),),
        rank_profiles=(
            RankProfileConfig(
                "user",
                inputs=(InputConfig("u", "tensor<float>(cat{})"),),
                first_phase="sum(query(u) * attribute(scores))",
                match_features=("attribute(scores)",),
            ),
        ),
    )
    index = DocumentTypeIndex(sparse)
    index.put(1, {"scores": {"cells": [{"address": {"cat": "pop"}, "value": 1.0}]}})
    index.put(2, {"scores": {"cells": [{"address": {"cat": "rock"}, "value": 0.5}]}})
    index.put(3, {})
    hits = search(index, TrueItem(), "user", inputs={"u": {"pop": 0.8, "rock": 4.0}}).hits
    assert [(h.lid, h.relevance) for h in hits] == [
        (2, 2.0),
        (1, pytest.approx(0.8)),
        (3, 0.0),
    ]
    assert hits[0].match_features["attribute(scores)"] == {
        "type": "tensor<float>(cat{})",
        "cells": [{"address": {"cat": "rock"}, "value": 0.5}],
    }
    assert hits[2].match_features["attribute(scores)"]["cells"] == []
    with pytest.raises(InvalidQueryError, match="dense vectors"):
        search(index, NearestNeighborItem("scores", "u"), "user", inputs={"u": {"pop": 1}})


def test_closeness_is_computed_for_documents_the_nearest_neighbor_item_did_not_return() -> None:
    profile = RankProfileConfig(
        "hybrid",
        inputs=(InputConfig("q", "tensor<float>(x[2])"),),
        first_phase="closeness(field, embedding)",
        match_features=(
            "distance(field, embedding)",
            "fieldLength(title)",
            "fieldMatch(title).completeness",
        ),
    )
    index = DocumentTypeIndex(schema(profile))
    index.put(1, {"title": "love me do", "embedding": {"values": [5.0, 5.0]}})
    index.put(2, {"title": "sky", "embedding": {"values": [0.0, 0.0]}})
    index.put(3, {"title": "love", "year": 1990})
    tree = OrItem((TermItem("title", "love"), NearestNeighborItem("embedding", "q", 1)))
    hits = search(index, tree, "hybrid", inputs={"q": [0.0, 0.0]}).hits
    # As Vespa's closeness/distance executors: computed on the fly when not returned
    # by the operator; a document without a vector is infinitely far.
    far = math.sqrt(50)
    assert [(h.lid, h.relevance) for h in hits] == [
        (2, 1.0),
        (1, pytest.approx(1 / (1 + far))),
        (3, 0.0),
    ]
    assert hits[2].match_features["distance(field, embedding)"] == sys.float_info.max
    assert hits[1].match_features == {
        "distance(field, embedding)": pytest.approx(far),
        "fieldLength(title)": 3.0,
        "fieldMatch(title).completeness": pytest.approx(0.95 + 0.05 / 3),
    }
    assert hits[0].match_features["fieldLength(title)"] == 1_000_000.0


def test_element_features_of_weighted_sets_and_arrays() -> None:
    tagged = SchemaConfig(
        "music",
        fields=(
            FieldConfig("tags", "weightedset<string>", attribute=True),
            FieldConfig("list", "array<string>", attribute=True),
        ),
        rank_profiles=(
            RankProfileConfig(
                "el",
                first_phase="attribute(tags).count",
                match_features=(
                    "attribute(tags, rock).weight",
                    "attribute(tags, jazz).contains",
                    "attribute(list, pop).weight",
                    "attribute(list).count",
                ),
            ),
        ),
    )
    index = DocumentTypeIndex(tagged)
    index.put(1, {"tags": {"rock": 3, "pop": 7}, "list": ["pop", "pop", "rock"]})
    hit = search(index, TrueItem(), "el").hits[0]
    assert hit.relevance == 2.0
    assert hit.match_features == {
        "attribute(tags, rock).weight": 3.0,
        "attribute(tags, jazz).contains": 0.0,
        "attribute(list, pop).weight": 2.0,
        "attribute(list).count": 3.0,
    }


@pytest.mark.parametrize(
    "value",
    [
        [0.5, -1, 2.25],
        {"values": [0.5, -1, 2.25]},
        [0.1, 1e-3, 3],
        [True, 0, 1],
        [1, "2", 3],
        [1, 2],
        [[1, 2, 3]],
    ],
)
@pytest.mark.parametrize("cell_type", ["float", "double", "bfloat16", "int8"])
def test_query_vectors_read_as_plain_lists_equal_the_general_tensor_reader(
    value: Any, cell_type: str
) -> None:
    tensor_type = parse_tensor_type(f"tensor<{cell_type}>(x[3])")
    inputs = QueryInputs(RankProfileConfig("p"), {"q": value})
    try:
        expected = np.asarray(
            canonical_tensor(tensor_type, inputs.cells("q", tensor_type))["values"], np.float32
        )
    except InvalidQueryError as e:
        with pytest.raises(InvalidQueryError, match=re.escape(str(e))):
            inputs.dense_vector("q", tensor_type)
        return
    found = inputs.dense_vector("q", tensor_type)
    assert found.dtype == np.float32
    assert found.tolist() == expected.tolist()


@given(
    st.lists(st.integers(0, 60), unique=True, max_size=40),
    st.lists(st.sampled_from([0.0, 1.0, 2.5, float("nan"), -3.0]), min_size=40, max_size=40),
    st.integers(0, 45),
)
def test_best_set_picks_the_candidates_best_positions_ranks_first(
    lids: list[int], scores: list[float], count: int
) -> None:
    lid_array = np.array(sorted(lids), dtype=np.uint32)
    score_array = np.array(scores[: len(lids)])
    chosen = best_set(lid_array, score_array, count)
    assert chosen.tolist() == sorted(best_positions(lid_array, score_array, count).tolist())


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 3))
def test_candidate_positions_pair_postings_alike_with_a_dense_table_or_a_search(
    seed: int, gap: int
) -> None:
    rng = np.random.default_rng(seed)
    index = FieldIndex(Analyzer(stemming="none"))
    for lid in range(6000):
        index.put(lid, " ".join(rng.choice(["a", "b", "c"], size=1 + gap)))
    postings = index.postings("a")
    many = np.unique(rng.integers(0, 6500, size=4000)).astype(np.uint32)
    assert many.size >= CandidatePositions.DENSE_FROM
    dense = CandidatePositions(many).pair(postings)
    searched = postings.matches_in(many)
    assert np.array_equal(many[dense[0]], many[searched[0]])
    assert np.array_equal(postings.lids[dense[1]], postings.lids[searched[1]])
