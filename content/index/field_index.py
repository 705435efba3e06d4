"""The inverted index of one indexed string field: term → posting list.

For every term the index keeps which documents (lids) contain it, how often, and at
which positions; for every document the field length in tokens. Writes replace a
document's whole value in real time (Vespa's memory index); reads get a
:class:`TermPostings` snapshot per term as sorted numpy arrays plus a bitmap, built
on first use after a write to that term and cached until the next one, so matching
and ranking over a posting list are numpy operations, never per-document Python.
A snapshot also holds its documents' field lengths: a document's length changes only
when the document is rewritten, which drops the cached snapshot of every term it had
and has, so the copy stays exact.

Positions: token i of element e of an array field has position
``e * ELEMENT_GAP + i``; phrase and near use ``lid << 32 | position`` keys.

Concurrency: not thread-safe. One writer at a time, and no search while writing;
the content node serializes the two.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from content.index.docidset import DocIdSet, LidArray, docids_from_lids
from content.index.linguistics import ELEMENT_GAP, Analyzer

FloatArray = npt.NDArray[np.float64]
KeyArray = npt.NDArray[np.int64]


Positions = npt.NDArray[np.intp] | slice
"""Indexes into an array: an integer array, or ``slice(None)`` for all of it in order."""


@dataclass(frozen=True, slots=True)
class TermPostings:
    """An immutable posting list: documents with the term, and its frequency in each."""

    docids: DocIdSet
    lids: LidArray
    """Sorted lids containing the term."""
    term_frequencies: FloatArray
    """Occurrences of the term in each document of ``lids``."""
    position_keys: KeyArray
    """Sorted ``lid << 32 | position`` of every occurrence."""
    field_lengths: FloatArray
    """The field length in tokens of each document of ``lids`` (for bm25)."""

    def matches_in(self, lids: LidArray) -> tuple[Positions, Positions]:
        """Pair the sorted ``lids`` holding the term with their place in this list.

        Returns positions ``(in_lids, in_postings)`` such that
        ``lids[in_lids] == self.lids[in_postings]`` are exactly the lids holding the
        term. Costs O(min(m, n) log max(m, n)) for m lids and n postings (the smaller
        side is searched in the larger); when ``lids`` are this list's own lids both
        are ``slice(None)``.
        """
        size = self.lids.size
        if size == 0 or lids.size == 0:
            empty = np.zeros(0, dtype=np.intp)
            return empty, empty
        if lids.size == size and np.array_equal(lids, self.lids):
            return slice(None), slice(None)
        if size < lids.size:
            at = np.minimum(np.searchsorted(lids, self.lids), lids.size - 1)
            found = lids[at] == self.lids
            return at[found], np.flatnonzero(found)
        index = np.minimum(np.searchsorted(self.lids, lids), size - 1)
        found = self.lids[index] == lids
        return np.flatnonzero(found), index[found]

    def frequencies_for(self, lids: LidArray) -> FloatArray:
        """Return the term frequency of each of the sorted ``lids`` (0 where absent)."""
        in_lids, in_postings = self.matches_in(lids)
        out = np.zeros(lids.size)
        out[in_lids] = self.term_frequencies[in_postings]
        return out


_EMPTY = TermPostings(
    DocIdSet(),
    np.zeros(0, dtype=np.uint32),
    np.zeros(0),
    np.zeros(0, dtype=np.int64),
    np.zeros(0),
)


class FieldIndex:
    """Writer and reader of one field's postings; terms come from ``analyzer``."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._occurrences: dict[str, dict[int, tuple[int, ...]]] = {}
        self._doc_terms: dict[int, tuple[str, ...]] = {}
        self._lengths = np.zeros(16)
        self._total_length = 0.0
        self._cache: dict[str, TermPostings] = {}
        self._sorted_terms: list[str] | None = None

    def put(self, lid: int, value: object) -> None:
        """Index ``value`` (a string, list of strings or weighted set) as ``lid``'s field.

        Replaces what ``lid`` had; an empty or missing value leaves it unindexed.
        """
        self.remove(lid)
        positions: dict[str, list[int]] = {}
        length = 0
        for element, text in enumerate(_elements(value)):
            terms = self.analyzer.terms(text)
            length += len(terms)
            for i, term in enumerate(terms):
                positions.setdefault(term, []).append(element * ELEMENT_GAP + i)
        if not positions:
            return
        for term, where in positions.items():
            postings = self._occurrences.get(term)
            if postings is None:
                postings = self._occurrences[term] = {}
                self._sorted_terms = None
            postings[lid] = tuple(where)
            self._cache.pop(term, None)
        self._doc_terms[lid] = tuple(positions)
        self._set_length(lid, float(length))

    def remove(self, lid: int) -> None:
        """Remove ``lid`` from every posting list; unknown lids are ignored."""
        terms = self._doc_terms.pop(lid, ())
        for term in terms:
            postings = self._occurrences[term]
            del postings[lid]
            self._cache.pop(term, None)
            if not postings:
                del self._occurrences[term]
                self._sorted_terms = None
        if terms:
            self._set_length(lid, 0.0)

    def postings(self, term: str) -> TermPostings:
        """Return the posting list of an exact (already analyzed) term."""
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        occurrences = self._occurrences.get(term)
        if not occurrences:
            return _EMPTY
        built = _build_postings(occurrences, self._lengths)
        self._cache[term] = built
        return built

    def terms_with_prefix(self, prefix: str) -> list[str]:
        """Return every indexed term starting with ``prefix``, in sorted order."""
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self._occurrences)
        start = bisect.bisect_left(self._sorted_terms, prefix)
        found: list[str] = []
        for term in self._sorted_terms[start:]:
            if not term.startswith(prefix):
                break
            found.append(term)
        return found

    def all_terms(self) -> list[str]:
        """Return every indexed term (for substring and suffix matching)."""
        return list(self._occurrences)

    def field_lengths(self, lids: LidArray) -> FloatArray:
        """Return the field length in tokens of each of ``lids`` (0 when unindexed)."""
        inside = lids < self._lengths.size
        out = np.zeros(lids.size)
        out[inside] = self._lengths[lids[inside]]
        return out

    @property
    def document_count(self) -> int:
        """Number of documents with at least one token in this field."""
        return len(self._doc_terms)

    @property
    def average_field_length(self) -> float:
        """Average field length over the documents that have the field (1 when none)."""
        count = len(self._doc_terms)
        return self._total_length / count if count else 1.0

    def _set_length(self, lid: int, length: float) -> None:
        if lid >= self._lengths.size:
            grown = np.zeros(max(lid + 1, 2 * self._lengths.size))
            grown[: self._lengths.size] = self._lengths
            self._lengths = grown
        self._total_length += length - self._lengths[lid]
        self._lengths[lid] = length


def _elements(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _build_postings(occurrences: dict[int, tuple[int, ...]], lengths: FloatArray) -> TermPostings:
    lids = np.fromiter(occurrences.keys(), dtype=np.int64, count=len(occurrences))
    counts = np.fromiter((len(p) for p in occurrences.values()), np.int64, len(occurrences))
    flat = np.fromiter(
        (p for where in occurrences.values() for p in where), np.int64, int(counts.sum())
    )
    keys = np.sort((np.repeat(lids, counts) << 32) | flat)
    order = np.argsort(lids)
    sorted_lids = lids[order].astype(np.uint32)
    frequencies = counts[order].astype(np.float64)
    field_lengths = lengths[sorted_lids]
    for shared in (sorted_lids, frequencies, keys, field_lengths):
        shared.setflags(write=False)  # handed out to every query that reads the term
    return TermPostings(
        docids_from_lids(sorted_lids), sorted_lids, frequencies, keys, field_lengths
    )
