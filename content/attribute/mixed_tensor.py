"""Tensor attributes with one mapped dimension: a dense block per label, per document.

A type like ``tensor<float>(p{},x[384])`` holds one dense vector per label of ``p``
(Vespa's multi-vector fields: paragraph embeddings); ``tensor(cat{})`` (a sparse
feature vector) is the same with blocks of one cell. The blocks of all documents live
in one growable float32 matrix, with the owning lid, a label code and a validity flag
per row; a put appends the document's vectors and invalidates its previous rows, and the
matrix is compacted when more than half its rows are dead. nearestNeighbor ranks a
document by its closest vector (Vespa's semantics for mixed tensors); ranking reads
the blocks of a candidate batch straight from the matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from content.attribute.base import Arrays, LidArray, grown, moved_slices, slices_of
from vespid.document.tensor_type import TensorType


class MixedTensorAttribute:
    """Tensors with one mapped and some indexed dimensions, by lid."""

    def __init__(self, name: str, tensor_type: TensorType) -> None:
        self.name = name
        self.tensor_type = tensor_type
        self.mapped = tensor_type.mapped[0].name
        self.query_type = TensorType(tensor_type.cell_type, tensor_type.indexed)
        """The type of one subspace: what a nearestNeighbor query tensor must have."""
        self.cells = tensor_type.dense_size
        self._rows = np.zeros((0, self.cells), dtype=np.float32)
        self._owners = np.zeros(0, dtype=np.uint32)
        self._live = np.zeros(0, dtype=bool)
        self._present = np.zeros(0, dtype=bool)
        self._codes = np.zeros(0, dtype=np.int32)
        self._names: list[str] = []
        self._name_codes: dict[str, int] = {}
        self._used = 0
        self._dead = 0
        self._slices: dict[int, tuple[int, int]] = {}

    def put(self, lid: int, value: Any) -> None:
        """Set ``lid``'s tensor from canonical JSON (``cells`` with full addresses)."""
        self.remove(lid)
        if value is None:
            return
        vectors = self._subspaces(value)
        if not vectors:
            return
        start, stop = self._used, self._used + len(vectors)
        self._rows = grown(self._rows, stop, 0.0)
        self._owners = grown(self._owners, stop, 0)
        self._live = grown(self._live, stop, False)
        self._rows[start:stop] = np.stack(list(vectors.values()))
        self._codes = grown(self._codes, stop, 0)
        self._codes[start:stop] = [self._code(label) for label in vectors]
        self._owners[start:stop] = lid
        self._live[start:stop] = True
        self._present = grown(self._present, lid + 1, False)
        self._present[lid] = True
        self._used = stop
        self._slices[lid] = (start, stop)

    def remove(self, lid: int) -> None:
        """Clear ``lid``'s tensor."""
        where = self._slices.pop(lid, None)
        if where is None:
            return
        self._present[lid] = False
        self._live[where[0] : where[1]] = False
        self._dead += where[1] - where[0]
        if self._dead * 2 > self._used:
            self._compact()

    def presence_for(self, lids: LidArray) -> npt.NDArray[np.bool_]:
        """Return whether each lid holds at least one vector."""
        out = np.zeros(lids.size, dtype=bool)
        inside = lids < self._present.size
        out[inside] = self._present[lids[inside]]
        return out

    def rows_for(self, lids: LidArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Return the row numbers of the vectors of the sorted ``lids`` and, per row, the
        position of its lid in ``lids``."""
        live = np.flatnonzero(self._live[: self._used])
        if lids.size == 0:
            return live[:0], live[:0]
        owners = self._owners[live]
        position = np.minimum(np.searchsorted(lids, owners), lids.size - 1)
        inside = lids[position] == owners
        return live[inside], position[inside]

    def vectors(self, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.float32]:
        """Return the vectors of ``rows`` (from :meth:`rows_for`)."""
        return self._rows[rows]

    def label(self, row: int) -> str:
        """Return the mapped label of one row."""
        return self._names[int(self._codes[row])]

    def label_codes(self, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.int32]:
        """Return the label code of each row (see :meth:`label_name`)."""
        return self._codes[rows]

    def label_name(self, code: int) -> str:
        """Return the label a code stands for."""
        return self._names[code]

    def save_state(self) -> Arrays:
        """A copy of the live vectors, compacted, and the labels (for a snapshot)."""
        keep = np.flatnonzero(self._live[: self._used])
        return {
            "rows": self._rows[keep],
            "owners": self._owners[keep],
            "codes": self._codes[keep],
            "present": self._present.copy(),
            "names": np.frombuffer(orjson.dumps(self._names), dtype=np.uint8),
        }

    def load_state(self, arrays: Arrays) -> None:
        """Take back what :meth:`save_state` returned."""
        rows = np.array(arrays["rows"], dtype=np.float32)
        owners = np.array(arrays["owners"], dtype=np.uint32)
        codes = np.array(arrays["codes"], dtype=np.int32)
        if rows.shape != (owners.size, self.cells) or codes.size != owners.size:
            raise ValueError(f"{self.name}: vector columns do not fit together")
        self._names = [str(n) for n in orjson.loads(arrays["names"].tobytes())]
        self._name_codes = {name: code for code, name in enumerate(self._names)}
        self._rows, self._owners, self._codes = rows, owners, codes
        self._present = np.array(arrays["present"], dtype=bool)
        self._used = int(owners.size)
        self._live = np.ones(self._used, dtype=bool)
        self._dead = 0
        self._slices = slices_of(owners)

    def _code(self, label: str) -> int:
        code = self._name_codes.get(label)
        if code is None:
            code = self._name_codes[label] = len(self._names)
            self._names.append(label)
        return code

    def _subspaces(self, value: Mapping[str, Any]) -> dict[str, npt.NDArray[np.float32]]:
        vectors: dict[str, npt.NDArray[np.float32]] = {}
        for cell in value.get("cells", []):
            address = cell["address"]
            label = str(address[self.mapped])
            vector = vectors.get(label)
            if vector is None:
                vector = vectors[label] = np.zeros(self.cells, dtype=np.float32)
            offset = 0
            for dim in self.tensor_type.indexed:
                offset = offset * (dim.size or 1) + int(address[dim.name])
            vector[offset] = float(cell["value"])
        return vectors

    def _compact(self) -> None:
        keep = np.flatnonzero(self._live[: self._used])
        self._rows = self._rows[keep]
        self._owners = self._owners[keep]
        self._codes = self._codes[keep]
        self._live = np.ones(keep.size, dtype=bool)
        self._used = int(keep.size)
        self._dead = 0
        self._slices = moved_slices(self._owners, self._slices)
