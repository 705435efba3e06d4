"""Tensor attributes: dense tensors as one float32 matrix, mapped tensors as values.

A tensor type whose dimensions are all indexed (``tensor<float>(x[384])``,
``tensor(x[2],y[3])``) is stored as row ``lid`` of a ``(capacity, cells)`` float32
matrix in row-major cell order (dimensions sorted by name, as Vespa orders them),
with a presence mask; this is the matrix exact nearest-neighbor search scans and
ranking reads (``attribute(embedding)``). Each row's Euclidean norm is kept beside it
(float64, updated with the row), so an exact angular scan does not recompute every
document's norm per query. Cell types bfloat16 and int8 are widened
to float32. A type with a mapped dimension is kept as its canonical document JSON
per lid, for ranking to turn into tensor values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from content.attribute.base import Arrays, LidArray, grown
from vespid.document.tensor_type import TensorType


class DenseTensorAttribute:
    """Dense tensors by lid as rows of a float32 matrix."""

    def __init__(self, name: str, tensor_type: TensorType) -> None:
        self.name = name
        self.tensor_type = tensor_type
        self.query_type = tensor_type
        """The type a nearestNeighbor query tensor must have."""
        self.cells = tensor_type.dense_size
        self._matrix = np.zeros((0, self.cells), dtype=np.float32)
        self._present = np.zeros(0, dtype=bool)
        self._norms = np.zeros(0, dtype=np.float64)

    @property
    def size(self) -> int:
        """One past the highest lid the matrix has a row for."""
        return int(self._present.size)

    def put(self, lid: int, value: Any) -> None:
        """Set ``lid``'s tensor from its canonical JSON (``values`` or ``cells``)."""
        if value is None:
            self.remove(lid)
            return
        self._matrix = grown(self._matrix, lid + 1, 0.0)
        self._present = grown(self._present, lid + 1, False)
        self._norms = grown(self._norms, lid + 1, 0.0)
        self._matrix[lid] = self._flat_cells(value)
        self._present[lid] = True
        self._norms[lid] = row_norms(self._matrix[lid : lid + 1])[0]

    def remove(self, lid: int) -> None:
        """Clear ``lid``'s tensor."""
        if lid < self._present.size:
            self._present[lid] = False
            self._matrix[lid] = 0.0
            self._norms[lid] = 0.0

    def presence_for(self, lids: LidArray) -> npt.NDArray[np.bool_]:
        """Return whether each lid holds a tensor."""
        out = np.zeros(lids.size, dtype=bool)
        inside = lids < self._present.size
        out[inside] = self._present[lids[inside]]
        return out

    def vectors_for(self, lids: LidArray) -> npt.NDArray[np.float32]:
        """Return the ``(len(lids), cells)`` matrix of the lids' tensors (zeros if missing).

        The result may be a view of the attribute's own matrix: read it, never write it.
        """
        if lids.size >= _RUN_FROM and _is_run(lids) and int(lids[-1]) < self._present.size:
            # An exact scan over every document asks for a run of lids: slicing avoids
            # copying the whole matrix per query.
            first = int(lids[0])
            return self._matrix[first : first + lids.size]
        try:
            return self._matrix[lids]  # the matrix has a row for every lid below its size
        except IndexError:
            out = np.zeros((lids.size, self.cells), dtype=np.float32)
            inside = lids < self._present.size
            out[inside] = self._matrix[lids[inside]]
            return out

    def norms_for(self, lids: LidArray) -> npt.NDArray[np.float64]:
        """Return the Euclidean norm of each lid's tensor (0 where missing)."""
        if lids.size == 0 or int(lids.max()) < self._present.size:
            return self._norms[lids]
        out = np.zeros(lids.size, dtype=np.float64)
        inside = lids < self._present.size
        out[inside] = self._norms[lids[inside]]
        return out

    def rows(self) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float64]]:
        """Return the whole matrix and its row norms, by lid up to :attr:`size` (views:
        read them, never write them); rows of lids without a tensor are zeros."""
        size = self._present.size
        return self._matrix[:size], self._norms[:size]

    def save_state(self) -> Arrays:
        """A copy of the matrix and presence (for a snapshot)."""
        size = self._present.size
        return {"matrix": self._matrix[:size].copy(), "present": self._present.copy()}

    def load_state(self, arrays: Arrays) -> None:
        """Take back what :meth:`save_state` returned."""
        matrix = np.array(arrays["matrix"], dtype=np.float32)
        present = np.array(arrays["present"], dtype=bool)
        if matrix.shape != (present.size, self.cells):
            raise ValueError(f"{self.name}: matrix of shape {matrix.shape} for {self.cells} cells")
        self._matrix, self._present = matrix, present
        self._norms = row_norms(matrix)

    def _flat_cells(self, value: Any) -> npt.NDArray[np.float32]:
        if isinstance(value, Mapping) and "values" in value:
            flat = np.asarray(value["values"], dtype=np.float32).reshape(-1)
        elif isinstance(value, Mapping) and "cells" in value:
            flat = np.zeros(self.cells, dtype=np.float32)
            for cell in value["cells"]:
                flat[self._offset(cell["address"])] = float(cell["value"])
        else:
            flat = np.asarray(value, dtype=np.float32).reshape(-1)
        if flat.size != self.cells:
            raise ValueError(f"{self.name}: expected {self.cells} cells, got {flat.size}")
        return flat

    def _offset(self, address: Mapping[str, Any]) -> int:
        offset = 0
        for dim in self.tensor_type.indexed:
            offset = offset * (dim.size or 1) + int(address[dim.name])
        return offset


_RUN_FROM = 64
"""From this many lids, checking for a run (and slicing) beats a gather."""


def row_norms(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Each row's Euclidean norm, summed in float64 (the one formula every angular
    distance uses, so stored and freshly computed norms agree to the bit)."""
    norms: npt.NDArray[np.float64] = np.sqrt(np.einsum("ij,ij->i", rows, rows, dtype=np.float64))
    return norms


def _is_run(lids: LidArray) -> bool:
    """Whether ``lids`` is first, first + 1, ..., first + len - 1."""
    first = int(lids[0])
    return int(lids[-1]) - first == lids.size - 1 and bool(
        np.array_equal(lids, np.arange(first, first + lids.size, dtype=lids.dtype))
    )


class MappedTensorAttribute:
    """Tensors with mapped dimensions, kept as canonical JSON per lid."""

    def __init__(self, name: str, tensor_type: TensorType) -> None:
        self.name = name
        self.tensor_type = tensor_type
        self._values: dict[int, Any] = {}

    def put(self, lid: int, value: Any) -> None:
        """Set ``lid``'s tensor (canonical JSON); None clears it."""
        if value is None:
            self.remove(lid)
        else:
            self._values[lid] = value

    def remove(self, lid: int) -> None:
        """Clear ``lid``'s tensor."""
        self._values.pop(lid, None)

    def value_of(self, lid: int) -> Any:
        """Return ``lid``'s tensor JSON, None when missing."""
        return self._values.get(lid)

    def save_state(self) -> Arrays:
        """The tensors as JSON bytes (for a snapshot)."""
        pairs = sorted(self._values.items())
        return {"json": np.frombuffer(orjson.dumps(pairs), dtype=np.uint8)}

    def load_state(self, arrays: Arrays) -> None:
        """Take back what :meth:`save_state` returned."""
        self._values = {int(lid): value for lid, value in orjson.loads(arrays["json"].tobytes())}
