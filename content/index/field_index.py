"""The inverted index of one indexed string field: term → posting list.

For every term the index keeps which documents (lids) contain it, how often, and at
which positions; for every document the field length in tokens. Writes replace a
document's whole value in real time; like Vespa's memory index plus disk index, the
postings as of the last flush are a frozen numpy segment (`content.index.segment`) and
the writes since are small in-memory parts, fused into a new segment at the next flush
(:meth:`FieldIndex.seal`, :class:`FieldFlush`, :meth:`FieldIndex.install`), which is
also what is saved and loaded. Reads get a :class:`TermPostings` per term as sorted
numpy arrays plus a bitmap, built from the frozen slices and the memory parts on first
use and cached until a write touches the term (or rewrites a document of the frozen
segment), so matching and ranking over a posting list are numpy operations, never
per-document Python. A snapshot also holds its documents' field lengths, exact for as
long as it is cached.

Positions: token i of element e of an array field has position
``e * ELEMENT_GAP + i``; phrase and near use ``lid << 32 | position`` keys.

Concurrency: not thread-safe. One writer at a time, and no search while writing;
the content node serializes the two.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from content.index.docidset import DocIdSet, LidArray, docids_from_lids
from content.index.linguistics import ELEMENT_GAP, Analyzer
from content.index.segment import U32, FrozenSegment, fuse

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


class _MemoryPart:
    """Postings written since the last flush: term → lid → positions, and lid → terms."""

    def __init__(self, part_id: int) -> None:
        self.id = part_id
        self.occurrences: dict[str, dict[int, tuple[int, ...]]] = {}
        self.doc_terms: dict[int, tuple[str, ...]] = {}
        self.sorted_terms: list[str] | None = None
        self.rows = 0
        self.positions = 0

    @property
    def estimated_bytes(self) -> int:
        """Rough Python memory of the part: a dict entry and a tuple per row, a slot per
        position (positions below 257 are shared small ints)."""
        return 100 * self.rows + 8 * self.positions

    def terms_with_prefix(self, prefix: str) -> list[str]:
        if self.sorted_terms is None:
            self.sorted_terms = sorted(self.occurrences)
        return _with_prefix(self.sorted_terms, prefix)


class FieldFlush:
    """A flush of one field, started by :meth:`FieldIndex.seal` on the writer's thread.

    :meth:`fuse` (any thread) merges the sealed memory parts into a new frozen segment,
    exactly the index at the moment of sealing; :meth:`FieldIndex.install` (the
    writer's thread again) then serves reads from it.
    """

    def __init__(
        self,
        frozen: FrozenSegment,
        keep: npt.NDArray[np.bool_],
        parts: list[_MemoryPart],
        owner: npt.NDArray[np.int32],
        lengths: FloatArray,
    ) -> None:
        self.frozen = frozen
        self.parts = parts
        self.lengths = lengths
        self._keep = keep
        self._owner = owner
        self.fused: FrozenSegment | None = None

    def fuse(self) -> FrozenSegment:
        """Merge the sealed parts into the frozen segment (once)."""
        if self.fused is None:
            owner = self._owner
            postings = [
                {
                    term: {lid: where for lid, where in by_lid.items() if owner[lid] == part.id}
                    for term, by_lid in part.occurrences.items()
                }
                for part in self.parts
            ]
            self.fused = fuse(self.frozen, self._keep, postings)
        return self.fused

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The fused segment and the field lengths, for saving (fuses first)."""
        return {**self.fuse().to_arrays(), "lengths": self.lengths}


class FieldIndex:
    """Writer and reader of one field's postings; terms come from ``analyzer``.

    Postings live in one frozen segment (the state at the last flush, numpy arrays)
    and in memory parts for the writes since (`content.index.segment`). Each lid's
    postings are in exactly one part: ``_owner[lid]`` names it (-1: not indexed), and
    rows of other parts for that lid are stale and masked out when read.
    """

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._next_part = 0
        self._frozen = FrozenSegment.empty()
        self._frozen_id = self._new_part_id()
        self._sealed: list[_MemoryPart] = []
        self._memory = _MemoryPart(self._new_part_id())
        self._owner = np.full(16, -1, dtype=np.int32)
        self._lengths = np.zeros(16)
        self._total_length = 0.0
        self._documents = 0
        self._cache: dict[str, TermPostings] = {}

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
        memory = self._memory
        for term, where in positions.items():
            postings = memory.occurrences.get(term)
            if postings is None:
                postings = memory.occurrences[term] = {}
                memory.sorted_terms = None
            postings[lid] = tuple(where)
            memory.positions += len(where)
            self._cache.pop(term, None)
        memory.rows += len(positions)
        memory.doc_terms[lid] = tuple(positions)
        self._grow(lid + 1)
        self._owner[lid] = memory.id
        self._documents += 1
        self._set_length(lid, float(length))

    def remove(self, lid: int) -> None:
        """Remove ``lid`` from every posting list; unknown lids are ignored."""
        if lid >= self._owner.size or self._owner[lid] < 0:
            return
        memory = self._memory
        if self._owner[lid] == memory.id:
            for term in memory.doc_terms.pop(lid):
                postings = memory.occurrences[term]
                memory.positions -= len(postings.pop(lid))
                memory.rows -= 1
                self._cache.pop(term, None)
                if not postings:
                    del memory.occurrences[term]
                    memory.sorted_terms = None
        else:
            # The lid's rows are in a frozen or sealed part, whose terms for it are not
            # kept per lid: every cached list may hold it.
            self._cache.clear()
        self._owner[lid] = -1
        self._documents -= 1
        self._set_length(lid, 0.0)

    def postings(self, term: str) -> TermPostings:
        """Return the posting list of an exact (already analyzed) term."""
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        pieces: list[tuple[KeyArray, npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []
        rows = self._frozen.rows(term)
        if rows is not None:
            pieces.append(self._frozen_piece(*rows))
        for part in (*self._sealed, self._memory):
            occurrences = part.occurrences.get(term)
            if occurrences:
                pieces.append(self._memory_piece(part.id, occurrences))
        pieces = [p for p in pieces if p[0].size]
        if not pieces:
            return _EMPTY
        if len(pieces) == 1:
            lids, counts, keys = pieces[0]
        else:
            lids = np.concatenate([p[0] for p in pieces])
            order = np.argsort(lids, kind="stable")
            lids = lids[order]
            counts = np.concatenate([p[1] for p in pieces])[order]
            keys = np.sort(np.concatenate([p[2] for p in pieces]))
        sorted_lids = lids.astype(np.uint32)
        frequencies = counts.astype(np.float64)
        field_lengths = self._lengths[sorted_lids]
        for shared in (sorted_lids, frequencies, keys, field_lengths):
            shared.setflags(write=False)  # handed out to every query that reads the term
        built = TermPostings(
            docids_from_lids(sorted_lids), sorted_lids, frequencies, keys, field_lengths
        )
        self._cache[term] = built
        return built

    def terms_with_prefix(self, prefix: str) -> list[str]:
        """Return every indexed term starting with ``prefix``, in sorted order."""
        found = _with_prefix(self._frozen.terms, prefix)
        extra = [t for p in (*self._sealed, self._memory) for t in p.terms_with_prefix(prefix)]
        return sorted(set(found).union(extra)) if extra else found

    def all_terms(self) -> list[str]:
        """Return every indexed term (for substring and suffix matching).

        May include a term whose documents were all rewritten since the last flush; its
        posting list is then empty.
        """
        terms = dict.fromkeys(self._frozen.terms)
        for part in (*self._sealed, self._memory):
            terms.update(dict.fromkeys(part.occurrences))
        return list(terms)

    def field_lengths(self, lids: LidArray) -> FloatArray:
        """Return the field length in tokens of each of ``lids`` (0 when unindexed)."""
        inside = lids < self._lengths.size
        out = np.zeros(lids.size)
        out[inside] = self._lengths[lids[inside]]
        return out

    @property
    def document_count(self) -> int:
        """Number of documents with at least one token in this field."""
        return self._documents

    @property
    def average_field_length(self) -> float:
        """Average field length over the documents that have the field (1 when none)."""
        return self._total_length / self._documents if self._documents else 1.0

    @property
    def unflushed_bytes(self) -> int:
        """Estimated memory of the writes since the last flush (the memory parts)."""
        return sum(p.estimated_bytes for p in (*self._sealed, self._memory))

    def seal(self) -> FieldFlush:
        """Start a flush: later writes go to a new memory part; the returned flush holds
        the index exactly as it is now."""
        self._sealed.append(self._memory)
        self._memory = _MemoryPart(self._new_part_id())
        owner = self._owner.copy()
        keep = owner[self._frozen.lids] == self._frozen_id
        return FieldFlush(self._frozen, keep, list(self._sealed), owner, self._lengths.copy())

    def install(self, flush: FieldFlush) -> None:
        """Serve reads from ``flush``'s fused segment instead of the parts it merged."""
        if flush.frozen is not self._frozen:
            return  # a later flush was installed first
        merged = [self._frozen_id, *(p.id for p in flush.parts)]
        self._frozen = flush.fuse()
        self._frozen_id = self._new_part_id()
        self._owner[np.isin(self._owner, merged)] = self._frozen_id
        self._sealed = [p for p in self._sealed if all(p is not q for q in flush.parts)]
        self._cache.clear()

    def load(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        """Replace everything with what :meth:`FieldFlush.arrays` saved.

        Raises:
            ValueError, KeyError: when the arrays are not a consistent saved index.
        """
        segment = FrozenSegment.from_arrays(arrays)
        lengths = np.array(arrays["lengths"], dtype=np.float64)
        if segment.lids.size and int(segment.lids.max()) >= lengths.size:
            raise ValueError("a posting's lid is beyond the field lengths")
        owner = np.full(lengths.size, -1, dtype=np.int32)
        owner[segment.lids] = self._frozen_id
        self._frozen = segment
        self._sealed = []
        self._memory = _MemoryPart(self._new_part_id())
        self._owner, self._lengths = owner, lengths
        self._documents = int(np.count_nonzero(owner >= 0))
        self._total_length = float(lengths.sum())
        self._cache.clear()

    def _frozen_piece(
        self, lids: U32, frequencies: U32, positions: U32
    ) -> tuple[KeyArray, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        counts = frequencies.astype(np.int64)
        wide = lids.astype(np.int64)
        keep = self._owner[lids] == self._frozen_id
        if not keep.all():
            positions = positions[np.repeat(keep, counts)]
            wide, counts = wide[keep], counts[keep]
        keys = (np.repeat(wide, counts) << 32) | positions
        return wide, counts, keys

    def _memory_piece(
        self, part_id: int, occurrences: dict[int, tuple[int, ...]]
    ) -> tuple[KeyArray, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        owner = self._owner
        valid = {lid: p for lid, p in occurrences.items() if owner[lid] == part_id}
        lids = np.fromiter(valid.keys(), dtype=np.int64, count=len(valid))
        counts = np.fromiter((len(p) for p in valid.values()), np.int64, len(valid))
        flat = np.fromiter(
            (p for where in valid.values() for p in where), np.int64, int(counts.sum())
        )
        keys = np.sort((np.repeat(lids, counts) << 32) | flat)
        order = np.argsort(lids)
        return lids[order], counts[order], keys

    def _new_part_id(self) -> int:
        self._next_part += 1
        return self._next_part - 1

    def _grow(self, size: int) -> None:
        if size > self._owner.size:
            capacity = max(size, 2 * self._owner.size)
            owner = np.full(capacity, -1, dtype=np.int32)
            owner[: self._owner.size] = self._owner
            lengths = np.zeros(capacity)
            lengths[: self._lengths.size] = self._lengths
            self._owner, self._lengths = owner, lengths

    def _set_length(self, lid: int, length: float) -> None:
        self._total_length += length - self._lengths[lid]
        self._lengths[lid] = length


def _with_prefix(sorted_terms: list[str], prefix: str) -> list[str]:
    start = bisect.bisect_left(sorted_terms, prefix)
    found: list[str] = []
    for term in sorted_terms[start:]:
        if not term.startswith(prefix):
            break
        found.append(term)
    return found


def _elements(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []
