"""Compilation of tensor literals, generators and cell access (``t{x:1}``, ``t[i]``).

Inside a generator ``tensor(x[3])(body)`` each dimension name is bound to an index
array of shape (1, 1, ..., size, ..., 1), so the body is evaluated once for all cells;
cell access with such arrays gathers cells with numpy's advanced indexing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vespid.expression.ast import Node, Num, Slice, Str, TensorGenerate, TensorLiteral
from vespid.expression.env import CompileFn, Env, Fn
from vespid.expression.errors import ExpressionEvaluationError
from vespid.expression.printer import number_text
from vespid.expression.tensor import Address, Tensor
from vespid.expression.tensor_type import TensorType
from vespid.expression.values import Value, simplify


def compile_literal(node: Node, bound: frozenset[str], compile_child: CompileFn) -> Fn:
    """A tensor literal; one built once when every cell is a number."""
    assert isinstance(node, TensorLiteral)
    tensor_type = node.type
    numbers = {a: float(v.value) for a, v in node.cells if isinstance(v, Num)}
    if len(numbers) == len(node.cells):
        constant = simplify(Tensor.from_cells(tensor_type, numbers))
        return lambda _env: constant
    mapped = [i for i, d in enumerate(tensor_type.dimensions) if d.mapped]
    dense = [i for i, d in enumerate(tensor_type.dimensions) if not d.mapped]
    subspaces: dict[Address, int] = {} if mapped else {(): 0}
    layout: list[tuple[int, ...]] = []
    for address, _ in node.cells:
        s = subspaces.setdefault(tuple(address[i] for i in mapped), len(subspaces))
        layout.append((s, *(int(address[i]) for i in dense)))
    values = [compile_child(v, bound) for _, v in node.cells]
    labels = list(subspaces)

    def evaluate(env: Env) -> Value:
        computed = [_number(f(env), "a tensor literal's cell") for f in values]
        batched = any(np.ndim(v) > 0 for v in computed)
        batch = env.n if batched else 1
        cells = np.zeros((batch, len(labels), *tensor_type.dense_shape))
        present = np.zeros((batch, len(labels)), dtype=bool)
        present[:, [at[0] for at in layout]] = True
        if not mapped:
            present[:] = True
        for at, value in zip(layout, computed, strict=True):
            cells[(slice(None), *at)] = value  # type: ignore[index]
        return simplify(Tensor(tensor_type, labels, cells, present, batched=batched).rounded())

    return evaluate


def compile_generate(node: Node, bound: frozenset[str], compile_child: CompileFn) -> Fn:
    """``tensor(x[2],y[3])(body)``: body evaluated over index grids of every dimension."""
    assert isinstance(node, TensorGenerate)
    tensor_type = node.type
    names = tensor_type.dimension_names
    body = compile_child(node.body, bound | frozenset(names))
    shape = tensor_type.dense_shape
    grids: list[Value] = []
    for k, size in enumerate(shape):
        grid_shape = [1, 1] + [size if j == k else 1 for j in range(len(shape))]
        grids.append(np.arange(size, dtype=np.float64).reshape(grid_shape))

    def evaluate(env: Env) -> Value:
        result = np.asarray(_number(body(env.bind(names, grids)), "a tensor generator"))
        if result.ndim == 1:
            result = result.reshape(-1, *(1,) * (len(shape) + 1))
        batch = result.shape[0] if result.ndim else 1
        cells = np.broadcast_to(result, (batch, 1, *shape))
        batched = result.ndim > 0 and batch != 1
        return simplify(Tensor(tensor_type, [()], cells, batched=batched).rounded())

    return evaluate


def _number(value: Value, where: str) -> Any:
    if isinstance(value, Tensor):
        raise ExpressionEvaluationError(f"expected a number in {where}, got {value.type}")
    return value


def compile_slice(node: Node, bound: frozenset[str], compile_child: CompileFn) -> Fn:
    """Cell or subspace access: ``t{x:a, y:(i+1)}``, ``t{a}``, ``t[i]``."""
    assert isinstance(node, Slice)
    operand = compile_child(node.operand, bound)
    entries = [
        (dim, value.value if isinstance(value, Str) else compile_child(value, bound))
        for dim, value in node.address
    ]

    def evaluate(env: Env) -> Value:
        t = operand(env)
        if not isinstance(t, Tensor):
            raise ExpressionEvaluationError("expected a tensor to take cells of, got a number")
        address = {slice_dimension(t.type, dim, value): value for dim, value in entries}
        resolved = {name: v if isinstance(v, str) else v(env) for name, v in address.items()}
        return _peek(t, resolved)

    return evaluate


def slice_dimension(tensor_type: TensorType, dim: str | None, value: object) -> str:
    """The dimension an address entry names: ``dim``, or for ``t{label}`` the only mapped
    dimension and for ``t[expr]`` the only indexed one."""
    if dim is not None:
        if tensor_type.dimension(dim) is None:
            raise ExpressionEvaluationError(f"{tensor_type} has no dimension '{dim}'")
        return dim
    candidates = tensor_type.mapped_names if isinstance(value, str) else ()
    if not candidates:
        candidates = tuple(d.name for d in tensor_type.indexed) or tensor_type.mapped_names
    if len(candidates) != 1 and len(tensor_type.dimensions) != 1:
        raise ExpressionEvaluationError(
            f"expected a tensor with one dimension for an address without names, got {tensor_type}"
        )
    return candidates[0] if len(candidates) == 1 else tensor_type.dimension_names[0]


def _label(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return number_text(value)
    raise ExpressionEvaluationError("expected a label that is the same for every candidate")


def _peek(t: Tensor, address: dict[str, Any]) -> Value:
    mapped = [(i, n) for i, n in enumerate(t.type.mapped_names) if n in address]
    wanted = {i: _label(address[n]) for i, n in mapped}
    selected = [
        s for s, labels in enumerate(t.labels) if all(labels[i] == w for i, w in wanted.items())
    ]
    if len(address) == len(t.type.dimensions):
        return _cell(t, selected, [address[d.name] for d in t.type.indexed])
    return _subspace(t, selected, address)


def _cell(t: Tensor, selected: list[int], indexes: list[Any]) -> Value:
    ints = [_index(i) for i in indexes]
    shape = np.broadcast_shapes(*(np.shape(i) for i in ints)) if ints else ()
    if not selected:
        return 0.0 if not shape and not t.batched else np.zeros(shape or (t.batch,))
    s = selected[0]
    block, present = t.cells[:, s], t.present[:, s]
    rank = max(len(shape), 1)
    batch_index = np.arange(t.batch).reshape(t.batch, *(1,) * (rank - 1))
    valid = np.ones((), dtype=bool)
    clipped = []
    for index, size in zip(ints, t.type.dense_shape, strict=True):
        valid = valid & (index >= 0) & (index < size)
        clipped.append(np.clip(index, 0, size - 1))
    values = block[(batch_index, *clipped)] if ints else block
    result = np.where(valid & present[batch_index if ints else slice(None)], values, 0.0)
    if not shape and not t.batched:
        return float(np.reshape(result, -1)[0])
    return np.asarray(result, dtype=np.float64)


def _index(value: Any) -> Any:
    if isinstance(value, str):
        if not value.lstrip("-").isdigit():
            raise ExpressionEvaluationError(f"expected an index, got label '{value}'")
        return int(value)
    return np.trunc(np.asarray(value, dtype=np.float64)).astype(np.int64)


def _subspace(t: Tensor, selected: list[int], address: dict[str, Any]) -> Value:
    kept = tuple(d for d in t.type.dimensions if d.name not in address)
    result_type = TensorType(t.type.cell_type, kept)
    index: list[Any] = [slice(None), slice(None)]
    for d in t.type.indexed:
        if d.name in address:
            i = _index(address[d.name])
            if np.ndim(i) or not 0 <= int(i) < (d.size or 0):
                raise ExpressionEvaluationError(
                    f"expected an index in 0..{(d.size or 1) - 1} for {d.name}, "
                    f"got {address[d.name]}"
                )
            index.append(int(i))
        else:
            index.append(slice(None))
    cells = t.cells[:, np.array(selected, dtype=np.intp)][tuple(index)]
    kept_positions = [i for i, n in enumerate(t.type.mapped_names) if n not in address]
    labels = [tuple(t.labels[s][i] for i in kept_positions) for s in selected]
    present = t.present[:, selected]
    if not result_type.mapped_names:
        labels, cells, present = _single_subspace(labels, cells, present, t.batch)
    return simplify(Tensor(result_type, labels, cells, present, batched=t.batched))


def _single_subspace(
    labels: list[Address], cells: np.ndarray, present: np.ndarray, batch: int
) -> tuple[list[Address], np.ndarray, np.ndarray]:
    """When no mapped dimension is left, keep the one matching subspace (or an absent one)."""
    if labels:
        return [()], cells[:, :1], present[:, :1]
    return [()], np.zeros((batch, 1, *cells.shape[2:])), np.zeros((batch, 1), dtype=bool)
