"""Multi-value attributes: ``array<T>`` and ``weightedset<T>`` of numbers or strings.

All elements of all documents live in flat, growable numpy columns — value (a number
or a string dictionary code), owner lid, weight — plus a validity flag. A put appends
the document's elements and invalidates its previous ones (their slice is
remembered per lid); when more than half the rows are dead the columns are compacted.
A filter is one vectorised pass over the live rows followed by a unique over their
owners, so a document matches when any of its elements passes (Vespa's semantics for
multi-value attributes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from content.attribute.base import (
    FLOAT_TYPES,
    Arrays,
    LidArray,
    ValueTest,
    grown,
    moved_slices,
    slices_of,
)
from content.attribute.single import StringDictionary


class MultiValueAttribute:
    """An array or weighted set per lid; elements are numbers or strings."""

    def __init__(self, name: str, collection: str, element_type: str) -> None:
        self.name = name
        self.collection = collection
        self.element_type = element_type
        self.value_kind = "string" if element_type == "string" else "numeric"
        self.dictionary = StringDictionary()
        dtype: type = np.float64 if element_type in FLOAT_TYPES else np.int64
        self._values: npt.NDArray[Any] = np.zeros(0, dtype=dtype)
        self._owners = np.zeros(0, dtype=np.uint32)
        self._weights = np.zeros(0, dtype=np.int64)
        self._live = np.zeros(0, dtype=bool)
        self._rows = 0
        self._dead = 0
        self._slices: dict[int, tuple[int, int]] = {}

    def put(self, lid: int, value: Any) -> None:
        """Set ``lid``'s elements: a list (array) or a key → weight mapping (weighted set)."""
        self.remove(lid)
        if value is None:
            return
        pairs = list(value.items()) if isinstance(value, Mapping) else [(v, 1) for v in value]
        if not pairs:
            return
        start, stop = self._rows, self._rows + len(pairs)
        self._reserve(stop)
        self._values[start:stop] = [self._encode(v) for v, _ in pairs]
        self._weights[start:stop] = [int(w) for _, w in pairs]
        self._owners[start:stop] = lid
        self._live[start:stop] = True
        self._rows = stop
        self._slices[lid] = (start, stop)

    def remove(self, lid: int) -> None:
        """Clear ``lid``'s elements."""
        where = self._slices.pop(lid, None)
        if where is None:
            return
        self._live[where[0] : where[1]] = False
        self._dead += where[1] - where[0]
        if self._dead * 2 > self._rows:
            self._compact()

    def lids_where(self, test: ValueTest) -> LidArray:
        """Return the lids with at least one element passing ``test``."""
        return np.unique(self._owners[self._rows_where(test)])

    def weight_sums(
        self, test: ValueTest, lids: LidArray, *, count: bool = False
    ) -> npt.NDArray[np.float64]:
        """Return, per sorted lid of ``lids``, the summed weight of its elements passing
        ``test`` (their number when ``count``)."""
        out = np.zeros(lids.size)
        if lids.size == 0:
            return out
        rows = self._rows_where(test)
        owners = self._owners[rows]
        position = np.minimum(np.searchsorted(lids, owners), lids.size - 1)
        keep = lids[position] == owners
        added = np.ones(int(keep.sum())) if count else self._weights[rows][keep]
        np.add.at(out, position[keep], added)
        return out

    def save_state(self) -> Arrays:
        """A copy of the live elements, compacted (for a snapshot)."""
        keep = np.flatnonzero(self._live[: self._rows])
        return {
            "values": self._values[keep],
            "owners": self._owners[keep],
            "weights": self._weights[keep],
            "dictionary": self.dictionary.save_state(),
        }

    def load_state(self, arrays: Arrays) -> None:
        """Take back what :meth:`save_state` returned."""
        self.dictionary.load_state(arrays["dictionary"])
        self._values = np.array(arrays["values"], dtype=self._values.dtype)
        self._owners = np.array(arrays["owners"], dtype=np.uint32)
        self._weights = np.array(arrays["weights"], dtype=np.int64)
        if not self._values.size == self._owners.size == self._weights.size:
            raise ValueError(f"{self.name}: element columns differ in length")
        self._rows = int(self._owners.size)
        self._live = np.ones(self._rows, dtype=bool)
        self._dead = 0
        self._slices = slices_of(self._owners)

    def _rows_where(self, test: ValueTest) -> npt.NDArray[np.intp]:
        live = self._live[: self._rows]
        values = self._values[: self._rows]
        if self.value_kind == "string":
            passing = self.dictionary.code_mask(test)[values] if values.size else live
        else:
            passing = test(values)
        return np.flatnonzero(live & passing)

    def _encode(self, value: Any) -> int | float:
        if self.value_kind == "string":
            return self.dictionary.code(str(value))
        return float(value) if self._values.dtype == np.float64 else int(value)

    def _reserve(self, rows: int) -> None:
        self._values = grown(self._values, rows, 0)
        self._owners = grown(self._owners, rows, 0)
        self._weights = grown(self._weights, rows, 0)
        self._live = grown(self._live, rows, False)

    def _compact(self) -> None:
        keep = np.flatnonzero(self._live[: self._rows])
        self._values = self._values[keep]
        self._owners = self._owners[keep]
        self._weights = self._weights[keep]
        self._live = np.ones(keep.size, dtype=bool)
        self._rows = int(keep.size)
        self._dead = 0
        self._slices = moved_slices(self._owners, self._slices)
