"""Tensor values batched over candidate documents.

A `Tensor` holds cells in one float64 numpy array of shape ``(B, S, *dense)``:

- ``B`` is the batch axis: ``n`` when the tensor differs per candidate (``batched``),
  1 when it is the same for all (query inputs, constants, literals);
- ``S`` indexes the *subspaces*: the distinct label combinations of the mapped
  dimensions (``labels[s]`` gives them, in the type's sorted mapped-dimension order);
  a tensor without mapped dimensions has exactly one subspace, ``()``;
- ``*dense`` are the indexed dimensions, one numpy axis each, in sorted name order.

Per-candidate tensors with mapped dimensions rarely share all labels, so
``present[b, s]`` says whether candidate ``b`` has subspace ``s`` at all; absent
subspaces hold 0 and take no part in joins and reductions. Cells of `float`,
`bfloat16` and `int8` tensors are rounded to that cell type when a tensor is made
(and by `cell_cast`); arithmetic runs in float64.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from vespid.expression.errors import TensorTypeError
from vespid.expression.tensor_type import TensorType

Address = tuple[str, ...]
"""Labels of a cell, one per dimension in the type's sorted order (indexes as decimal text)."""


class Tensor:
    """A tensor value, the same for every candidate or one per candidate (see the module)."""

    __slots__ = ("batched", "cells", "labels", "present", "type")

    def __init__(
        self,
        tensor_type: TensorType,
        labels: Sequence[Address],
        cells: np.ndarray,
        present: np.ndarray | None = None,
        *,
        batched: bool = False,
    ) -> None:
        self.type = tensor_type
        self.labels: tuple[Address, ...] = tuple(labels)
        self.cells = np.asarray(cells, dtype=np.float64)
        expected = (len(self.labels), *tensor_type.dense_shape)
        if self.cells.ndim != len(expected) + 1 or self.cells.shape[1:] != expected:
            raise TensorTypeError(
                f"expected cells of shape (batch, {', '.join(map(str, expected))}) for "
                f"{tensor_type}, got {self.cells.shape}"
            )
        if not tensor_type.mapped_names and self.labels != ((),):
            raise TensorTypeError(f"expected the single subspace () for {tensor_type}")
        if present is None:
            present = np.ones(self.cells.shape[:2], dtype=bool)
        self.present = np.broadcast_to(np.asarray(present, dtype=bool), self.cells.shape[:2])
        self.batched = batched

    @property
    def batch(self) -> int:
        """Size of the batch axis: n when batched, else 1."""
        return int(self.cells.shape[0])

    @property
    def values(self) -> np.ndarray:
        """A dense tensor's cells: shape (n, *dense) when batched, else (*dense)."""
        if self.type.mapped_names:
            raise TensorTypeError(f"expected a tensor without mapped dimensions, got {self.type}")
        return self.cells[:, 0] if self.batched else self.cells[0, 0]

    def rounded(self) -> Tensor:
        """This tensor with cells rounded to its cell type."""
        cells = round_cells(self.cells, self.type.cell_type)
        return Tensor(self.type, self.labels, cells, self.present, batched=self.batched)

    def cells_of(self, candidate: int = 0) -> dict[Address, float]:
        """Every present cell of one candidate (of the only one when not batched)."""
        b = candidate if self.batched else 0
        names = self.type.dimension_names
        mapped = self.type.mapped_names
        result: dict[Address, float] = {}
        for s, labels in enumerate(self.labels):
            if not self.present[b, s]:
                continue
            by_name = dict(zip(mapped, labels, strict=True))
            block = self.cells[b, s]
            for index in itertools.product(*(range(k) for k in self.type.dense_shape)):
                by_name.update(
                    (d.name, str(i)) for d, i in zip(self.type.indexed, index, strict=True)
                )
                result[tuple(by_name[n] for n in names)] = float(block[index])
        return result

    def __repr__(self) -> str:
        kind = f"batched over {self.batch}" if self.batched else "shared"
        return f"Tensor({self.type}, {len(self.labels)} subspaces, {kind})"

    @staticmethod
    def from_cells(tensor_type: TensorType, cells: Mapping[Address, float]) -> Tensor:
        """A shared tensor from {address: value}; missing dense cells are 0."""
        return Tensor.stack(tensor_type, [cells], batched=False)

    @staticmethod
    def from_dense(tensor_type: TensorType, values: np.ndarray, *, batched: bool) -> Tensor:
        """A tensor without mapped dimensions from values of shape ([n,] *dense)."""
        exact = tensor_type.cell_type == "double" or (
            tensor_type.cell_type == "float" and np.asarray(values).dtype == np.float32
        )
        values = np.asarray(values, dtype=np.float64)
        if not batched:
            values = values[np.newaxis]
        cells = values.reshape(values.shape[0], 1, *values.shape[1:])
        made = Tensor(tensor_type, [()], cells, batched=batched)
        return made if exact else made.rounded()

    @staticmethod
    def stack(
        tensor_type: TensorType,
        documents: Sequence[Mapping[Address, float]],
        *,
        batched: bool = True,
    ) -> Tensor:
        """A tensor with one candidate per element of ``documents`` ({address: value} each)."""
        mapped = [i for i, d in enumerate(tensor_type.dimensions) if d.mapped]
        dense = [i for i, d in enumerate(tensor_type.dimensions) if not d.mapped]
        index: dict[Address, int] = {} if mapped else {(): 0}
        places: dict[Address, tuple[int, ...]] = {}
        rows: list[int] = []
        spots: list[tuple[int, ...]] = []
        values: list[float] = []
        for b, document in enumerate(documents):
            for address, value in document.items():
                spot = places.get(address)
                if spot is None:
                    _check_address(tensor_type, address)
                    s = index.setdefault(tuple(address[i] for i in mapped), len(index))
                    spot = places[address] = (s, *(int(address[i]) for i in dense))
                rows.append(b)
                spots.append(spot)
                values.append(value)
        cells = np.zeros((len(documents), len(index), *tensor_type.dense_shape))
        present = np.zeros((len(documents), len(index)), dtype=bool)
        if spots:
            at = (np.array(rows), *np.array(spots, dtype=np.intp).T)
            cells[at] = round_cells(np.array(values, dtype=np.float64), tensor_type.cell_type)
            present[at[:2]] = True
        if not mapped:
            present[:] = True
        return Tensor(tensor_type, list(index), cells, present, batched=batched)


def round_cells(cells: np.ndarray, cell_type: str) -> np.ndarray:
    """Round float64 ``cells`` to what ``cell_type`` can hold (bfloat16 keeps 8 bits)."""
    if cell_type == "double":
        return cells
    if cell_type == "float":
        return cells.astype(np.float32).astype(np.float64)
    if cell_type == "bfloat16":
        as_float = np.ascontiguousarray(cells, dtype=np.float32)
        bits = as_float.view(np.uint32)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & np.uint32(0xFFFF0000)
        keep = ~np.isfinite(as_float)
        return np.where(keep, as_float, rounded.view(np.float32)).astype(np.float64)
    with np.errstate(invalid="ignore"):
        finite = np.where(np.isfinite(cells), cells, 0.0)
    return np.trunc(finite).astype(np.int64).astype(np.int8).astype(np.float64)


def _check_address(tensor_type: TensorType, address: Address) -> None:
    if len(address) != len(tensor_type.dimensions):
        raise TensorTypeError(
            f"expected an address with {len(tensor_type.dimensions)} labels for {tensor_type}, "
            f"got {address}"
        )
    for d, label in zip(tensor_type.dimensions, address, strict=True):
        if d.size is not None and not (label.isdigit() and int(label) < d.size):
            raise TensorTypeError(
                f"expected an index in 0..{d.size - 1} for dimension {d.name} of "
                f"{tensor_type}, got '{label}'"
            )
