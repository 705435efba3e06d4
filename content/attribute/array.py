"""Array attributes: ``array<T>`` fields and struct-field attributes, by element.

Vespa keeps ``struct-field name { indexing: attribute }`` of ``persons
array<person>`` as an array attribute called ``persons.name``, and a map field's
``key``, ``value`` or ``value.name`` the same way (a map is an array of ``{key,
value}`` structs). :class:`ArrayAttribute` holds those and plain ``array<T>``
attributes (whose path is empty: the element itself). It is a
:class:`MultiValueAttribute` (so filters, weights and ranking treat it as any
multi-value attribute) with one more column: the index of the element each row came
from. Elements that lack the struct field have no row, so element indexes, not row
positions, line the struct fields of one element up; ``sameElement`` and
``elementFilter`` work on (lid, element) pairs built from them.

Columns (all flat numpy arrays, grown and compacted together): values, owners,
weights and live flags as in `content.attribute.multi`, plus ``elements`` (uint32).
Rows of one lid are contiguous and in element order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from content.attribute.base import Arrays, ValueTest, grown
from content.attribute.multi import MultiValueAttribute

ElementKeys = npt.NDArray[np.int64]
"""Sorted, distinct (lid, element) pairs, each packed as ``lid << 32 | element``."""


class ArrayAttribute(MultiValueAttribute):
    """The value at ``path`` (a struct field; '' for the element itself) of each element
    of a document field."""

    def __init__(self, name: str, path: str, element_type: str) -> None:
        super().__init__(name, "array", element_type)
        self.path = tuple(path.split(".")) if path else ()
        self._elements = np.zeros(0, dtype=np.uint32)

    def put(self, lid: int, value: Any) -> None:
        """Set ``lid``'s elements from the document field's value (a list or a map)."""
        if not self.path:
            # A plain array: every element has a value, so rows are elements in order.
            super().put(lid, value)
            where = self._slices.get(lid)
            if where is not None:
                self._elements[where[0] : where[1]] = np.arange(where[1] - where[0])
            return
        found = element_values(value, self.path)
        super().put(lid, [v for _, v in found])
        if found:
            start, stop = self._slices[lid]
            self._elements[start:stop] = [e for e, _ in found]

    def elements_where(self, test: ValueTest) -> ElementKeys:
        """Return the (lid, element) pairs whose value passes ``test``."""
        rows = self._rows_where(test)
        keys = element_keys(self._owners[rows], self._elements[rows])
        return np.unique(keys)

    def save_state(self) -> Arrays:
        """The multi-value columns and each live row's element (for a snapshot)."""
        keep = np.flatnonzero(self._live[: self._rows])
        return {**super().save_state(), "elements": self._elements[keep]}

    def load_state(self, arrays: Arrays) -> None:
        """Take back what :meth:`save_state` returned."""
        super().load_state(arrays)
        elements = np.array(arrays["elements"], dtype=np.uint32)
        if elements.size != self._rows:
            raise ValueError(f"{self.name}: {elements.size} element indexes for {self._rows} rows")
        self._elements = elements

    def _reserve(self, rows: int) -> None:
        super()._reserve(rows)
        self._elements = grown(self._elements, rows, 0)

    def _compact(self) -> None:
        # Taken before the base class compacts the other columns by the same live rows.
        self._elements = self._elements[np.flatnonzero(self._live[: self._rows])]
        super()._compact()


def element_keys(lids: npt.NDArray[Any], elements: npt.NDArray[Any]) -> ElementKeys:
    """Pack lids and element indexes into one sortable int64 per pair."""
    packed: ElementKeys = (lids.astype(np.int64) << 32) | elements.astype(np.int64)
    return packed


def lids_of_keys(keys: ElementKeys) -> npt.NDArray[np.uint32]:
    """The sorted, distinct lids of packed (lid, element) pairs."""
    return np.unique((keys >> 32).astype(np.uint32))


def element_values(value: Any, path: tuple[str, ...]) -> list[tuple[int, Any]]:
    """The (element index, value at ``path``) of each element that has a value there.

    A list is an array of structs; a mapping is a map, whose elements are
    ``{"key": k, "value": v}`` in the map's order.

    >>> element_values([{"name": "a"}, {"age": 3}, {"name": "c"}], ("name",))
    [(0, 'a'), (2, 'c')]
    >>> element_values({"x": {"n": 1}, "y": {}}, ("value", "n"))
    [(0, 1)]
    >>> element_values({"x": 5, "y": 6}, ("key",))
    [(0, 'x'), (1, 'y')]
    >>> element_values([3, 4], ())
    [(0, 3), (1, 4)]
    """
    if isinstance(value, Mapping):
        elements: list[Any] = [{"key": k, "value": v} for k, v in value.items()]
    elif isinstance(value, list):
        elements = value
    else:
        return []
    found: list[tuple[int, Any]] = []
    for index, element in enumerate(elements):
        current = element
        for step in path:
            if not isinstance(current, Mapping) or current.get(step) is None:
                break
            current = current[step]
        else:
            found.append((index, current))
    return found
