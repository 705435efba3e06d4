"""Each term's bm25 contribution per posting, computed once and kept with its postings.

``bm25(field)`` sums, over the query terms searching the field, one value per document
holding the term (`content.ranking.text_features`): it depends only on the term's
postings (frequencies and field lengths), on N (documents on the node), on the
field's average length and on k1 and b. :class:`Bm25Terms` keeps that array for each
(field, term, k1, b) with the inputs it was computed from, and hands it out again only
while all of them are unchanged: the posting snapshot is the same object (the field
index builds a new one whenever a write touches the term) and N and the average
field length are equal (any write to the field may move them). So a cached value is
always the one the formula gives now, bit for bit.

Top-k search needs more facts per term, kept with it and computed on first use: the
largest contribution, and the k-th largest and the documents holding the k largest
for the k queries ask for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from content.index import LidArray, TermPostings
from content.ranking.match_data import FloatArray
from content.ranking.text_features import idf

MAX_CACHED_POSTINGS = 4_000_000
"""Postings whose contributions the cache holds at most (8 bytes each); the oldest
entries go first when a new one would pass this."""


@dataclass(slots=True)
class TermScores:
    """One term's bm25 contribution in every document of its posting list."""

    postings: TermPostings
    contributions: FloatArray
    """``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))`` per posting."""
    document_count: int
    average: float
    _kth: dict[int, float] = field(default_factory=dict)
    _best: dict[int, LidArray] = field(default_factory=dict)
    _max: float | None = None

    @property
    def maximum(self) -> float:
        """The largest contribution (0 for an empty list)."""
        if self._max is None:
            size = self.contributions.size
            self._max = float(self.contributions.max()) if size else 0.0
        return self._max

    def kth_best(self, k: int) -> float:
        """The ``k``-th largest contribution, 0 when fewer than ``k`` documents hold the term."""
        found = self._kth.get(k)
        if found is None:
            size = self.contributions.size
            found = (
                0.0
                if k <= 0 or size < k
                else float(np.partition(self.contributions, size - k)[size - k])
            )
            self._kth[k] = found
        return found

    def best_lids(self, k: int) -> LidArray:
        """Lids of ``k`` documents with the largest contributions (ties broken arbitrarily)."""
        found = self._best.get(k)
        if found is None:
            size = self.contributions.size
            if size <= k:
                found = self.postings.lids
            else:
                found = self.postings.lids[
                    np.argpartition(self.contributions, size - k)[size - k :]
                ]
            self._best[k] = found
        return found


class Bm25Terms:
    """Cache of :class:`TermScores` for one document type; see the module docstring."""

    def __init__(self, max_postings: int = MAX_CACHED_POSTINGS) -> None:
        self._max_postings = max_postings
        self._entries: dict[tuple[str, str, float, float], TermScores] = {}
        self._held = 0

    def scores(
        self,
        field_name: str,
        term: str,
        postings: TermPostings,
        document_count: int,
        average: float,
        k1: float,
        b: float,
    ) -> TermScores:
        """Return the term's contributions for these inputs, from the cache when they match."""
        key = (field_name, term, k1, b)
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry.postings is postings
            and entry.document_count == document_count
            and entry.average == average
        ):
            return entry
        weight = idf(document_count, postings.lids.size)
        tf = postings.term_frequencies
        length = postings.field_lengths
        # The same operations in the same order as text_features.bm25, so equal bits.
        contributions = weight * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
        contributions.setflags(write=False)
        if entry is not None:
            self._held -= entry.contributions.size
            del self._entries[key]
        fresh = TermScores(postings, contributions, document_count, average)
        self._remember(key, fresh)
        return fresh

    def _remember(self, key: tuple[str, str, float, float], entry: TermScores) -> None:
        size = entry.contributions.size
        if size > self._max_postings:
            return
        while self._held + size > self._max_postings:
            oldest = next(iter(self._entries))
            self._held -= self._entries.pop(oldest).contributions.size
        self._entries[key] = entry
        self._held += size
