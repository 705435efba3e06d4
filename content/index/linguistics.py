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
import unicodedata
from dataclasses import dataclass, field as dataclass_field
from functools import lru_cache

import Stemmer

from vespid.config import FieldConfig

_TOKEN = re.compile(r"[^\W_]+")
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
        if self.match in ("word", "exact"):
            whole = text.strip().lower()
            return [fold_accents(whole) if self.normalizing and normalize else whole]
        tokens = [t.lower() for t in tokenize(text)]
        if self.normalizing and normalize:
            tokens = [fold_accents(t) for t in tokens]
        if self.match == "gram":
            return [g for t in tokens for g in _grams(t, self.gram_size)]
        if stem and self.stems:
            return list(self._stemmer.stemWords(tokens))
        return tokens


def _grams(token: str, size: int) -> list[str]:
    if len(token) <= size:
        return [token]
    return [token[i : i + size] for i in range(len(token) - size + 1)]
