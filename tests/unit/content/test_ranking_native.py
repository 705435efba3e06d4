"""nativeRank against a per-document Python evaluation of Vespa's documented formulas."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from content.matching import DocumentTypeIndex
from content.ranking.native_rank import significance
from vespid.config import FieldConfig, RankProfileConfig, SchemaConfig
from vespid.messages import OrItem, RangeItem, SearchRequest, TermItem, item_to_json

WORDS = ["a", "b", "c", "d"]
PROFILES = tuple(
    RankProfileConfig(name, first_phase=name)
    for name in ("nativeRank", "nativeFieldMatch", "nativeProximity", "nativeAttributeMatch")
)
SCHEMA = SchemaConfig(
    "docs",
    fields=(
        FieldConfig("body", "string", index=True, stemming="none"),
        FieldConfig("year", "int", attribute=True),
    ),
    rank_profiles=PROFILES,
)


def first_occurrence(x: int) -> float:
    return 8000 * math.exp(-min(x, 255) / 12.5)


def occurrence_count(x: int) -> float:
    return 1500 * math.log(1 + min(x, 255) / 19) + 4000


def field_match(words: list[str], terms: list[str], sig: dict[str, float]) -> float:
    maximum = 0.5 * 8000 + 0.5 * occurrence_count(255)
    top = bottom = 0.0
    length = max(6, len(words))
    for term in terms:
        weight = sig[term] * 100
        bottom += weight * maximum
        if term in words:
            first = first_occurrence(int(words.index(term) * 256 / length))
            count = occurrence_count(int(words.count(term) * 256 / length))
            top += weight * (0.5 * first + 0.5 * count)
    return top / bottom


def proximity(words: list[str], terms: list[str], sig: dict[str, float]) -> float:
    top = bottom = 0.0
    for i, a in enumerate(terms):
        for gap, b in enumerate(terms[i + 1 : i + 4], start=1):
            pair = 0.1 / gap * (sig[a] * 100 + sig[b] * 100)
            bottom += pair * 450
            pa = [p for p, w in enumerate(words) if w == a]
            pb = [p for p, w in enumerate(words) if w == b]
            forward = [y - x for x in pa for y in pb if y > x]
            backward = [x - y for x in pa for y in pb if x > y]
            boost = 0.0
            if forward:
                boost += 0.5 * 500 * math.exp(-min(min(forward) - 1, 255) / 3)
            if backward:
                boost += 0.5 * 400 * math.exp(-min(min(backward) - 1, 255) / 3)
            top += pair * boost
    return top / bottom if bottom else 0.0


corpus = st.dictionaries(
    st.integers(0, 30),
    st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=9), st.integers(0, 3)),
    min_size=1,
)


@given(corpus, st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=True))
def test_native_rank_follows_vespas_formulas(
    docs: dict[int, tuple[list[str], int]], terms: list[str]
) -> None:
    index = DocumentTypeIndex(SCHEMA)
    for lid, (words, year) in docs.items():
        index.put(lid, {"body": " ".join(words), "year": year})
    n = len(docs)
    sig = {t: significance(sum(t in w for w, _ in docs.values()), n) for t in terms}
    tree = OrItem((*(TermItem("body", t) for t in terms), RangeItem("year", lower=2.0)))
    results = {
        p.name: {
            h.lid: h.relevance
            for h in index.search(
                SearchRequest(("docs",), item_to_json(tree), ranking=p.name, hits=100)
            ).hits
        }
        for p in PROFILES
    }
    for lid, scores in results["nativeRank"].items():
        words, year = docs[lid]
        fm = field_match(words, terms, sig)
        prox = proximity(words, terms, sig)
        attr = (1.0 if year >= 2 else 0.0) / 255
        assert results["nativeFieldMatch"][lid] == pytest.approx(fm, rel=1e-9, abs=1e-12)
        assert results["nativeProximity"][lid] == pytest.approx(prox, rel=1e-9, abs=1e-12)
        assert results["nativeAttributeMatch"][lid] == pytest.approx(attr, rel=1e-9, abs=1e-12)
        expected = (100 * fm + 25 * prox + 100 * attr) / 225
        assert scores == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_significance_is_half_for_common_terms_and_one_for_unique_ones() -> None:
    assert significance(10, 10) == 0.5
    assert significance(1, 1_000_000) == 1.0
    assert significance(0, 0) == 0.5


def test_native_attribute_match_uses_weighted_set_weights_and_array_occurrences() -> None:
    schema = SchemaConfig(
        "docs",
        fields=(
            FieldConfig("tags", "weightedset<string>", attribute=True),
            FieldConfig("list", "array<string>", attribute=True),
        ),
        rank_profiles=(RankProfileConfig("nam", first_phase="nativeAttributeMatch"),),
    )
    index = DocumentTypeIndex(schema)
    index.put(1, {"tags": {"x": 30, "y": -5}, "list": ["x", "x", "z"]})
    tree = OrItem((TermItem("tags", "x"), TermItem("tags", "y"), TermItem("list", "x")))
    request = SearchRequest(("docs",), item_to_json(tree), ranking="nam")
    hit = index.search(request).hits[0]
    assert hit.relevance == pytest.approx((30 - 5 + 2) / (3 * 255))
