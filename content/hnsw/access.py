"""What the HNSW library needs from its neighbours, as protocols it defines.

The index reads document vectors through :class:`DocVectorAccess` (as Vespa's HNSW
reads them through its ``DocVectorAccess`` interface, not the tensor attribute class)
and takes a filter as a :class:`LidFilter`. ``content.attribute.DenseTensorAttribute``
satisfies the first and a pyroaring ``BitMap`` (``content.index.DocIdSet``) the second,
without this package importing either (STYLE B1 rules 4 and 5).
"""

from __future__ import annotations

import array
from typing import Protocol

import numpy as np
import numpy.typing as npt

LidArray = npt.NDArray[np.uint32]
"""Local document ids as a numpy array (sorted and distinct unless said otherwise)."""


class DocVectorAccess(Protocol):
    """Read access to the float32 vectors of documents, by lid."""

    def vectors_for(self, lids: LidArray) -> npt.NDArray[np.float32]:
        """Return the ``(len(lids), cells)`` matrix of the lids' vectors, in order."""
        ...


class LidFilter(Protocol):
    """The documents a query lets through (a pyroaring ``BitMap`` is one).

    Membership is asked once per graph node the search visits, from inside hnswlib,
    so ``__contains__`` should be a native method.
    """

    def __contains__(self, lid: int, /) -> bool:
        """Whether ``lid`` passes the filter."""
        ...

    def __len__(self) -> int:
        """How many lids pass the filter."""
        ...

    def to_array(self) -> array.array[int]:
        """The passing lids, ascending, as an ``array('I')``."""
        ...


def filter_lids(allowed: LidFilter) -> LidArray:
    """Return the lids ``allowed`` lets through as a sorted uint32 array."""
    return np.frombuffer(allowed.to_array(), dtype=np.uint32)
