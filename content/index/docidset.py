"""Sets of local document ids: the one adapter over pyroaring.

Matching works on compressed bitmaps of lids (Vespa's posting lists and filters);
ranking works on sorted numpy arrays of the same lids. This module is the only place
that touches pyroaring, so the bitmap library can be swapped here alone; other
packages use :data:`DocIdSet` and the two conversions.
"""

from __future__ import annotations

import array
import itertools
import struct

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


_COOKIE = 12346
"""Roaring's portable serialization cookie for a bitmap without run containers."""
_CHUNK = 1 << 16
"""Lids per roaring container (one 16-bit key each)."""
_ARRAY_MAX = 4096
"""Roaring keeps a container of up to this many lids as a sorted array, else as a bitset."""


def docids_from_mask(mask: npt.NDArray[np.bool_]) -> BitMap:
    """Return the set of the positions where ``mask`` is true.

    A filter scan gives a boolean mask by lid; building the bitmap lid by lid costs
    about 10 ns per lid, so the mask is written straight into roaring's portable
    format (one container per 65,536 lids: a bitset copied from ``np.packbits``, or a
    sorted array of 16-bit offsets for a container of at most 4,096 lids) and read
    back with ``BitMap.deserialize``, a copy.
    """
    bits = np.packbits(mask, bitorder="little")
    described: list[int] = []
    bodies: list[bytes] = []
    for key, start in enumerate(range(0, mask.size, _CHUNK)):
        part = mask[start : start + _CHUNK]
        count = int(np.count_nonzero(part))
        if count == 0:
            continue
        if count > _ARRAY_MAX:
            body = bits[start // 8 : (start + _CHUNK) // 8].tobytes()
            body += bytes(_CHUNK // 8 - len(body))  # the last container's missing tail
        else:
            body = np.flatnonzero(part).astype("<u2").tobytes()
        described += (key, count - 1)
        bodies.append(body)
    containers = len(bodies)
    if containers == 0:
        return BitMap()
    first = 8 + 8 * containers
    offsets = itertools.accumulate((len(b) for b in bodies[:-1]), initial=first)
    header = struct.pack(
        f"<II{2 * containers}H{containers}I", _COOKIE, containers, *described, *offsets
    )
    return BitMap.deserialize(b"".join([header, *bodies]))


def lids_of(docids: BitMap) -> LidArray:
    """Return the lids of ``docids`` as a sorted uint32 array."""
    return np.frombuffer(docids.to_array(), dtype=np.uint32).copy()
