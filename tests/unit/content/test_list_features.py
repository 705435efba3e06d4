"""ranking.listFeatures: every hit carries Vespa's dumped rank features."""

from __future__ import annotations

import pytest

from content.matching import DocumentTypeIndex, RankedHit
from content.ranking import dump_features
from vespid.config import FieldConfig, RankProfileConfig, SchemaConfig
from vespid.messages import OrItem, RangeItem, SearchRequest, TermItem, item_to_json

LISTED = RankProfileConfig("listed", first_phase="nativeRank + attribute(year) / 10000")
SCHEMA = SchemaConfig(
    "music",
    fields=(
        FieldConfig("title", "string", index=True, stemming="none"),
        FieldConfig("tags", "array<string>", index=True, stemming="none"),
        FieldConfig("year", "int", attribute=True),
    ),
    rank_profiles=(LISTED,),
)
TREE = OrItem((TermItem("title", "love"), TermItem("title", "song"), RangeItem("year", 1990.0)))


def _index() -> DocumentTypeIndex:
    index = DocumentTypeIndex(SCHEMA)
    index.put(1, {"title": "love song", "year": 1990})
    index.put(2, {"title": "blue love sky", "year": 1995})
    index.put(3, {"title": "sky", "year": 1980})
    return index


def _search(index: DocumentTypeIndex, profile: str, list_features: bool) -> list[RankedHit]:
    request = SearchRequest(
        ("music",), item_to_json(TREE), ranking=profile, list_features=list_features
    )
    return index.search(request).hits


def test_listed_features_are_vespas_dump_set_with_the_values_ranking_computes() -> None:
    hits = _search(_index(), "listed", list_features=True)
    names = dump_features(SCHEMA, LISTED)
    assert "fieldMatch(title)" in names
    assert "fieldMatch(tags)" not in names
    as_summary = RankProfileConfig("check", first_phase=LISTED.first_phase, summary_features=names)
    index = DocumentTypeIndex(SchemaConfig("music", SCHEMA.fields, rank_profiles=(as_summary,)))
    for lid, fields in ((1, "love song"), (2, "blue love sky"), (3, "sky")):
        index.put(lid, {"title": fields, "year": {1: 1990, 2: 1995, 3: 1980}[lid]})
    expected = {h.lid: h.summary_features for h in _search(index, "check", list_features=False)}
    assert [h.lid for h in hits] == [1, 2]
    listed = [hit.rank_features or {} for hit in hits]
    for hit, features in zip(hits, listed, strict=True):
        assert features == expected[hit.lid]
        assert features["firstPhase"] == pytest.approx(hit.relevance)
    assert listed[0]["queryTermCount"] == 3.0
    assert listed[0]["fieldMatch(title).matches"] == 2.0
    assert listed[-1]["term(3).weight"] == 0.0


def test_features_are_listed_only_when_asked_for() -> None:
    assert all(h.rank_features is None for h in _search(_index(), "listed", list_features=False))


def test_the_term_count_follows_the_term_num_terms_rank_property() -> None:
    names = dump_features(SCHEMA, RankProfileConfig("p", rank_properties=(("term.numTerms", "2"),)))
    assert [n for n in names if n.startswith("term(")] == [
        "term(0).significance",
        "term(0).weight",
        "term(1).significance",
        "term(1).weight",
    ]


def test_rank_features_add_to_the_defaults_or_replace_them() -> None:
    extra = RankProfileConfig("extra", rank_features=("attribute(year)", "nativeRank"))
    only = RankProfileConfig(
        "only", rank_features=("attribute(year)",), ignore_default_rank_features=True
    )
    names = dump_features(SCHEMA, extra)
    assert names[-1] == "attribute(year)"
    assert names.count("nativeRank") == 1
    assert dump_features(SCHEMA, only) == ("attribute(year)",)
    index = DocumentTypeIndex(SchemaConfig("music", SCHEMA.fields, rank_profiles=(only,)))
    index.put(1, {"title": "love song", "year": 1990})
    (hit,) = _search(index, "only", list_features=True)
    assert hit.rank_features == {"attribute(year)": 1990.0}


def test_filter_comparisons_match_but_are_no_query_terms() -> None:
    ranked = OrItem((TermItem("title", "love"), RangeItem("year", 1990.0)))
    filtered = OrItem((TermItem("title", "love"), RangeItem("year", 1990.0, filter=True)))
    counts = []
    for tree in (ranked, filtered):
        request = SearchRequest(
            ("music",), item_to_json(tree), ranking="listed", list_features=True
        )
        hits = _index().search(request).hits
        assert [h.lid for h in hits] == [1, 2]
        counts.append({(h.rank_features or {})["queryTermCount"] for h in hits})
    assert counts == [{2.0}, {1.0}]
