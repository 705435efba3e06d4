"""Tensor functions beyond join, map and reduce: merge, rename, concat, expand, cell_cast,
cell_order, top, unpack_bits and the composites (l2_normalize, softmax, matmul, argmax...).

Each takes and returns `Tensor` values batched as described in `vespid.expression.tensor`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vespid.expression import functions as fn
from vespid.expression.errors import ExpressionEvaluationError
from vespid.expression.tensor import Address, Tensor, round_cells
from vespid.expression.tensor_ops import (
    CellFn,
    common_batch,
    compute_cell_type,
    join,
    join_type,
    map_cells,
    reduce,
    sum_of_product,
)
from vespid.expression.tensor_type import Dimension, TensorType


def merge(a: Tensor, b: Tensor, op: CellFn) -> Tensor:
    """Vespa's merge: the cells of both; ``op`` where both have the cell. Indexed dimensions
    of different sizes give the larger size."""
    if (
        a.type.dimension_names != b.type.dimension_names
        or a.type.mapped_names != b.type.mapped_names
    ):
        raise ExpressionEvaluationError(f"cannot merge {a.type} with {b.type}: dimensions differ")
    shape = tuple(max(x, y) for x, y in zip(a.type.dense_shape, b.type.dense_shape, strict=True))
    labels = list(dict.fromkeys((*a.labels, *b.labels)))
    batch = common_batch(a.batch, b.batch)
    left, left_mask = _padded(a, labels, batch, shape)
    right, right_mask = _padded(b, labels, batch, shape)
    both = np.asarray(op(left, right), dtype=np.float64)
    cells = np.where(left_mask & right_mask, both, np.where(left_mask, left, right))
    batch = cells.shape[0]
    dims = tuple(Dimension(d.name, s) for d, s in zip(a.type.indexed, shape, strict=True))
    mapped = tuple(d for d in a.type.dimensions if d.mapped)
    result_type = TensorType(fn_cell_type(a, b), (*mapped, *dims))
    either = np.broadcast_to(left_mask | right_mask, cells.shape)
    present = np.asarray(either.reshape(batch, len(labels), int(np.prod(shape))).any(axis=2))
    batched = a.batched or b.batched or batch != 1
    return Tensor(result_type, labels, cells, present, batched=batched)


def _padded(
    t: Tensor, labels: Sequence[Address], batch: int, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """``t``'s cells on ``labels`` and dense ``shape``, with a mask of the cells it has."""
    cells, present = on_labels(t, labels, batch)
    pad = [
        (0, 0),
        (0, 0),
        *((0, s - own) for s, own in zip(shape, t.type.dense_shape, strict=True)),
    ]
    mask = np.broadcast_to(present[(..., *(np.newaxis,) * len(shape))], cells.shape)
    return np.pad(cells, pad), np.pad(mask, pad)


def fn_cell_type(a: Tensor, b: Tensor) -> str:
    """The cell type of combining ``a`` and ``b`` cell by cell."""
    return join_type(a.type, b.type).cell_type


def on_labels(t: Tensor, labels: Sequence[Address], batch: int) -> tuple[np.ndarray, np.ndarray]:
    """``t``'s cells and presence laid out on ``labels`` (absent where ``t`` lacks a
    subspace), broadcast to ``batch`` candidates."""
    position = {label: s for s, label in enumerate(t.labels)}
    cells = np.zeros((batch, len(labels), *t.type.dense_shape))
    present = np.zeros((batch, len(labels)), dtype=bool)
    for s, label in enumerate(labels):
        own = position.get(label)
        if own is not None:
            cells[:, s] = t.cells[:, own]
            present[:, s] = t.present[:, own]
    return cells, present


def rename(t: Tensor, from_: Sequence[str], to: Sequence[str]) -> Tensor:
    """Vespa's rename: dimension ``from_[i]`` is called ``to[i]``."""
    mapping = dict(zip(from_, to, strict=True))
    for name in from_:
        if t.type.dimension(name) is None:
            raise ExpressionEvaluationError(f"cannot rename dimension '{name}' of {t.type}")
    renamed = [Dimension(mapping.get(d.name, d.name), d.size) for d in t.type.dimensions]
    if len({d.name for d in renamed}) != len(renamed):
        raise ExpressionEvaluationError(f"renaming {t.type} gives a dimension name twice")
    result_type = TensorType(t.type.cell_type, tuple(renamed))
    new_names = [d.name for d in renamed]
    mapped_order = [new_names.index(n) for n in result_type.mapped_names]
    old_mapped = [i for i, d in enumerate(t.type.dimensions) if d.mapped]
    label_order = [old_mapped.index(i) for i in mapped_order]
    labels = [tuple(label[k] for k in label_order) for label in t.labels]
    old_indexed = [i for i, d in enumerate(t.type.dimensions) if not d.mapped]
    new_indexed = [new_names.index(n) for n in (d.name for d in result_type.indexed)]
    axes = [0, 1, *(2 + old_indexed.index(i) for i in new_indexed)]
    return Tensor(result_type, labels, t.cells.transpose(axes), t.present, batched=t.batched)


def expand(t: Tensor, dimension: str) -> Tensor:
    """Add the indexed dimension ``dimension`` of size 1."""
    if t.type.dimension(dimension) is not None:
        raise ExpressionEvaluationError(f"cannot expand {t.type} with '{dimension}': it exists")
    one = Tensor(TensorType("double", (Dimension(dimension, 1),)), [()], np.ones((1, 1, 1)))
    result = join(t, one, fn.BINARY_OPERATORS["*"])
    return Tensor(
        TensorType(t.type.cell_type, result.type.dimensions),
        result.labels,
        result.cells,
        result.present,
        batched=result.batched,
    )


def concat(a: Tensor, b: Tensor, dimension: str) -> Tensor:
    """Vespa's concat along an indexed ``dimension`` (added to an input that lacks it)."""
    for t in (a, b):
        existing = t.type.dimension(dimension)
        if existing is not None and existing.mapped:
            raise ExpressionEvaluationError(
                f"cannot concat along '{dimension}': it is mapped in {t.type}"
            )
    a = a if a.type.dimension(dimension) is not None else expand(a, dimension)
    b = b if b.type.dimension(dimension) is not None else expand(b, dimension)
    others_a = [d for d in a.type.dimensions if d.name != dimension]
    others_b = [d for d in b.type.dimensions if d.name != dimension]
    if others_a != others_b:
        raise ExpressionEvaluationError(
            f"cannot concat {a.type} with {b.type} along '{dimension}': other dimensions differ"
        )
    axis = 2 + [d.name for d in a.type.indexed].index(dimension)
    labels = [label for label in a.labels if label in set(b.labels)]
    batch = common_batch(a.batch, b.batch)
    left, left_present = on_labels(a, labels, batch)
    right, right_present = on_labels(b, labels, batch)
    size = left.shape[axis] + right.shape[axis]
    dims = [*others_a, Dimension(dimension, size)]
    result_type = TensorType(fn_cell_type(a, b), tuple(dims))
    cells = np.concatenate([left, right], axis=axis)
    present = left_present & right_present
    return Tensor(result_type, labels, cells, present, batched=a.batched or b.batched)


def cell_cast(t: Tensor, cell_type: str) -> Tensor:
    """The same cells in another cell type (rounded to it)."""
    result_type = TensorType(cell_type, t.type.dimensions)
    cells = round_cells(t.cells, cell_type)
    return Tensor(result_type, t.labels, cells, t.present, batched=t.batched)


def cell_order(t: Tensor, order: str) -> Tensor:
    """Each cell's rank among its candidate's cells: 0 for the largest (``max``) or smallest."""
    flat = t.cells.reshape(t.batch, _cells_per_candidate(t))
    present = _flat_present(t)
    key = np.where(present, -flat if order == "max" else flat, np.inf)
    ranks = np.empty_like(flat)
    ordering = np.argsort(key, axis=1, kind="stable")
    np.put_along_axis(
        ranks, ordering, np.arange(flat.shape[1], dtype=np.float64)[np.newaxis], axis=1
    )
    result_type = TensorType(compute_cell_type(t.type.cell_type), t.type.dimensions)
    return Tensor(result_type, t.labels, ranks.reshape(t.cells.shape), t.present, batched=t.batched)


def _flat_present(t: Tensor) -> np.ndarray:
    extra = (np.newaxis,) * len(t.type.dense_shape)
    mask = np.broadcast_to(t.present[(..., *extra)], t.cells.shape)
    return mask.reshape(t.batch, _cells_per_candidate(t))


def _cells_per_candidate(t: Tensor) -> int:
    return int(np.prod(t.cells.shape[1:]))


def top(count: float, t: Tensor) -> Tensor:
    """The ``count`` largest cells of a tensor with only mapped dimensions."""
    if t.type.indexed:
        raise ExpressionEvaluationError(f"top needs only mapped dimensions, got {t.type}")
    ranks = cell_order(t, "max").cells
    return Tensor(t.type, t.labels, t.cells, t.present & (ranks < count), batched=t.batched)


def unpack_bits(t: Tensor, cell_type: str = "float", endian: str = "big") -> Tensor:
    """Each int8 cell of the innermost indexed dimension becomes 8 cells of 0/1."""
    if not t.type.indexed:
        raise ExpressionEvaluationError(f"unpack_bits needs an indexed dimension, got {t.type}")
    last = t.type.indexed[-1]
    bits = np.unpackbits(
        round_cells(t.cells, "int8").astype(np.int8).view(np.uint8),
        axis=-1,
        bitorder="big" if endian == "big" else "little",
    ).astype(np.float64)
    dims = [d for d in t.type.dimensions if d.name != last.name]
    result_type = TensorType(cell_type, (*dims, Dimension(last.name, (last.size or 0) * 8)))
    return Tensor(result_type, t.labels, bits, t.present, batched=t.batched)


def l2_normalize(t: Tensor, dimension: str) -> Tensor:
    """``t / sqrt(sum(t * t, dimension))``."""
    norm = map_cells(sum_of_product(t, t, (dimension,)), np.sqrt)
    return join(t, norm, fn.BINARY_OPERATORS["/"])


def l1_normalize(t: Tensor, dimension: str) -> Tensor:
    """``t / sum(t, dimension)``."""
    return join(t, reduce(t, "sum", (dimension,)), fn.BINARY_OPERATORS["/"])


def softmax(t: Tensor, dimension: str) -> Tensor:
    """``exp(t) / sum(exp(t), dimension)``."""
    exponent = map_cells(t, fn.UNARY_FUNCTIONS["exp"])
    return join(exponent, reduce(exponent, "sum", (dimension,)), fn.BINARY_OPERATORS["/"])


def matmul(a: Tensor, b: Tensor, dimension: str) -> Tensor:
    """``sum(a * b, dimension)``."""
    return sum_of_product(a, b, (dimension,))


def xw_plus_b(x: Tensor, w: Tensor, b: Tensor, dimension: str) -> Tensor:
    """``sum(x * w, dimension) + b``."""
    return join(matmul(x, w, dimension), b, fn.BINARY_OPERATORS["+"])


def arg_extreme(t: Tensor, aggregator: str, dimensions: Sequence[str]) -> Tensor:
    """argmax/argmin: 1 where a cell equals the max (min) over ``dimensions``, else 0."""
    extreme = reduce(t, aggregator, dimensions)
    return join(t, extreme, fn.BINARY_OPERATORS["=="])
