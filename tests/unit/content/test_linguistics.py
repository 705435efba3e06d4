"""Linguistics against a plain model: the tokenizer fast path and the term memo change
nothing about which terms a text becomes."""

from __future__ import annotations

import re
import unicodedata

import pytest
import Stemmer
from hypothesis import given, settings, strategies as st

from content.index import Analyzer, linguistics, tokenize

_STEMMER = Stemmer.Stemmer("english")
_TRANSLITERATIONS = {"ß": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe"}
_TRANSLITERATIONS |= {"Œ": "oe", "ð": "d", "þ": "th", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d"}


def model_tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def model_fold(token: str) -> str:
    spelled = "".join(_TRANSLITERATIONS.get(c, c) for c in token)
    decomposed = unicodedata.normalize("NFKD", spelled)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def model_terms(analyzer: Analyzer, text: str, stem: bool, normalize: bool) -> list[str]:
    """The analysis spelled out step by step, token by token."""
    fold = analyzer.normalizing and normalize
    if analyzer.match in ("word", "exact"):
        whole = text.strip().lower()
        return [model_fold(whole) if fold else whole]
    tokens = [t.lower() for t in model_tokens(text)]
    if fold:
        tokens = [model_fold(t) for t in tokens]
    if analyzer.match == "gram":
        return [g for t in tokens for g in grams_of(t, analyzer.gram_size)]
    if stem and analyzer.match == "text" and analyzer.stemming != "none":
        return [_STEMMER.stemWord(t) for t in tokens]
    return tokens


def grams_of(token: str, size: int) -> list[str]:
    if len(token) <= size:
        return [token]
    return [token[i : i + size] for i in range(len(token) - size + 1)]


# Words that stem, ASCII punctuation and digits, accents, ligatures, transliterated
# letters, letters whose case mapping changes length (İ, ß), combining marks, CJK.
ALPHABET = st.sampled_from(
    [
        *"aeiRSTxyz019 _-.,;:!?'\"\t\n\x1c/",
        *("running", "cars", "Crème", "brûlée", "ﬁ", "Straße", "Æsir", "İ", "Ǆ", "\u0301"),
        *("℡", "Ωmega", "東京", "٣", "ⅷ", "ŁÓDŹ", "\u00a0", "\u2003", "\U0001d518"),
    ]
)
TEXTS = st.lists(ALPHABET, max_size=30).map("".join)
ANALYZERS = [
    Analyzer(),
    Analyzer(stemming="none"),
    Analyzer(normalizing=False),
    Analyzer(match="prefix"),
    Analyzer(match="gram", gram_size=2),
    Analyzer(match="word"),
]


@settings(max_examples=300)
@given(texts=st.lists(TEXTS, min_size=1, max_size=5), stem=st.booleans(), normalize=st.booleans())
def test_terms_equal_the_step_by_step_model(texts: list[str], stem: bool, normalize: bool) -> None:
    # The analyzers live across examples, so later examples meet memoized tokens.
    for analyzer in ANALYZERS:
        for text in texts:
            assert analyzer.terms(text) == model_terms(analyzer, text, True, True)
            got = analyzer.query_terms(text, stem=stem, normalize=normalize)
            assert got == model_terms(analyzer, text, stem, normalize)


@given(TEXTS)
def test_tokenize_equals_the_regex_on_any_text(text: str) -> None:
    assert tokenize(text) == model_tokens(text)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_tokenize_equals_the_regex_on_any_ascii_text(text: str) -> None:
    assert tokenize(text) == model_tokens(text)


def test_a_full_memo_is_cleared_and_terms_stay_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linguistics, "TERM_CACHE_SIZE", 3)
    analyzer = Analyzer()
    assert analyzer.terms("cars running") == ["car", "run"]
    assert analyzer.terms("Cars jumped cars walked") == ["car", "jump", "car", "walk"]
    assert analyzer.terms("cars running") == ["car", "run"]
