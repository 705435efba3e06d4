"""Fast-search dictionaries: each distinct attribute value → the lids holding it.

Vespa's ``attribute: fast-search`` keeps a sorted dictionary of values with a posting
list per value, so a selective filter touches only the matching documents instead
of scanning the attribute. :class:`PostingDictionary` is that structure for
single-value attributes: keys are the stored values (numbers, or string dictionary
codes), postings are sets of lids updated in O(1) per write, with a sorted numpy copy
of each posting list and of the key array built on first read after a change.

A filter runs its vectorised test over the distinct keys, then unions the postings
of the passing keys. When those postings cover a large share of the documents the
attribute's plain scan is cheaper; :meth:`lids_where` returns None to say so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from content.attribute.base import LidArray, ValueTest

SCAN_SHARE = 0.125
"""Above this share of all posted documents, unioning postings loses to a scan."""


class PostingDictionary:
    """Distinct values of a single-value attribute with their posting lists."""

    def __init__(self, dtype: type) -> None:
        self._dtype = dtype
        self._postings: dict[Any, set[int]] = {}
        self._arrays: dict[Any, LidArray] = {}
        self._keys: npt.NDArray[Any] | None = None
        self._sizes = np.zeros(0, dtype=np.int64)
        self._total = 0

    def add(self, key: Any, lid: int) -> None:
        """Record that ``lid`` holds ``key``."""
        posting = self._postings.get(key)
        if posting is None:
            posting = self._postings[key] = set()
            self._keys = None
        posting.add(lid)
        self._arrays.pop(key, None)
        self._keys = None
        self._total += 1

    def discard(self, key: Any, lid: int) -> None:
        """Record that ``lid`` no longer holds ``key``."""
        posting = self._postings[key]
        posting.discard(lid)
        self._arrays.pop(key, None)
        self._keys = None
        self._total -= 1
        if not posting:
            del self._postings[key]

    def load(self, keys: npt.NDArray[Any], lids: npt.NDArray[Any]) -> None:
        """Replace the postings with ``lids[i]`` holding ``keys[i]``: grouped with one
        sort instead of one set insertion per document."""
        order = np.argsort(keys, kind="stable")
        distinct, starts = np.unique(keys[order], return_index=True)
        groups = np.split(lids[order].astype(np.uint32), starts[1:]) if distinct.size else []
        self._postings = {
            key: set(group.tolist()) for key, group in zip(distinct.tolist(), groups, strict=True)
        }
        self._arrays = {}
        self._keys = None
        self._total = int(lids.size)

    def keys(self) -> npt.NDArray[Any]:
        """Return the distinct values present, sorted."""
        if self._keys is None:
            ordered = sorted(self._postings)
            self._keys = np.array(ordered, dtype=self._dtype)
            self._sizes = np.array([len(self._postings[k]) for k in ordered], dtype=np.int64)
        return self._keys

    def lids_where(self, test: ValueTest) -> LidArray | None:
        """Return the sorted lids whose value passes ``test``, None if a scan is cheaper."""
        keys = self.keys()
        if keys.size == 0:
            return np.zeros(0, dtype=np.uint32)
        mask = np.asarray(test(keys), dtype=bool)
        matches = int(self._sizes[mask].sum())
        if matches > SCAN_SHARE * self._total and matches > 64:
            return None
        arrays = [self._posting(k) for k in keys[mask].tolist()]
        if not arrays:
            return np.zeros(0, dtype=np.uint32)
        return np.sort(np.concatenate(arrays))

    def _posting(self, key: Any) -> LidArray:
        array = self._arrays.get(key)
        if array is None:
            array = np.fromiter(self._postings[key], dtype=np.uint32)
            self._arrays[key] = array
        return array
