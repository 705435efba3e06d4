"""Phrase and near matching over position keys, vectorised with numpy.

Every occurrence is a key ``lid << 32 | position`` (see `content.index.field_index`).
A phrase ``t0 t1 … tk`` matches where some key of ``t0`` plus ``i`` is a key of
``ti`` for every i: an intersection of shifted key arrays. ``near`` matches where one
window of ``distance`` positions (last minus first) in one document and array element
holds every term; ``onear`` also asks for the terms' order. Both are exact and
vectorised over all occurrences at once.
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
    """Return the sorted lids with all the terms inside one window of ``distance``.

    ``ordered`` (onear) also asks the occurrences to follow the terms' order.
    """
    keys = [p.position_keys for p in postings]
    if not keys or any(k.size == 0 for k in keys):
        return np.zeros(0, dtype=np.uint32)
    if ordered:
        return _lids_of_keys(_ordered_windows(keys, distance))
    return _lids_of_keys(_unordered_windows(postings, distance))


def _unordered_windows(postings: Sequence[TermPostings], distance: int) -> KeyArray:
    """Window starts ``s`` such that every term occurs in ``[s, s + distance]``.

    Some occurrence always starts a minimal window, so the starts tried are the
    occurrences of all terms. A term listed twice needs two occurrences.
    """
    needed: dict[int, tuple[KeyArray, int]] = {}
    for term in postings:
        keys, count = needed.get(id(term), (term.position_keys, 0))
        needed[id(term)] = (keys, count + 1)
    starts = np.unique(np.concatenate([p.position_keys for p in postings]))
    inside = np.ones(starts.size, dtype=bool)
    for keys, count in needed.values():
        held = np.searchsorted(keys, starts + distance, "right") - np.searchsorted(keys, starts)
        inside &= held >= count
    return starts[inside]


def _ordered_windows(keys: Sequence[KeyArray], distance: int) -> KeyArray:
    """Occurrences of the first term that start an in-order window of ``distance``.

    From each start, taking every next term's first occurrence after the previous one
    gives the tightest in-order window, so checking that greedy chain is exact.
    """
    anchors = keys[0]
    current = anchors
    for following in keys[1:]:
        at = np.searchsorted(following, current, "right")
        found = at < following.size
        nearest = following[np.minimum(at, following.size - 1)]
        found &= (nearest >> 32) == (anchors >> 32)
        anchors, current = anchors[found], nearest[found]
    return anchors[current - anchors <= distance]


def _lids_of_keys(keys: KeyArray) -> LidArray:
    return np.unique((keys >> 32).astype(np.uint32))
