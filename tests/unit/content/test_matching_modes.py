"""Match modes, linguistics and term kinds through DocumentTypeIndex."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from content.matching import DocumentTypeIndex
from vespid.config import FieldConfig, FieldsetConfig, SchemaConfig
from vespid.messages import (
    InItem,
    Item,
    NearItem,
    PhraseItem,
    SearchRequest,
    TermItem,
    WeakAndItem,
    item_to_json,
)

SCHEMA = SchemaConfig(
    "docs",
    fields=(
        FieldConfig("text", "string", index=True),
        FieldConfig("plain", "string", index=True, stemming="none", normalizing=False),
        FieldConfig("code", "string", index=True, match="exact"),
        FieldConfig("title", "string", index=True, match="prefix"),
        FieldConfig("cjk", "string", index=True, match="gram", gram_size=2),
        FieldConfig("tags", "array<string>", index=True),
        FieldConfig("label", "string", attribute=True, match="prefix"),
    ),
    fieldsets=(FieldsetConfig("mixed", ("text", "label")),),
)


def lids(index: DocumentTypeIndex, item: Item, hits: int = 100) -> list[int]:
    request = SearchRequest(("docs",), item_to_json(item), hits=hits)
    return sorted(h.lid for h in index.search(request).hits)


@pytest.fixture
def index() -> DocumentTypeIndex:
    index = DocumentTypeIndex(SCHEMA)
    index.put(1, {"text": "Running CARS in Zürich", "plain": "Crème", "code": "AB-12 x"})
    index.put(2, {"title": "Elephants everywhere", "cjk": "東京都庁", "label": "Alpha"})
    index.put(3, {"tags": ["red car", "blue sky"], "text": "car parks"})
    return index


def test_text_matching_stems_lowercases_and_folds_accents(index: DocumentTypeIndex) -> None:
    assert lids(index, TermItem("text", "run")) == [1]
    assert lids(index, TermItem("text", "car")) == [1, 3]
    assert lids(index, TermItem("text", "zurich")) == [1]


def test_fields_without_stemming_or_normalizing_match_as_written(
    index: DocumentTypeIndex,
) -> None:
    assert lids(index, TermItem("plain", "crème")) == [1]
    assert lids(index, TermItem("plain", "creme")) == []


def test_exact_match_needs_the_whole_value(index: DocumentTypeIndex) -> None:
    assert lids(index, TermItem("code", "ab-12 x")) == [1]
    assert lids(index, TermItem("code", "ab")) == []


def test_prefix_fields_and_prefix_terms_match_word_beginnings(index: DocumentTypeIndex) -> None:
    assert lids(index, TermItem("title", "eleph")) == [2]
    assert lids(index, TermItem("text", "zur", kind="prefix")) == [1]
    assert lids(index, TermItem("label", "alp")) == [2]


def test_substring_and_suffix_terms_scan_the_dictionary(index: DocumentTypeIndex) -> None:
    assert lids(index, TermItem("text", "rk", kind="substring")) == [3]
    assert lids(index, TermItem("text", "ich", kind="suffix")) == [1]


def test_gram_fields_match_any_run_of_grams(index: DocumentTypeIndex) -> None:
    assert lids(index, TermItem("cjk", "京都")) == [2]
    assert lids(index, TermItem("cjk", "東京都")) == [2]
    assert lids(index, TermItem("cjk", "都東")) == []


def test_phrase_and_near_stay_inside_one_array_element(index: DocumentTypeIndex) -> None:
    assert lids(index, PhraseItem("tags", ("red", "car"))) == [3]
    assert lids(index, PhraseItem("tags", ("car", "blue"))) == []
    assert lids(index, NearItem("tags", ("sky", "blue"), distance=1)) == [3]
    assert lids(index, NearItem("tags", ("sky", "blue"), distance=1, ordered=True)) == []


def test_a_word_that_tokenizes_into_several_is_a_phrase(index: DocumentTypeIndex) -> None:
    assert lids(index, TermItem("tags", "red-car")) == [3]
    assert lids(index, TermItem("tags", "car-red")) == []


def test_fieldsets_search_indexes_and_attributes(index: DocumentTypeIndex) -> None:
    assert lids(index, TermItem("mixed", "alpha")) == [2]
    assert lids(index, TermItem("mixed", "parks")) == [3]


WORDS = ["a", "b", "c", "d"]


@given(
    st.dictionaries(
        st.integers(0, 30), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), min_size=1
    ),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True),
    st.integers(1, 6),
)
def test_weak_and_keeps_documents_scoring_at_least_the_kth_best_idf_sum(
    docs: dict[int, list[str]], terms: list[str], target: int
) -> None:
    index = DocumentTypeIndex(SCHEMA)
    for lid, words in docs.items():
        index.put(lid, {"plain": " ".join(words)})
    tree = WeakAndItem(tuple(TermItem("plain", t) for t in terms), target_hits=target)
    assert lids(index, tree) == _weak_and_survivors(docs, terms, target)


@given(st.integers(0, 2**32 - 1), st.sampled_from([1, 50, 2500]), st.sampled_from([3, 16]))
@settings(max_examples=6, deadline=None)
def test_weak_and_over_thousands_of_matches_keeps_the_same_survivors(
    seed: int, target: int, children: int
) -> None:
    rng = random.Random(seed)
    docs = {lid: rng.sample(WORDS, rng.randint(1, 3)) for lid in range(3000)}
    index = DocumentTypeIndex(SCHEMA)
    for lid, words in docs.items():
        index.put(lid, {"plain": " ".join(words)})
    # 16 children (words repeated, each child counting) take the path for many children.
    terms = (WORDS * 4)[:children]
    tree = WeakAndItem(tuple(TermItem("plain", t) for t in terms), target_hits=target)
    assert lids(index, tree, hits=3000) == _weak_and_survivors(docs, terms, target)


def _weak_and_survivors(docs: dict[int, list[str]], terms: list[str], target: int) -> list[int]:
    n = len(docs)
    idf = {
        t: math.log(1 + (n - (df := sum(t in w for w in docs.values())) + 0.5) / (df + 0.5))
        for t in terms
    }
    scores = {
        lid: sum(idf[t] for t in terms if t in words)
        for lid, words in docs.items()
        if set(words) & set(terms)
    }
    ranked = sorted(scores.values(), reverse=True)
    threshold = ranked[target - 1] if len(ranked) > target else -1.0
    return sorted(lid for lid, score in scores.items() if score >= threshold - 1e-12)


def test_in_on_an_indexed_field_matches_any_of_the_words(index: DocumentTypeIndex) -> None:
    assert lids(index, InItem("text", ("zurich", "parks"))) == [1, 3]
