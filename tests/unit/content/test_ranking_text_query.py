"""The lean text path (content.matching.text_query) against the generic path and brute force.

Every query is asked twice: as is (words, or/and of words: the lean path) and wrapped
in a one-child ``rank`` item, which matches and ranks the same documents but only the
generic evaluator understands. The answers must be identical to the bit, and both must
agree with a brute-force numpy bm25 (Vespa's formula) to 1e-6, with exact totalCount,
across puts, rewrites and removes (which move N and the average field length under
the cached contributions).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from content.matching import DocumentTypeIndex, MatchResult
from content.matching.text_query import TextSearch
from content.ranking.bm25_terms import Bm25Terms
from content.ranking.program import RankProgram
from vespid.config import (
    FieldConfig,
    FieldsetConfig,
    FunctionConfig,
    RankProfileConfig,
    SchemaConfig,
)
from vespid.messages import (
    AndItem,
    Item,
    OrItem,
    SearchRequest,
    TermItem,
    WeakAndItem,
    item_to_json,
)

WORDS = ["ant", "bee", "cat", "dog", "eel", "fox"]
PROFILES = {
    "plain": (RankProfileConfig("plain", first_phase="bm25(text)"), {"text": 1.0}),
    "weighted": (
        RankProfileConfig(
            "weighted",
            functions=(FunctionConfig("body", (), "bm25(text)"),),
            first_phase="bm25(title) * 2 + 0.5 * body",
            rank_properties=(("bm25(title).k1", "0.9"), ("bm25(title).b", "0.3")),
        ),
        {"title": 2.0, "text": 0.5},
    ),
}
SCHEMA = SchemaConfig(
    "doc",
    fields=(
        FieldConfig("title", "string", index=True, stemming="none"),
        FieldConfig("text", "string", index=True, stemming="none"),
    ),
    fieldsets=(FieldsetConfig("default", ("title", "text")),),
    rank_profiles=tuple(profile for profile, _ in PROFILES.values()),
)

words = st.lists(st.sampled_from(WORDS), max_size=8)
puts = st.tuples(st.just("put"), st.integers(0, 30), words, words)
removes: st.SearchStrategy[tuple[str, int, list[str], list[str]]] = st.tuples(
    st.just("remove"), st.integers(0, 30), st.just([]), st.just([])
)
queries = st.tuples(
    st.sampled_from(["or", "and", "weakand"]),
    st.sampled_from(["text", "title", "default"]),
    st.lists(st.sampled_from([*WORDS, "gnu"]), min_size=1, max_size=3, unique=True),
    st.sampled_from(sorted(PROFILES)),
    st.integers(0, 4) | st.integers(5, 12),
    st.integers(0, 2),
    st.integers(1, 8),
    st.lists(st.sampled_from([50, 100, 200]), min_size=3, max_size=3),
)


class Reference:
    """The documents as plain token lists, and Vespa's bm25 computed from them."""

    def __init__(self) -> None:
        self.docs: dict[int, dict[str, list[str]]] = {}

    def bm25(self, field: str, terms: list[str], k1: float, b: float) -> dict[int, float]:
        """bm25(field) of every document, with numpy over a term-document count matrix."""
        lids = sorted(self.docs)
        tokens = [self.docs[lid][field] for lid in lids]
        counts = np.array([[doc.count(t) for t in terms] for doc in tokens], dtype=float)
        lengths = np.array([len(doc) for doc in tokens], dtype=float)
        average = lengths[lengths > 0].mean() if (lengths > 0).any() else 1.0
        n = (counts > 0).sum(axis=0)
        idf = np.log(1 + (len(lids) - n + 0.5) / (n + 0.5))
        norm = k1 * (1 - b + b * lengths / average)
        scores = (idf * counts * (k1 + 1) / (counts + norm[:, None])).sum(axis=1)
        return dict(zip(lids, scores.tolist(), strict=True))

    def matches(self, operator: str, fields: list[str], terms: list[str]) -> list[int]:
        def has(lid: int, term: str) -> bool:
            return any(term in self.docs[lid][f] for f in fields)

        combine = all if operator == "and" else any
        return [lid for lid in self.docs if combine(has(lid, t) for t in terms)]

    def weak_and(
        self, fields: list[str], terms: list[str], weights: list[int], target_hits: int
    ) -> list[int]:
        """Vespid's weakAnd: the OR matches whose IDF sum reaches the target_hits-th best."""
        union = self.matches("or", fields, terms)
        if len(union) <= target_hits:
            return union
        total = max(len(self.docs), 1)
        holding = [self.matches("or", fields, [t]) for t in terms]
        idf = [
            w / 100 * math.log(1 + (total - len(h) + 0.5) / (len(h) + 0.5))
            for w, h in zip(weights, holding, strict=True)
        ]
        scores = dict.fromkeys(union, 0.0)
        for weight, having in zip(idf, holding, strict=True):
            for lid in having:
                scores[lid] += weight
        threshold = sorted(scores.values(), reverse=True)[target_hits - 1]
        return [lid for lid in union if scores[lid] >= threshold]


def ask(
    index: DocumentTypeIndex, tree: dict[str, Any], profile: str, hits: int, offset: int
) -> MatchResult:
    return index.search(SearchRequest(("doc",), tree, ranking=profile, hits=hits, offset=offset))


def as_tuple(result: MatchResult) -> tuple[Any, ...]:
    return ([(h.lid, h.relevance) for h in result.hits], result.total_count)


def check_query(index: DocumentTypeIndex, reference: Reference, query: tuple[Any, ...]) -> None:
    operator, field, terms, profile, hits, offset, target_hits, term_weights = query
    items: list[Item] = [
        TermItem(field, t, weight=w) for t, w in zip(terms, term_weights[: len(terms)], strict=True)
    ]
    if operator == "weakand":
        tree = item_to_json(WeakAndItem(tuple(items), target_hits))
    elif len(items) == 1:
        tree, operator = item_to_json(items[0]), "or"
    else:
        tree = item_to_json((OrItem if operator == "or" else AndItem)(tuple(items)))
    lean = ask(index, tree, profile, hits, offset)
    generic = ask(index, {"type": "rank", "children": [tree]}, profile, hits, offset)
    assert as_tuple(lean) == as_tuple(generic)

    fields = ["title", "text"] if field == "default" else [field]
    if operator == "weakand":
        matched = reference.weak_and(fields, terms, term_weights[: len(terms)], target_hits)
    else:
        matched = reference.matches(operator, fields, terms)
    assert lean.total_count == len(matched)
    weights = PROFILES[profile][1]
    settings = {"title": (0.9, 0.3) if profile == "weighted" else (1.2, 0.75), "text": (1.2, 0.75)}
    per_field = {f: reference.bm25(f, terms, *settings[f]) for f in weights if f in fields}
    expected = {
        lid: sum(weights[f] * scores[lid] for f, scores in per_field.items()) for lid in matched
    }
    got = [(h.lid, h.relevance) for h in lean.hits]
    assert len(got) == min(len(matched), hits + offset)
    for lid, relevance in got:
        assert relevance == pytest.approx(expected[lid], rel=1e-6, abs=1e-9)
    scores = [r for _, r in got]
    assert scores == sorted(scores, reverse=True)
    if got:
        returned = {lid for lid, _ in got}
        floor = min(scores)
        assert all(expected[lid] <= floor + 1e-6 for lid in matched if lid not in returned)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(puts, min_size=3, max_size=20),
    st.lists(st.one_of(puts, removes, queries, queries), min_size=1, max_size=20),
)
def test_lean_path_equals_generic_and_brute_force(
    feed: list[tuple[Any, ...]], operations: list[tuple[Any, ...]]
) -> None:
    index = DocumentTypeIndex(SCHEMA)
    reference = Reference()
    for operation in [*feed, *operations]:
        if operation[0] == "put":
            _, lid, title, text = operation
            index.put(lid, {"title": " ".join(title), "text": " ".join(text)})
            reference.docs[lid] = {"title": title, "text": text}
        elif operation[0] == "remove":
            index.remove(operation[1])
            reference.docs.pop(operation[1], None)
        else:
            check_query(index, reference, operation)


def test_many_documents_prune_to_the_same_top_hits() -> None:
    rng = np.random.default_rng(7)
    index = DocumentTypeIndex(SCHEMA)
    reference = Reference()
    vocabulary = [f"w{i}" for i in range(40)]
    frequency = 1.0 / np.arange(1, 41)
    for lid in range(3000):
        text = list(
            rng.choice(vocabulary, size=int(rng.integers(1, 30)), p=frequency / frequency.sum())
        )
        index.put(lid, {"title": "", "text": " ".join(text)})
        reference.docs[lid] = {"title": [], "text": text}
    for terms in (["w0"], ["w0", "w1"], ["w0", "w3", "w30"], ["w2", "w5", "w9"], ["w39", "w0"]):
        for operator in ("or", "and", "weakand"):
            check_query(index, reference, (operator, "text", terms, "plain", 10, 0, 100, [100] * 3))


def test_the_lean_path_answers_words_and_or_and_of_words_only() -> None:
    index = DocumentTypeIndex(SCHEMA)
    index.put(0, {"title": "ant", "text": "ant bee"})
    lean = TextSearch(index._catalog)
    shape = RankProgram(PROFILES["plain"][0]).bm25_sum
    assert shape is not None
    word = item_to_json(TermItem("text", "ant"))
    assert lean.search(word, shape, 1, 10) is not None
    assert lean.search({"type": "or", "children": [word, word]}, shape, 1, 10) is not None
    phrase = item_to_json(TermItem("text", "ant bee"))
    prefix = item_to_json(TermItem("text", "an", kind="prefix"))
    nested = {"type": "or", "children": [{"type": "and", "children": [word]}]}
    for tree in (phrase, prefix, nested, {"type": "rank", "children": [word]}):
        assert lean.search(tree, shape, 1, 10) is None


@pytest.mark.parametrize(
    ("first_phase", "weights"),
    [
        ("bm25(text)", {"text": 1.0}),
        ("bm25(a) + bm25(b) + bm25(a)", {"a": 2.0, "b": 1.0}),
        ("3 * (bm25(a) + 0.5 * bm25(b))", {"a": 3.0, "b": 1.5}),
    ],
)
def test_weighted_bm25_sums_are_recognised(first_phase: str, weights: dict[str, float]) -> None:
    shape = RankProgram(RankProfileConfig("p", first_phase=first_phase)).bm25_sum
    assert shape is not None
    assert {name: f.weight for name, f in shape.fields.items()} == weights


@pytest.mark.parametrize(
    "profile",
    [
        RankProfileConfig("p", first_phase="bm25(a) + 1"),
        RankProfileConfig("p", first_phase="-1 * bm25(a)"),
        RankProfileConfig("p", first_phase="bm25(a) * attribute(x)"),
        RankProfileConfig("p", first_phase="nativeRank"),
        RankProfileConfig("p", first_phase="bm25(a)", second_phase="bm25(a)"),
        RankProfileConfig("p", first_phase="bm25(a)", summary_features=("bm25(a)",)),
        RankProfileConfig("p", first_phase="bm25(a)", rank_score_drop_limit=0.0),
        RankProfileConfig("p", first_phase="bm25(a)", rank_properties=(("bm25(a).b", "2"),)),
    ],
)
def test_other_profiles_stay_generic(profile: RankProfileConfig) -> None:
    assert RankProgram(profile).bm25_sum is None


def test_cached_contributions_follow_every_write() -> None:
    index = DocumentTypeIndex(SCHEMA)
    index.put(0, {"text": "ant bee"})
    index.put(1, {"text": "ant"})
    word = item_to_json(TermItem("text", "ant"))
    before = as_tuple(ask(index, word, "plain", 10, 0))
    index.put(2, {"text": "cat cat cat"})  # N and the average length move; ant's postings do not
    after = as_tuple(ask(index, word, "plain", 10, 0))
    generic = as_tuple(ask(index, {"type": "rank", "children": [word]}, "plain", 10, 0))
    assert after == generic
    assert after != before


def test_the_cache_drops_its_oldest_terms_beyond_its_size() -> None:
    index = DocumentTypeIndex(SCHEMA)
    for lid in range(4):
        index.put(lid, {"text": "ant bee"})
    postings = index._catalog.indexes["text"].postings
    cache = Bm25Terms(max_postings=6)
    first = cache.scores("text", "ant", postings("ant"), 4, 2.0, 1.2, 0.75)
    assert cache.scores("text", "ant", postings("ant"), 4, 2.0, 1.2, 0.75) is first
    assert cache.scores("text", "ant", postings("ant"), 5, 2.0, 1.2, 0.75) is not first
    bee = cache.scores("text", "bee", postings("bee"), 4, 2.0, 1.2, 0.75)
    assert cache.scores("text", "bee", postings("bee"), 4, 2.0, 1.2, 0.75) is bee
    assert cache.scores("text", "ant", postings("ant"), 4, 2.0, 1.2, 0.75) is not first
