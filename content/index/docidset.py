"""Sets of local document ids: the one adapter over pyroaring.

Matching works on compressed bitmaps of lids (Vespa's posting lists and filters);
ranking works on sorted numpy arrays of the same lids. This module is the only place
that touches pyroaring, so the bitmap library can be swapped here alone; other
packages use :data:`DocIdSet` and the two conversions.
"""

from __future__ import annotations

import array

import numpy as np
import numpy.typing as npt
from pyroaring import BitMap

DocIdSet = BitMap
"""A mutable compressed set of lids (pyroaring ``BitMap``): ``&``, ``|``, ``-``, ``len``."""

LidArray = npt.NDArray[np.uint32]
"""Sorted, distinct lids as a numpy array."""


_SMALL = 64
"""Up to this many lids, building from a Python list beats the bulk copy's set-up."""


def docids_from_lids(lids: npt.NDArray[np.integer] | list[int]) -> BitMap:
    """Return the set of the lids in ``lids`` (any order, duplicates allowed)."""
    if len(lids) <= _SMALL:
        return BitMap(lids if isinstance(lids, list) else lids.tolist())
    # pyroaring copies an array.array('I') in bulk but iterates a numpy array.
    buffer = array.array("I")
    buffer.frombytes(np.ascontiguousarray(lids, dtype=np.uint32).tobytes())
    return BitMap(buffer)


def lids_of(docids: BitMap) -> LidArray:
    """Return the lids of ``docids`` as a sorted uint32 array."""
    return np.frombuffer(docids.to_array(), dtype=np.uint32).copy()
