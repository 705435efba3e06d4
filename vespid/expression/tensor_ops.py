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
            dimensions[d.name] = Dimension(d.name)
        elif other is None or (
            d.size is not None and other.size is not None and d.size < other.size
        ):
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
    """Vespa's join: ``op`` on every pair of cells whose common dimensions agree. A dimension
    mapped in one and indexed in the other is mapped in the result (as Vespa's Java
    evaluator generalizes it)."""
    result_type = join_type(a.type, b.type)
    a, b = as_mapped(a, result_type), as_mapped(b, result_type)
    ia, ib, labels = _match_subspaces(a, b, result_type)
    left = _expand_dense(take_subspaces(a.cells, ia), a.type, result_type)
    right = _expand_dense(take_subspaces(b.cells, ib), b.type, result_type)
    cells = np.asarray(op(left, right), dtype=np.float64)
    present = take_subspaces(a.present, ia) & take_subspaces(b.present, ib)
    batch = common_batch(a.batch, b.batch, cells.shape[0] if cells.ndim else 1)
    cells = np.broadcast_to(cells, (batch, len(labels), *result_type.dense_shape))
    batched = a.batched or b.batched or batch != 1
    return Tensor(result_type, labels, cells, present, batched=batched)


def common_batch(*sizes: int) -> int:
    """The batch size values of these batch sizes broadcast to: 1 (shared) unless one is
    per candidate (n, which may be 0)."""
    return next((s for s in sizes if s != 1), 1)


def as_mapped(t: Tensor, target: TensorType) -> Tensor:
    """``t`` with each indexed dimension that is mapped in ``target`` turned mapped: every
    index becomes a label and a subspace of its own."""
    names = [d.name for d in t.type.indexed if (td := target.dimension(d.name)) and td.mapped]
    for name in names:
        t = _index_to_label(t, name)
    return t


def _index_to_label(t: Tensor, name: str) -> Tensor:
    axis = 2 + [d.name for d in t.type.indexed].index(name)
    size = t.cells.shape[axis]
    cells = np.moveaxis(t.cells, axis, 2)
    cells = cells.reshape(cells.shape[0], cells.shape[1] * size, *cells.shape[3:])
    dims = tuple(Dimension(d.name) if d.name == name else d for d in t.type.dimensions)
    new_type = TensorType(t.type.cell_type, dims)
    position = new_type.mapped_names.index(name)
    labels = [(*old[:position], str(i), *old[position:]) for old in t.labels for i in range(size)]
    present = np.repeat(t.present, size, axis=1)
    return Tensor(new_type, labels, cells, present, batched=t.batched)


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


def take_subspaces(array: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``array[:, index]``, without a copy when ``index`` takes every subspace in order."""
    if len(index) == array.shape[1] and bool((index == np.arange(len(index))).all()):
        return array
    return array[:, index]


def _expand_dense(cells: np.ndarray, own: TensorType, result: TensorType) -> np.ndarray:
    """Give ``cells`` (B, S, *own dense) one axis per dense dimension of ``result``."""
    index: list[slice | None] = [slice(None), slice(None)]
    for d in result.indexed:
        mine = own.dimension(d.name)
        index.append(None if mine is None else slice(0, d.size))
    return cells[tuple(index)]


def map_cells(t: Tensor, op: Callable[[Any], Any]) -> Tensor:
    """Vespa's map: ``op`` on every cell."""
    cells, _ = np.broadcast_arrays(np.asarray(op(t.cells), dtype=np.float64), t.cells)
    result_type = TensorType(compute_cell_type(t.type.cell_type), t.type.dimensions)
    batched = t.batched or cells.shape[0] != t.batch
    return Tensor(result_type, t.labels, cells, t.present, batched=batched)


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
    mask = None if t.present.all() else _cell_mask(t)
    if not any(t.type.dimension(n).mapped for n in names):  # type: ignore[union-attr]
        cells = _aggregate(t.cells, mask, dense_axes, aggregator)
        return Tensor(result_type, t.labels, cells, t.present, batched=t.batched)
    groups = _group_subspaces(t, result_type.mapped_names)
    blocks, present = [], []
    for indexes in groups.values():
        selected = np.array(indexes, dtype=np.intp)
        blocks.append(
            _aggregate(
                t.cells[:, selected],
                None if mask is None else mask[:, selected],
                (1, *dense_axes),
                aggregator,
            )
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
    cells: np.ndarray, mask: np.ndarray | None, axes: tuple[int, ...], aggregator: str
) -> np.ndarray:
    """Aggregate ``cells`` over ``axes``; ``mask`` marks the cells that exist (None: all)."""
    if not axes:
        if aggregator == "count":
            return np.ones(cells.shape) if mask is None else mask.astype(np.float64)
        return _fill(cells, mask, 0.0)
    count = _count(cells, mask, axes)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if aggregator == "count":
            return count
        if aggregator in ("sum", "avg"):
            total = np.asarray(_fill(cells, mask, 0.0).sum(axis=axes), dtype=np.float64)
            if aggregator == "sum":
                return total
            return np.asarray(np.where(count > 0, total / np.maximum(count, 1.0), 0.0))
        if aggregator == "prod":
            return np.asarray(_fill(cells, mask, 1.0).prod(axis=axes), dtype=np.float64)
        if aggregator == "max":
            value = _fill(cells, mask, -np.inf).max(axis=axes)
        elif aggregator == "min":
            value = _fill(cells, mask, np.inf).min(axis=axes)
        elif aggregator == "median":
            value = np.nanmedian(_fill(cells, mask, np.nan), axis=axes)
        else:
            raise ExpressionEvaluationError(f"unknown aggregator '{aggregator}'")
    return np.asarray(np.where(count > 0, value, 0.0), dtype=np.float64)


def _fill(cells: np.ndarray, mask: np.ndarray | None, neutral: float) -> np.ndarray:
    return cells if mask is None else np.asarray(np.where(mask, cells, neutral))


def _count(cells: np.ndarray, mask: np.ndarray | None, axes: tuple[int, ...]) -> np.ndarray:
    if mask is not None:
        return np.asarray(mask.sum(axis=axes), dtype=np.float64)
    shape = [s for k, s in enumerate(cells.shape) if k not in axes]
    return np.full(shape, float(np.prod([cells.shape[k] for k in axes])))


def sum_of_product(a: Tensor, b: Tensor, dimensions: Sequence[str] = ()) -> Tensor:
    """``reduce(join(a, b, *), sum, dimensions)`` without building the joined cells: one
    batched matrix product over the matched subspaces (a dot product per candidate, a
    matmul...)."""
    joined = join_type(a.type, b.type)
    names = set(dimensions) or set(joined.dimension_names)
    for name in names:
        if joined.dimension(name) is None:
            raise ExpressionEvaluationError(
                f"cannot reduce {joined} over dimension '{name}': it has no such dimension"
            )
    a, b = as_mapped(a, joined), as_mapped(b, joined)
    ia, ib, labels = _match_subspaces(a, b, joined)
    letters = {d.name: chr(ord("A") + k) for k, d in enumerate(joined.indexed)}
    kept_dense = "".join(letters[d.name] for d in joined.indexed if d.name not in names)
    batch = common_batch(a.batch, b.batch)
    left, left_script = _einsum_operand(a, ia, joined, letters)
    right, right_script = _einsum_operand(b, ib, joined, letters)
    out = ("z" if batch != 1 else "") + "s" + kept_dense
    summed = contract(left, left_script, right, right_script, out)
    summed = summed.reshape(batch, len(labels), *summed.shape[len(out) - len(kept_dense) :])
    both = take_subspaces(a.present, ia) & take_subspaces(b.present, ib)
    present = np.broadcast_to(both, (batch, len(labels)))
    batched = a.batched or b.batched
    mapped_reduced = [n for n in joined.mapped_names if n in names]
    if mapped_reduced:
        per_subspace = tuple(d for d in joined.dimensions if d.name not in names or d.mapped)
        pairs = Tensor(
            TensorType(joined.cell_type, per_subspace), labels, summed, present, batched=batched
        )
        return reduce(pairs, "sum", mapped_reduced)
    kept = tuple(d for d in joined.dimensions if d.name not in names)
    result_type = TensorType(joined.cell_type if kept else "double", kept)
    return Tensor(result_type, labels, summed, present, batched=batched)


def _einsum_operand(
    t: Tensor, index: np.ndarray, joined: TensorType, letters: dict[str, str]
) -> tuple[np.ndarray, str]:
    cells = take_subspaces(t.cells, index)
    if not t.present.all():
        cells = np.where(take_subspaces(_cell_mask(t), index), cells, 0.0)
    slices: list[slice] = [slice(None), slice(None)]
    script = "zs"
    for d in t.type.indexed:
        size = joined.dimension(d.name).size  # type: ignore[union-attr]
        slices.append(slice(0, size))
        script += letters[d.name]
    cells = cells[tuple(slices)]
    if t.batch == 1:
        return cells[0], script[1:]
    return cells, script


def contract(left: np.ndarray, ls: str, right: np.ndarray, rs: str, out: str) -> np.ndarray:
    """``np.einsum(f"{ls},{rs}->{out}", left, right)`` for one product, done as one batched
    matrix multiplication so BLAS does the work (einsum's own loops are far slower)."""
    left, ls = _sum_out(left, ls, rs + out)
    right, rs = _sum_out(right, rs, ls + out)
    batch = [c for c in ls if c in rs and c in out]
    summed = [c for c in ls if c in rs and c not in out]
    left_free = [c for c in ls if c not in rs]
    right_free = [c for c in rs if c not in ls]
    sizes = {**dict(zip(ls, left.shape, strict=True)), **dict(zip(rs, right.shape, strict=True))}
    a = left.transpose([ls.index(c) for c in (*batch, *left_free, *summed)])
    b = right.transpose([rs.index(c) for c in (*batch, *summed, *right_free)])
    n_batch = int(np.prod([sizes[c] for c in batch]))
    n_left = int(np.prod([sizes[c] for c in left_free]))
    n_sum = int(np.prod([sizes[c] for c in summed]))
    n_right = int(np.prod([sizes[c] for c in right_free]))
    product = a.reshape(n_batch, n_left, n_sum) @ b.reshape(n_batch, n_sum, n_right)
    order = [*batch, *left_free, *right_free]
    product = product.reshape([sizes[c] for c in order])
    return np.asarray(product.transpose([order.index(c) for c in out]))


def _sum_out(cells: np.ndarray, script: str, needed: str) -> tuple[np.ndarray, str]:
    """Sum away the axes of ``cells`` whose letters appear nowhere in ``needed``."""
    axes = tuple(k for k, c in enumerate(script) if c not in needed)
    if not axes:
        return cells, script
    return cells.sum(axis=axes), "".join(c for c in script if c in needed)
