"""Compilation of the tensor nodes of the tree: reduce, lambdas, tensor functions and rename.

Literals, generators and cell access are in `vespid.expression.tensor_build`. Every
compile function takes the node, the variable names in scope and the compiler for
child nodes, and returns a closure over an `Env`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from vespid.expression import tensor_functions as tf
from vespid.expression.ast import Binary, Lambda, LambdaCall, Node, Reduce, Rename, TensorCall
from vespid.expression.env import CompileFn, Env, Fn
from vespid.expression.errors import ExpressionEvaluationError
from vespid.expression.functions import BINARY_OPERATORS
from vespid.expression.inline import free_features
from vespid.expression.tensor import Tensor
from vespid.expression.tensor_ops import map_cells, reduce, sum_of_product
from vespid.expression.tensor_type import TensorType
from vespid.expression.values import Value, apply_binary, as_tensor, simplify

LambdaMaker = Callable[[Env], Callable[..., Any]]
"""A compiled lambda: given the environment, a function over cell arrays."""


def compile_lambda(node: Lambda, bound: frozenset[str], compile_child: CompileFn) -> LambdaMaker:
    """A lambda as ``make(env) -> callable over cell arrays``.

    The cells are flattened into rows, one per cell, and the body is evaluated once for
    all rows like for candidates; a body that reads per-candidate values from outside
    sees them repeated per row, so even generators and reductions work inside lambdas."""
    body = compile_child(node.body, bound | frozenset(node.params))
    params = node.params
    reads_outside = bool(free_features(node.body, frozenset(params)))

    def make(env: Env) -> Callable[..., Any]:
        def call(*cells: Any) -> Any:
            arrays = [np.asarray(c, dtype=np.float64) for c in cells]
            given = np.broadcast_shapes(*(a.shape for a in arrays))
            shape = given or (1,)
            if reads_outside and shape[0] == 1 and env.n != 1:
                shape = (env.n, *shape[1:])
            rows = int(np.prod(shape))
            per_candidate = rows // shape[0] if shape[0] == env.n and rows else 1
            flat = [np.broadcast_to(a, shape).reshape(rows) for a in arrays]
            result = body(env.rows(rows, per_candidate).bind(params, flat))
            if isinstance(result, Tensor):
                raise ExpressionEvaluationError(
                    f"expected a lambda f({','.join(params)}) to give a number per cell, "
                    f"got {result.type}"
                )
            out = np.broadcast_to(np.asarray(result, dtype=np.float64), (rows,)).reshape(shape)
            return out.reshape(()) if not given and shape == (1,) else out

        return call

    return make


def compile_reduce(node: Node, bound: frozenset[str], compile_child: CompileFn) -> Fn:
    """``reduce(t, aggregator, dims...)``; on a number it is the number (count: 1)."""
    assert isinstance(node, Reduce)
    aggregator, dimensions = node.aggregator, node.dimensions
    product = node.operand
    if aggregator == "sum" and isinstance(product, Binary) and product.op == "*":
        return _sum_of_product(product, dimensions, bound, compile_child)
    operand = compile_child(node.operand, bound)

    def evaluate(env: Env) -> Value:
        value = operand(env)
        if isinstance(value, Tensor):
            return simplify(reduce(value, aggregator, dimensions))
        if dimensions:
            raise ExpressionEvaluationError(
                f"cannot reduce a number over dimensions {', '.join(dimensions)}"
            )
        return 1.0 if aggregator == "count" else value

    return evaluate


def _sum_of_product(
    product: Binary, dimensions: tuple[str, ...], bound: frozenset[str], compile_child: CompileFn
) -> Fn:
    """``sum(a * b, dims)`` of two tensors in one einsum; numbers take the general path."""
    left, right = compile_child(product.left, bound), compile_child(product.right, bound)
    multiply = BINARY_OPERATORS["*"]

    def evaluate(env: Env) -> Value:
        a, b = left(env), right(env)
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            return simplify(sum_of_product(a, b, dimensions))
        joined = apply_binary(multiply, a, b)
        if isinstance(joined, Tensor):
            return simplify(reduce(joined, "sum", dimensions))
        if dimensions:
            raise ExpressionEvaluationError(
                f"cannot reduce a number over dimensions {', '.join(dimensions)}"
            )
        return joined

    return evaluate


def compile_lambda_call(node: Node, bound: frozenset[str], compile_child: CompileFn) -> Fn:
    """map, join, merge, map_subspaces and filter_subspaces."""
    assert isinstance(node, LambdaCall)
    args = [compile_child(a, bound) for a in node.args]
    make = compile_lambda(node.function, bound, compile_child)
    name = node.name
    if name in ("join", "merge"):
        return _pairwise(name, args, make)
    alone = compile_child(node.function.body, bound | frozenset(node.function.params))
    param = node.function.params[0] if node.function.params else ""
    reads_outside = bool(free_features(node.function.body, frozenset(node.function.params)))

    def evaluate(env: Env) -> Value:
        value = args[0](env)
        call = make(env)
        if not isinstance(value, Tensor):
            result = call(value)
            if name == "filter_subspaces":
                raise ExpressionEvaluationError("filter_subspaces needs a tensor, got a number")
            return float(result) if np.ndim(result) == 0 else np.asarray(result, dtype=np.float64)
        if name == "map" or not value.type.indexed:
            if name == "filter_subspaces":
                return _filter(value, call(value.cells))
            return simplify(map_cells(value, call))
        if reads_outside and value.batch == 1 and env.n != 1:
            value = _per_candidate(value, env.n)
        return _subspaces(env, name, param, alone, value)

    return evaluate


def _pairwise(name: str, args: list[Fn], make: LambdaMaker) -> Fn:
    def evaluate(env: Env) -> Value:
        left, right = args[0](env), args[1](env)
        call = make(env)
        if name == "merge" and (isinstance(left, Tensor) or isinstance(right, Tensor)):
            return simplify(tf.merge(as_tensor(left), as_tensor(right), call))
        return apply_binary(call, left, right)

    return evaluate


def _filter(t: Tensor, keep: Any) -> Tensor:
    cells, keep_mask = np.broadcast_arrays(t.cells, np.asarray(keep, dtype=np.float64) != 0.0)
    present = np.broadcast_to(t.present, cells.shape[:2]) & keep_mask
    return Tensor(t.type, t.labels, cells, present, batched=t.batched or cells.shape[0] > t.batch)


def _per_candidate(t: Tensor, n: int) -> Tensor:
    cells = np.broadcast_to(t.cells, (n, *t.cells.shape[1:]))
    return Tensor(t.type, t.labels, cells, t.present, batched=True)


def _subspaces(env: Env, name: str, param: str, body: Fn, t: Tensor) -> Value:
    """map_subspaces / filter_subspaces over the dense subspaces of a mixed tensor: each
    subspace becomes one row of a batch of B*S dense tensors (values from outside the
    lambda are repeated per row)."""
    dense_type = TensorType(t.type.cell_type, t.type.indexed)
    rows = t.batch * len(t.labels)
    if rows == 0:
        return t
    flat = t.cells.reshape(rows, 1, *t.type.dense_shape)
    subspace = Tensor(dense_type, [()], flat, batched=True)
    result = body(env.rows(rows, len(t.labels)).bind([param], [subspace]))
    if name == "filter_subspaces":
        keep = _any_nonzero(result, rows)
        present = t.present & keep.reshape(t.batch, len(t.labels))
        return Tensor(t.type, t.labels, t.cells, present, batched=t.batched)
    out = (
        as_tensor(result)
        if isinstance(result, Tensor)
        else as_tensor(np.broadcast_to(np.asarray(result, dtype=np.float64), (rows,)).copy())
    )
    if out.type.mapped_names:
        raise ExpressionEvaluationError(f"map_subspaces must give dense subspaces, got {out.type}")
    cells = np.broadcast_to(out.cells, (rows, 1, *out.type.dense_shape))
    mapped = tuple(d for d in t.type.dimensions if d.mapped)
    result_type = TensorType(out.type.cell_type, (*mapped, *out.type.dimensions))
    shaped = cells.reshape(t.batch, len(t.labels), *out.type.dense_shape)
    return Tensor(result_type, t.labels, shaped, t.present, batched=t.batched)


def _any_nonzero(value: Value, rows: int) -> np.ndarray:
    """Per row, whether the lambda's result (a number or a subspace) has a non-zero cell."""
    if isinstance(value, Tensor):
        cells = np.where(_cell_present(value), value.cells, 0.0)
        per_row = cells.reshape(value.batch, int(np.prod(cells.shape[1:])))
        return np.broadcast_to(np.asarray(per_row.any(axis=1)), (rows,))
    numbers = np.broadcast_to(np.asarray(value, dtype=np.float64), (rows,))
    return np.asarray(numbers != 0.0)


def _cell_present(t: Tensor) -> np.ndarray:
    return np.broadcast_to(
        t.present[(..., *(np.newaxis,) * len(t.type.dense_shape))], t.cells.shape
    )


def compile_tensor_call(node: Node, bound: frozenset[str], compile_child: CompileFn) -> Fn:
    """l2_normalize, matmul, cell_cast, argmax and the other named tensor functions."""
    assert isinstance(node, TensorCall)
    args = [compile_child(a, bound) for a in node.args]
    apply = _TENSOR_CALLS[node.name]
    names = node.names

    def evaluate(env: Env) -> Value:
        return simplify(apply([_tensor_arg(a(env)) for a in args], names))

    return evaluate


def _tensor_arg(value: Value) -> Tensor:
    return as_tensor(value)


def _top(values: list[Tensor], _names: tuple[str, ...]) -> Tensor:
    count = simplify(values[0])
    if not isinstance(count, float):
        raise ExpressionEvaluationError("expected top's count to be the same for all candidates")
    return tf.top(count, values[1])


_TENSOR_CALLS: dict[str, Callable[[list[Tensor], tuple[str, ...]], Tensor]] = {
    "l2_normalize": lambda v, n: tf.l2_normalize(v[0], n[0]),
    "l1_normalize": lambda v, n: tf.l1_normalize(v[0], n[0]),
    "softmax": lambda v, n: tf.softmax(v[0], n[0]),
    "matmul": lambda v, n: tf.matmul(v[0], v[1], n[0]),
    "xw_plus_b": lambda v, n: tf.xw_plus_b(v[0], v[1], v[2], n[0]),
    "concat": lambda v, n: tf.concat(v[0], v[1], n[0]),
    "expand": lambda v, n: tf.expand(v[0], n[0]),
    "argmax": lambda v, n: tf.arg_extreme(v[0], "max", n),
    "argmin": lambda v, n: tf.arg_extreme(v[0], "min", n),
    "cell_cast": lambda v, n: tf.cell_cast(v[0], n[0]),
    "cell_order": lambda v, n: tf.cell_order(v[0], n[0]),
    "top": _top,
    "unpack_bits": lambda v, n: tf.unpack_bits(v[0], *n),
}


def compile_rename(node: Node, bound: frozenset[str], compile_child: CompileFn) -> Fn:
    """``rename(t, (a, b), (c, d))``."""
    assert isinstance(node, Rename)
    operand = compile_child(node.operand, bound)
    from_, to = node.from_, node.to
    return lambda env: tf.rename(as_tensor(operand(env)), from_, to)
