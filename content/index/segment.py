"""The frozen part of a field's text index: immutable numpy arrays, fused at each flush.

Vespa keeps a small memory index for recent writes and disk indexes for the rest; a
flush turns the memory index into a disk index and fusion merges them. Here a field has
one :class:`FrozenSegment` (the state at the last flush) and small in-memory parts for
writes since; :func:`fuse` merges the memory parts into the frozen segment with
vectorised numpy (an insertion merge by ``term << 32 | lid``, so the large frozen arrays
are filtered and copied once, never sorted), and that is what a flush saves.

A segment holds, for sorted terms, concatenated arrays: per (term, document) row the
lid and the term frequency (rows of a term sorted by lid, ``row_starts`` delimiting
each term), and per occurrence its position (a row's occurrences sorted, in row order,
``occurrence_starts`` delimiting each term). A lid may have been rewritten or removed
since the segment was built; the index masks such rows out by who owns the lid now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

MemoryPostings = Mapping[str, Mapping[int, tuple[int, ...]]]
"""An in-memory part: term → lid → the term's positions in that document."""

_LOW = np.int64(0xFFFFFFFF)


@dataclass(frozen=True, slots=True, eq=False)
class FrozenSegment:
    """Immutable postings of many terms in flat arrays (see the module docstring)."""

    terms: list[str]
    """Sorted."""
    term_ids: dict[str, int]
    row_starts: I64
    lids: U32
    frequencies: U32
    occurrence_starts: I64
    positions: U32

    @classmethod
    def empty(cls) -> FrozenSegment:
        """A segment without terms."""
        zero = np.zeros(1, dtype=np.int64)
        none = np.zeros(0, dtype=np.uint32)
        return cls([], {}, zero, none, none, zero, none)

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> FrozenSegment:
        """The segment :meth:`to_arrays` described (arrays are used as they are).

        Raises:
            ValueError: when the arrays do not fit together.
        """
        terms: list[str] = orjson.loads(arrays["terms"].tobytes())
        segment = cls(
            terms,
            {term: i for i, term in enumerate(terms)},
            arrays["row_starts"],
            arrays["lids"],
            arrays["frequencies"],
            arrays["occurrence_starts"],
            arrays["positions"],
        )
        segment.check()
        return segment

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Every part as a numpy array (terms as JSON bytes), for saving."""
        return {
            "terms": np.frombuffer(orjson.dumps(self.terms), dtype=np.uint8),
            "row_starts": self.row_starts,
            "lids": self.lids,
            "frequencies": self.frequencies,
            "occurrence_starts": self.occurrence_starts,
            "positions": self.positions,
        }

    def check(self) -> None:
        """Raise ValueError unless the offsets fit the arrays."""
        count = len(self.terms)
        if self.row_starts.shape != (count + 1,) or self.occurrence_starts.shape != (count + 1,):
            raise ValueError("term offsets do not match the term count")
        if int(self.row_starts[-1]) != self.lids.size or self.lids.size != self.frequencies.size:
            raise ValueError("row offsets do not match the rows")
        if int(self.occurrence_starts[-1]) != self.positions.size:
            raise ValueError("occurrence offsets do not match the positions")
        if int(self.frequencies.sum(dtype=np.int64)) != self.positions.size:
            raise ValueError("term frequencies do not add up to the positions")

    def rows(self, term: str) -> tuple[U32, U32, U32] | None:
        """The lids, frequencies and positions of ``term`` (views), None when absent."""
        at = self.term_ids.get(term)
        if at is None:
            return None
        r0, r1 = int(self.row_starts[at]), int(self.row_starts[at + 1])
        o0, o1 = int(self.occurrence_starts[at]), int(self.occurrence_starts[at + 1])
        return self.lids[r0:r1], self.frequencies[r0:r1], self.positions[o0:o1]

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        arrays = (self.row_starts, self.lids, self.frequencies, self.positions)
        return sum(a.nbytes for a in arrays) + self.occurrence_starts.nbytes


def memory_rows(parts: Sequence[MemoryPostings]) -> tuple[list[str], I64, U32, U32, U32]:
    """Sorted rows of in-memory parts whose lids are disjoint: terms, per row its term's
    index in the returned terms, lid and frequency, and all positions in row order."""
    merged: dict[str, dict[int, tuple[int, ...]]] = {}
    for part in parts:
        for term, postings in part.items():
            merged.setdefault(term, {}).update(postings)
    terms = sorted(merged)
    row_terms: list[int] = []
    row_lids: list[int] = []
    flat: list[int] = []
    frequencies: list[int] = []
    for index, term in enumerate(terms):
        postings = merged[term]
        for lid in sorted(postings):
            where = postings[lid]
            row_terms.append(index)
            row_lids.append(lid)
            frequencies.append(len(where))
            flat.extend(where)
    return (
        terms,
        np.array(row_terms, dtype=np.int64),
        np.array(row_lids, dtype=np.uint32),
        np.array(frequencies, dtype=np.uint32),
        np.array(flat, dtype=np.uint32),
    )


def fuse(
    frozen: FrozenSegment, keep: npt.NDArray[np.bool_], parts: Sequence[MemoryPostings]
) -> FrozenSegment:
    """A new segment: the rows of ``frozen`` where ``keep`` holds, plus ``parts``.

    The lids of ``parts`` must be disjoint from each other and from the kept rows.
    """
    terms_d, term_rows_d, lids_d, freqs_d, positions_d = memory_rows(parts)
    all_terms = sorted(set(frozen.terms).union(terms_d))
    index = {term: i for i, term in enumerate(all_terms)}
    frozen_map = np.fromiter((index[t] for t in frozen.terms), np.int64, len(frozen.terms))
    delta_map = np.fromiter((index[t] for t in terms_d), np.int64, len(terms_d))

    per_term = np.diff(frozen.row_starts)
    frozen_keys = (np.repeat(frozen_map, per_term) << 32) | frozen.lids.astype(np.int64)
    kept_keys = frozen_keys[keep]
    kept_freqs = frozen.frequencies[keep]
    kept_positions = frozen.positions[np.repeat(keep, frozen.frequencies.astype(np.int64))]
    delta_keys = (delta_map[term_rows_d] << 32) | lids_d.astype(np.int64)

    at = np.searchsorted(kept_keys, delta_keys)
    keys = np.insert(kept_keys, at, delta_keys)
    frequencies = np.insert(kept_freqs, at, freqs_d)
    starts = np.concatenate([[0], np.cumsum(kept_freqs, dtype=np.int64)])
    positions = np.insert(
        kept_positions, np.repeat(starts[at], freqs_d.astype(np.int64)), positions_d
    )

    term_of_row = keys >> 32
    counts = np.bincount(term_of_row, minlength=len(all_terms))
    occurrences = np.bincount(term_of_row, weights=frequencies, minlength=len(all_terms))
    present = counts > 0
    terms = [t for t, p in zip(all_terms, present.tolist(), strict=True) if p]
    zero = np.zeros(1, dtype=np.int64)
    return FrozenSegment(
        terms,
        {term: i for i, term in enumerate(terms)},
        np.concatenate([zero, np.cumsum(counts[present], dtype=np.int64)]),
        (keys & _LOW).astype(np.uint32),
        frequencies.astype(np.uint32),
        np.concatenate([zero, np.cumsum(occurrences[present]).astype(np.int64)]),
        positions.astype(np.uint32),
    )
