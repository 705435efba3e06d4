"""The tensor operations everything else is built from: join, map and reduce.

Each works on whole batches: labels are matched once per distinct subspace in Python,
cells are combined for every candidate at once in numpy. Results without dimensions
come back as plain values (a float, or an array of shape (n,)), so scalar arithmetic
stays scalar.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from vespid.expression.errors import ExpressionEvaluationError
from vespid.expression.tensor import Address, Tensor
from vespid.expression.tensor_type import Dimension, TensorType

CellFn = Callable[[Any, Any], Any]
"""A cell function over numpy arrays (a binary operator or a compiled lambda)."""


def join_cell_type(a: str, b: str) -> str:
    """Vespa's cell type of a join: double if either is double, else float."""
    return "double" if "double" in (a, b) else "float"


def join_type(a: TensorType, b: TensorType) -> TensorType:
    """The type of joining ``a`` and ``b``: the union of their dimensions."""
    dimensions: dict[str, Dimension] = {d.name: d for d in a.dimensions}
    for d in b.dimensions:
        other = dimensions.get(d.name)
        if other is not None and other.mapped != d.mapped:
            raise ExpressionEvaluationError(
                f"cannot join {a} with {b}: dimension {d.name} is mapped in one and indexed "
                "in the other"
            )
        if other is None or (d.size is not None and other.size is not None and d.size < other.size):
            dimensions[d.name] = d
    if not dimensions:
        return TensorType("double")
    if a.dimensions and b.dimensions:
        cell_type = join_cell_type(a.cell_type, b.cell_type)
    else:
        cell_type = compute_cell_type((a if a.dimensions else b).cell_type)
    return TensorType(cell_type, tuple(dimensions.values()))


def compute_cell_type(cell_type: str) -> str:
    """The cell type of computing on ``cell_type`` cells: int8 and bfloat16 give float."""
    return "double" if cell_type == "double" else "float"


def join(a: Tensor, b: Tensor, op: CellFn) -> Tensor:
    """Vespa's join: ``op`` on every pair of cells whose common dimensions agree."""
    result_type = join_type(a.type, b.type)
    ia, ib, labels = _match_subspaces(a, b, result_type)
    left = _expand_dense(a.cells[:, ia], a.type, result_type)
    right = _expand_dense(b.cells[:, ib], b.type, result_type)
    cells = np.asarray(op(left, right), dtype=np.float64)
    present = a.present[:, ia] & b.present[:, ib]
    batch = max(a.batch, b.batch)
    cells = np.broadcast_to(cells, (batch, len(labels), *result_type.dense_shape))
    return Tensor(result_type, labels, cells, present, batched=a.batched or b.batched)


def _match_subspaces(
    a: Tensor, b: Tensor, result_type: TensorType
) -> tuple[np.ndarray, np.ndarray, list[Address]]:
    a_names, b_names = a.type.mapped_names, b.type.mapped_names
    common = [n for n in a_names if n in b_names]
    a_key = [a_names.index(n) for n in common]
    b_key = [b_names.index(n) for n in common]
    by_key: dict[Address, list[int]] = {}
    for j, labels in enumerate(b.labels):
        by_key.setdefault(tuple(labels[k] for k in b_key), []).append(j)
    result_names = result_type.mapped_names
    ia: list[int] = []
    ib: list[int] = []
    out: list[Address] = []
    for i, a_labels in enumerate(a.labels):
        named = dict(zip(a_names, a_labels, strict=True))
        for j in by_key.get(tuple(a_labels[k] for k in a_key), ()):
            named.update(zip(b_names, b.labels[j], strict=True))
            ia.append(i)
            ib.append(j)
            out.append(tuple(named[n] for n in result_names))
    return np.array(ia, dtype=np.intp), np.array(ib, dtype=np.intp), out


def _expand_dense(cells: np.ndarray, own: TensorType, result: TensorType) -> np.ndarray:
    """Give ``cells`` (B, S, *own dense) one axis per dense dimension of ``result``."""
    index: list[slice | None] = [slice(None), slice(None)]
    for d in result.indexed:
        mine = own.dimension(d.name)
        index.append(None if mine is None else slice(0, d.size))
    return cells[tuple(index)]


def map_cells(t: Tensor, op: Callable[[Any], Any]) -> Tensor:
    """Vespa's map: ``op`` on every cell."""
    cells = np.broadcast_to(np.asarray(op(t.cells), dtype=np.float64), t.cells.shape)
    result_type = TensorType(compute_cell_type(t.type.cell_type), t.type.dimensions)
    return Tensor(result_type, t.labels, cells, t.present, batched=t.batched)


def reduce(t: Tensor, aggregator: str, dimensions: Sequence[str] = ()) -> Tensor:
    """Vespa's reduce over ``dimensions`` (all when empty); an empty set of cells gives 0."""
    names = list(dimensions) or list(t.type.dimension_names)
    for name in names:
        if t.type.dimension(name) is None:
            raise ExpressionEvaluationError(
                f"cannot reduce {t.type} over dimension '{name}': it has no such dimension"
            )
    kept = tuple(d for d in t.type.dimensions if d.name not in names)
    cell_type = t.type.cell_type if kept else "double"
    result_type = TensorType(cell_type, kept)
    dense_axes = tuple(2 + k for k, d in enumerate(t.type.indexed) if d.name in names)
    mask = _cell_mask(t)
    if not any(t.type.dimension(n).mapped for n in names):  # type: ignore[union-attr]
        cells = _aggregate(t.cells, mask, dense_axes, aggregator)
        return Tensor(result_type, t.labels, cells, t.present, batched=t.batched)
    groups = _group_subspaces(t, result_type.mapped_names)
    blocks, present = [], []
    for indexes in groups.values():
        selected = np.array(indexes, dtype=np.intp)
        blocks.append(
            _aggregate(t.cells[:, selected], mask[:, selected], (1, *dense_axes), aggregator)
        )
        present.append(t.present[:, selected].any(axis=1))
    labels = list(groups)
    if not labels and not result_type.mapped_names:
        labels = [()]
    shape = (t.batch, len(labels), *result_type.dense_shape)
    cells = np.stack(blocks, axis=1) if blocks else np.zeros(shape)
    present_array = np.stack(present, axis=1) if present else np.zeros(shape[:2], dtype=bool)
    return Tensor(result_type, labels, cells, present_array, batched=t.batched)


def _cell_mask(t: Tensor) -> np.ndarray:
    extra = (np.newaxis,) * len(t.type.dense_shape)
    return np.broadcast_to(t.present[(..., *extra)], t.cells.shape)


def _group_subspaces(t: Tensor, kept: tuple[str, ...]) -> dict[Address, list[int]]:
    positions = [t.type.mapped_names.index(n) for n in kept]
    groups: dict[Address, list[int]] = {}
    for s, labels in enumerate(t.labels):
        groups.setdefault(tuple(labels[p] for p in positions), []).append(s)
    return groups


def _aggregate(
    cells: np.ndarray, mask: np.ndarray, axes: tuple[int, ...], aggregator: str
) -> np.ndarray:
    if not axes:
        kept = np.where(mask, cells, 0.0) if aggregator != "count" else mask
        return np.asarray(kept, dtype=np.float64)
    count = np.asarray(mask.sum(axis=axes), dtype=np.float64)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if aggregator == "count":
            return count
        if aggregator == "sum":
            return np.asarray(np.where(mask, cells, 0.0).sum(axis=axes), dtype=np.float64)
        if aggregator == "avg":
            total = np.where(mask, cells, 0.0).sum(axis=axes)
            return np.asarray(np.where(count > 0, total / np.maximum(count, 1.0), 0.0))
        if aggregator == "prod":
            return np.asarray(np.where(mask, cells, 1.0).prod(axis=axes), dtype=np.float64)
        if aggregator == "max":
            value = np.where(mask, cells, -np.inf).max(axis=axes)
        elif aggregator == "min":
            value = np.where(mask, cells, np.inf).min(axis=axes)
        elif aggregator == "median":
            value = np.nanmedian(np.where(mask, cells, np.nan), axis=axes)
        else:
            raise ExpressionEvaluationError(f"unknown aggregator '{aggregator}'")
    return np.where(count > 0, value, 0.0)
