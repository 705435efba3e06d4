"""Text index: linguistics, posting lists against a dict model, phrase and near."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings, strategies as st

from content.index import (
    Analyzer,
    FieldIndex,
    docids_from_lids,
    lids_of,
    near_lids,
    phrase_lids,
    tokenize,
)

WORDS = ["a", "b", "c", "d", "e"]


def test_tokenize_splits_on_non_word_characters_and_underscore() -> None:
    assert tokenize("Hello, wörld_2 x-ray!") == ["Hello", "wörld", "2", "x", "ray"]


def test_text_analyzer_lowercases_folds_accents_and_stems() -> None:
    assert Analyzer().terms("Crème RUNNING cars") == ["creme", "run", "car"]


def test_stemming_none_and_normalizing_off_keep_the_words() -> None:
    analyzer = Analyzer(stemming="none", normalizing=False)
    assert analyzer.terms("Crème cars") == ["crème", "cars"]


def test_word_and_exact_matching_keep_the_whole_value_as_one_term() -> None:
    assert Analyzer(match="word").terms("New York") == ["new york"]
    assert Analyzer(match="exact").query_terms("New York") == ["new york"]


def test_gram_matching_splits_tokens_into_grams() -> None:
    assert Analyzer(match="gram", gram_size=2).terms("abcd ef") == ["ab", "bc", "cd", "ef"]


def test_query_terms_are_not_stemmed_when_the_item_forbids_it() -> None:
    assert Analyzer().query_terms("cars", stem=False) == ["cars"]


def test_docid_sets_convert_to_and_from_lid_arrays() -> None:
    lids = np.array([5, 1, 3, 3], dtype=np.uint32)
    assert lids_of(docids_from_lids(lids)).tolist() == [1, 3, 5]


documents = st.dictionaries(
    st.integers(0, 30),
    st.lists(st.lists(st.sampled_from(WORDS), max_size=6), min_size=1, max_size=2),
    max_size=12,
)


def _index(docs: dict[int, list[list[str]]]) -> FieldIndex:
    index = FieldIndex(Analyzer(stemming="none"))
    for lid, elements in docs.items():
        index.put(lid, [" ".join(e) for e in elements])
    return index


@given(documents, st.lists(st.integers(0, 30), max_size=5))
def test_postings_equal_a_dict_model_after_puts_and_removes(
    docs: dict[int, list[list[str]]], removed: list[int]
) -> None:
    index = _index(docs)
    for lid in removed:
        index.remove(lid)
        docs.pop(lid, None)
    for word in WORDS:
        expected = {
            lid: sum(e.count(word) for e in elements)
            for lid, elements in docs.items()
            if any(word in e for e in elements)
        }
        postings = index.postings(word)
        assert postings.lids.tolist() == sorted(expected)
        assert postings.term_frequencies.tolist() == [expected[k] for k in sorted(expected)]
        assert set(postings.docids) == set(expected)
    lengths = {lid: sum(len(e) for e in elements) for lid, elements in docs.items()}
    present = [n for n in lengths.values() if n]
    average = sum(present) / len(present) if present else 1.0
    assert index.average_field_length == average
    lids = np.arange(31, dtype=np.uint32)
    assert index.field_lengths(lids).tolist() == [float(lengths.get(i, 0)) for i in range(31)]


def _has_phrase(element: list[str], terms: list[str]) -> bool:
    k = len(terms)
    return any(element[i : i + k] == terms for i in range(len(element) - k + 1))


@given(documents, st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
def test_phrase_matches_exactly_the_elements_holding_the_words_in_sequence(
    docs: dict[int, list[list[str]]], terms: list[str]
) -> None:
    index = _index(docs)
    expected = sorted(
        lid for lid, elements in docs.items() if any(_has_phrase(e, terms) for e in elements)
    )
    assert phrase_lids([index.postings(t) for t in terms]).tolist() == expected


def _near(element: list[str], terms: list[str], distance: int, ordered: bool) -> bool:
    spots = [[i for i, w in enumerate(element) if w == t] for t in terms]
    for choice in itertools.product(*spots):
        if len(set(choice)) < len(choice):
            continue
        if ordered and list(choice) != sorted(choice):
            continue
        if max(choice) - min(choice) <= distance:
            return True
    return False


@settings(max_examples=80)
@given(
    documents,
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=3),
    st.integers(1, 4),
    st.booleans(),
)
def test_near_and_onear_match_a_brute_force_window_search(
    docs: dict[int, list[list[str]]], terms: list[str], distance: int, ordered: bool
) -> None:
    index = _index(docs)
    expected = sorted(
        lid
        for lid, elements in docs.items()
        if any(_near(e, terms, distance, ordered) for e in elements)
    )
    found = near_lids([index.postings(t) for t in terms], distance, ordered=ordered)
    assert found.tolist() == expected


def test_prefix_terms_come_from_the_sorted_dictionary() -> None:
    index = FieldIndex(Analyzer(match="prefix"))
    index.put(1, "carpet cart dog")
    assert index.terms_with_prefix("car") == ["carpet", "cart"]
    index.remove(1)
    assert index.terms_with_prefix("car") == []


@given(
    documents,
    st.dictionaries(st.integers(0, 30), st.lists(st.sampled_from(WORDS), max_size=6)),
    st.sampled_from(WORDS),
    st.one_of(st.none(), st.lists(st.integers(0, 40), max_size=40)),
)
def test_postings_pair_candidates_with_frequencies_and_lengths_after_rewrites(
    docs: dict[int, list[list[str]]],
    rewrites: dict[int, list[str]],
    word: str,
    candidates: list[int] | None,
) -> None:
    index = _index(docs)
    index.postings(word)  # cached before the rewrites, which must drop the cache
    for lid, words in rewrites.items():
        index.put(lid, " ".join(words))
        docs[lid] = [words]
    postings = index.postings(word)
    # None stands for the posting list's own lids (the one-term query's candidates).
    lids = postings.lids if candidates is None else np.unique(np.array(candidates, np.uint32))
    in_lids, in_postings = postings.matches_in(lids)
    holding = {lid for lid, elements in docs.items() if any(word in e for e in elements)}
    assert sorted(lids[in_lids].tolist()) == sorted(holding & set(lids.tolist()))
    assert lids[in_lids].tolist() == postings.lids[in_postings].tolist()
    counts = {lid: sum(e.count(word) for e in elements) for lid, elements in docs.items()}
    lengths = {lid: sum(len(e) for e in elements) for lid, elements in docs.items()}
    assert postings.frequencies_for(lids).tolist() == [float(counts.get(i, 0)) for i in lids]
    assert postings.field_lengths.tolist() == [float(lengths[i]) for i in postings.lids]
