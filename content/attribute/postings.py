"""Fast-search dictionaries: each distinct attribute value → the lids holding it.

Vespa's ``attribute: fast-search`` keeps a sorted dictionary of values with a posting
list per value, so equality, prefix and range filters touch only the matching
documents instead of scanning the attribute. :class:`PostingDictionary` is that
structure for single-value attributes: keys are the stored values (numbers, or
string dictionary codes), each posting list is a pyroaring ``BitMap`` of lids (the
set type matching combines filters with; this module and `content.index.docidset`
are the two that use pyroaring), updated in place per write. The sorted key array is
rebuilt on the first read after the *set* of keys changed, not after every write.

A filter runs its vectorised test over the sorted keys and unions the postings of the
passing keys in one call (roaring's many-way OR). The cost grows with the passing
keys, not with the documents; only a test passing very many distinct keys (over one
per :data:`SCAN_PER_KEY` documents, say a wide range over unique timestamps) is
answered by the attribute's scan instead (:meth:`PostingDictionary.docids_where`
returns None), since one Python-level lookup per key then costs more than the scan.
"""

from __future__ import annotations

import array
from typing import Any

import numpy as np
import numpy.typing as npt
from pyroaring import BitMap

from content.attribute.base import LidArray, ValueTest

SCAN_PER_KEY = 64
"""A test passing more than one key per this many documents is answered by a scan."""

_MIN_KEYS = 64
"""Up to this many passing keys the postings are always used."""


class PostingDictionary:
    """Distinct values of a single-value attribute with their posting lists."""

    def __init__(self, dtype: type) -> None:
        self._dtype = dtype
        self._postings: dict[Any, BitMap] = {}
        self._keys: npt.NDArray[Any] | None = None
        self._total = 0

    def add(self, key: Any, lid: int) -> None:
        """Record that ``lid`` holds ``key``."""
        posting = self._postings.get(key)
        if posting is None:
            posting = self._postings[key] = BitMap()
            self._keys = None
        posting.add(lid)
        self._total += 1

    def discard(self, key: Any, lid: int) -> None:
        """Record that ``lid`` no longer holds ``key``."""
        posting = self._postings[key]
        posting.discard(lid)
        self._total -= 1
        if not posting:
            del self._postings[key]
            self._keys = None

    def load(self, keys: npt.NDArray[Any], lids: npt.NDArray[Any]) -> None:
        """Replace the postings with ``lids[i]`` holding ``keys[i]``: grouped with one
        sort instead of one insertion per document."""
        order = np.argsort(keys, kind="stable")
        distinct, starts = np.unique(keys[order], return_index=True)
        groups = np.split(lids[order].astype(np.uint32), starts[1:]) if distinct.size else []
        self._postings = {
            key: _bitmap(group) for key, group in zip(distinct.tolist(), groups, strict=True)
        }
        self._keys = None
        self._total = int(lids.size)

    def keys(self) -> npt.NDArray[Any]:
        """Return the distinct values present, sorted."""
        if self._keys is None:
            self._keys = np.array(sorted(self._postings), dtype=self._dtype)
        return self._keys

    def docids_where(self, test: ValueTest) -> BitMap | None:
        """Return the lids whose value passes ``test`` (a new set), None if a scan is cheaper."""
        keys = self.keys()
        if keys.size == 0:
            return BitMap()
        passing = keys[np.asarray(test(keys), dtype=bool)].tolist()
        if len(passing) > max(_MIN_KEYS, self._total // SCAN_PER_KEY):
            return None
        if len(passing) == 1:
            return self._postings[passing[0]].copy()
        return BitMap.union(*(self._postings[k] for k in passing)) if passing else BitMap()

    def lids_where(self, test: ValueTest) -> LidArray | None:
        """Return the sorted lids whose value passes ``test``, None if a scan is cheaper."""
        found = self.docids_where(test)
        if found is None:
            return None
        return np.frombuffer(found.to_array(), dtype=np.uint32).copy()


def _bitmap(lids: npt.NDArray[np.uint32]) -> BitMap:
    """A set of ``lids``; pyroaring copies an ``array('I')`` in bulk, a numpy array by item."""
    buffer = array.array("I")
    buffer.frombytes(np.ascontiguousarray(lids, dtype=np.uint32).tobytes())
    return BitMap(buffer)
