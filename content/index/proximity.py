"""Phrase and near matching over position keys, vectorised with numpy.

Every occurrence is a key ``lid << 32 | position`` (see `content.index.field_index`).
A phrase ``t0 t1 … tk`` matches where some key of ``t0`` plus ``i`` is a key of
``ti`` for every i: an intersection of shifted key arrays. ``near`` anchors on the
occurrences of the first term and asks every other term to occur within
``distance`` positions of the anchor (after it, for ``onear``), in the same document
and array element. For two terms this is Vespa's rule exactly; for more terms Vespa
asks for one window of size ``distance`` holding them all, which this anchored test
approximates (it may accept a spread up to twice the distance).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from content.index.docidset import LidArray
from content.index.field_index import KeyArray, TermPostings


def phrase_keys(postings: Sequence[TermPostings]) -> KeyArray:
    """Return the keys of the first term of every phrase occurrence."""
    if not postings:
        return np.zeros(0, dtype=np.int64)
    keys = postings[0].position_keys
    for offset, term in enumerate(postings[1:], start=1):
        keys = np.intersect1d(keys, term.position_keys - offset, assume_unique=True)
        if keys.size == 0:
            break
    return keys


def phrase_lids(postings: Sequence[TermPostings]) -> LidArray:
    """Return the sorted lids where the terms occur next to each other, in order."""
    return _lids_of_keys(phrase_keys(postings))


def phrase_frequencies(postings: Sequence[TermPostings], lids: LidArray) -> np.ndarray:
    """Return how many times the phrase occurs in each of ``lids``."""
    keys = phrase_keys(postings)
    owners = (keys >> 32).astype(np.uint32)
    return (np.searchsorted(owners, lids, "right") - np.searchsorted(owners, lids)).astype(
        np.float64
    )


def near_lids(postings: Sequence[TermPostings], distance: int, *, ordered: bool) -> LidArray:
    """Return the sorted lids where every term is within ``distance`` of the first."""
    if not postings:
        return np.zeros(0, dtype=np.uint32)
    anchors = postings[0].position_keys
    for term in postings[1:]:
        keys = term.position_keys
        if anchors.size == 0 or keys.size == 0:
            return np.zeros(0, dtype=np.uint32)
        low = anchors + 1 if ordered else anchors - distance
        start = np.searchsorted(keys, low, "left")
        stop = np.searchsorted(keys, anchors + distance, "right")
        # The anchor's own occurrence (near of a word with itself) does not count.
        at = np.minimum(np.searchsorted(keys, anchors), keys.size - 1)
        itself = (keys[at] == anchors).astype(np.int64) if not ordered else 0
        anchors = anchors[stop - start - itself > 0]
    return _lids_of_keys(anchors)


def _lids_of_keys(keys: KeyArray) -> LidArray:
    return np.unique((keys >> 32).astype(np.uint32))
