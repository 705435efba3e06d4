"""What every attribute offers matching and ranking, and the value types it holds.

An attribute keeps one field's values in memory by lid (Vespa's attribute vectors).
Filters are vectorised: matching hands an attribute a *test*, a function from a numpy
array of candidate values to a boolean mask (``lambda v: v >= 1990``), and gets back
the sorted lids where some value passes. Numeric attributes run the test over their
value array; string attributes over their dictionary of distinct values (so a regex
runs once per distinct string, not per document) and then index the result by code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

LidArray = npt.NDArray[np.uint32]
"""Sorted, distinct lids."""

Arrays = dict[str, npt.NDArray[Any]]
"""An attribute's saved state: named numpy arrays (`content.storage.arrays` stores them)."""

ValueTest = Callable[[npt.NDArray[Any]], npt.NDArray[np.bool_]]
"""A vectorised predicate over attribute values."""

INTEGER_TYPES = {"int": np.int64, "long": np.int64, "byte": np.int64, "bool": np.int64}
FLOAT_TYPES = {"float": np.float64, "double": np.float64}
UNDEFINED_INTEGER = {
    "int": -(2**31),
    "long": -(2**63),
    "byte": -128,
    "bool": 0,
}
"""Vespa's undefined value per integer type: what a document without a value holds."""


def grown(array: npt.NDArray[Any], size: int, fill: Any) -> npt.NDArray[Any]:
    """Return ``array`` extended (doubling) to hold at least ``size`` rows, new rows ``fill``."""
    if size <= array.shape[0]:
        return array
    rows = max(size, 2 * array.shape[0], 16)
    out = np.full((rows, *array.shape[1:]), fill, dtype=array.dtype)
    out[: array.shape[0]] = array
    return out


def moved_slices(
    owners: npt.NDArray[Any], slices: dict[int, tuple[int, int]]
) -> dict[int, tuple[int, int]]:
    """Each lid's row slice after compaction, given the compacted rows' owner lids.

    Compaction keeps every lid's live rows together and in order, so a lid's new slice
    starts at its first row in ``owners`` and keeps its length.
    """
    lids, first_rows = np.unique(owners, return_index=True)
    starts = dict(zip(lids.tolist(), first_rows.tolist(), strict=True))
    return {
        lid: (starts[lid], starts[lid] + (stop - start)) for lid, (start, stop) in slices.items()
    }


def slices_of(owners: npt.NDArray[Any]) -> dict[int, tuple[int, int]]:
    """Each lid's row slice in compacted rows, where each lid's rows are together.

    Raises:
        ValueError: when some lid's rows are not contiguous.
    """
    lids, starts, counts = np.unique(owners, return_index=True, return_counts=True)
    if owners.size and int(np.count_nonzero(np.diff(owners.astype(np.int64)))) + 1 != lids.size:
        raise ValueError("a document's elements are not stored together")
    stops = starts + counts
    return dict(zip(lids.tolist(), zip(starts.tolist(), stops.tolist(), strict=True), strict=True))


def element_type(type_text: str) -> tuple[str, str]:
    """Split a field type into its collection and element type.

    >>> element_type("array<string>"), element_type("weightedset<long>"), element_type("int")
    (('array', 'string'), ('weightedset', 'long'), ('single', 'int'))
    """
    for collection in ("array", "weightedset"):
        prefix = collection + "<"
        if type_text.startswith(prefix) and type_text.endswith(">"):
            return collection, type_text[len(prefix) : -1].strip()
    return "single", type_text
