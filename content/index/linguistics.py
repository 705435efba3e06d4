"""Linguistic processing of text: tokenization, normalization and stemming.

Follows Vespa's default linguistics (the simple/OpenNLP tokenizer for English) closely
enough that index and query sides agree: a token is a maximal run of letters and
digits (everything else, underscore included, separates tokens); tokens are
lower-cased; with ``normalizing`` accents are folded (NFKD, combining marks dropped,
plus the few letters Vespa transliterates such as ß → ss); with stemming other than
``none`` the English Snowball stemmer (PyStemmer) reduces each token to its stem.
``multiple`` stemming indexes the stem only (Vespa also indexes the original form;
a query term is stemmed the same way, so matching agrees for ordinary words).

:class:`Analyzer` applies a field's settings to both document values and query terms;
the same instance must be used for both so that they always meet in the same form.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass, field as dataclass_field
from functools import lru_cache

import Stemmer

from vespid.config import FieldConfig

_TOKEN = re.compile(r"[^\W_]+")
_ASCII_SEPARATORS = str.maketrans(
    {chr(c): " " for c in range(128) if chr(c) not in string.ascii_letters + string.digits}
)
"""Every ASCII character that is not a letter or digit, as a space: for ASCII text,
``text.translate(_ASCII_SEPARATORS).split()`` is ``_TOKEN.findall(text)``, about twice as
fast (no regex engine per match)."""
TERM_CACHE_SIZE = 1 << 16
"""Tokens an analyzer remembers the term of, per mode; the memo is cleared when full."""
_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "œ": "oe",
        "Œ": "oe",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
    }
)

ELEMENT_GAP = 1 << 16
"""Positions of element i of an array field start at i * ELEMENT_GAP, so phrases and
near never match across elements (Vespa matches them within one element)."""


def tokenize(text: str) -> list[str]:
    """Split ``text`` into word tokens (runs of letters and digits), case kept.

    >>> tokenize("Hello, wörld_2 x-ray!")
    ['Hello', 'wörld', '2', 'x', 'ray']
    """
    if text.isascii():
        return text.translate(_ASCII_SEPARATORS).split()
    return _TOKEN.findall(text)


@lru_cache(maxsize=65536)
def fold_accents(token: str) -> str:
    """Return ``token`` with accents removed the way Vespa's normalizer does.

    >>> fold_accents("crème brûlée straße")
    'creme brulee strasse'
    """
    decomposed = unicodedata.normalize("NFKD", token.translate(_TRANSLITERATIONS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Analyzer:
    """Turns a field's text into index terms, and query words into the same terms.

    ``match`` is the field's matching mode: ``text`` tokenizes (and may stem),
    ``word`` and ``exact`` keep the whole value as one term, ``prefix`` tokenizes
    like text without stemming (prefixes of stems would not match), ``gram``
    tokenizes and splits each token into n-grams of ``gram_size`` characters.
    """

    match: str = "text"
    stemming: str = "best"
    normalizing: bool = True
    gram_size: int = 2
    _stemmer: Stemmer.Stemmer = dataclass_field(
        default_factory=lambda: Stemmer.Stemmer("english"), compare=False, repr=False
    )
    _memos: dict[tuple[bool, bool], dict[str, str]] = dataclass_field(
        default_factory=dict, compare=False, repr=False
    )
    """Per (fold, stem) mode, token as written → its term: words repeat within and
    across documents, so each is lower-cased, folded and stemmed once, not at every
    occurrence (the memo is a cache of a pure function: the terms are the same)."""

    @classmethod
    def for_field(cls, field: FieldConfig) -> Analyzer:
        """Return the analyzer for ``field``'s match mode, stemming and normalizing."""
        return cls(field.match, field.stemming, field.normalizing, max(1, field.gram_size))

    @property
    def stems(self) -> bool:
        """Whether terms are stemmed (text matching with stemming other than none)."""
        return self.match == "text" and self.stemming != "none"

    def terms(self, text: str) -> list[str]:
        """Return the index terms of one string value, in position order."""
        return self._process(text, stem=True, normalize=True)

    def query_terms(self, text: str, *, stem: bool = True, normalize: bool = True) -> list[str]:
        """Return the terms a query word becomes; several terms form a phrase.

        ``stem`` and ``normalize`` are the query item's permissions; the field's
        settings still decide whether stemming or folding happens at all.
        """
        return self._process(text, stem=stem, normalize=normalize)

    def _process(self, text: str, *, stem: bool, normalize: bool) -> list[str]:
        fold = self.normalizing and normalize
        if self.match in ("word", "exact"):
            whole = text.strip().lower()
            return [fold_accents(whole) if fold else whole]
        if self.match == "gram":
            return [g for t in self._terms_of(text, fold, False) for g in _grams(t, self.gram_size)]
        return self._terms_of(text, fold, stem and self.stems)

    def _terms_of(self, text: str, fold: bool, stem: bool) -> list[str]:
        """Each token of ``text`` lower-cased, then folded and stemmed as asked."""
        tokens = tokenize(text)
        memo = self._memos.get((fold, stem))
        if memo is None:
            memo = self._memos.setdefault((fold, stem), {})
        try:
            return list(map(memo.__getitem__, tokens))
        except KeyError:
            pass
        # Some token is new. Collect the terms of this text apart from the memo, so
        # that clearing it (here, or from a query thread) cannot lose one.
        terms: dict[str, str] = {}
        new: list[str] = []
        for token in dict.fromkeys(tokens):
            term = memo.get(token)
            if term is None:
                new.append(token)
            else:
                terms[token] = term
        made = [t.lower() for t in new]
        if fold:
            made = [fold_accents(t) for t in made]
        if stem:
            made = self._stemmer.stemWords(made)
        terms.update(zip(new, made, strict=True))
        if len(memo) + len(new) > TERM_CACHE_SIZE:
            memo.clear()
        memo.update(terms)
        return [terms[t] for t in tokens]


def _grams(token: str, size: int) -> list[str]:
    if len(token) <= size:
        return [token]
    return [token[i : i + size] for i in range(len(token) - size + 1)]
