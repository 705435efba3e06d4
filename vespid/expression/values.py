"""Runtime values of the evaluator and the scalar/tensor dispatch of operators.

A value is a float (the same for every candidate), a float64 numpy array (one number
per candidate, shape (n,); inside lambdas, cell arrays of other shapes) or a `Tensor`.
A tensor without dimensions is always turned into a float or an array, so Vespa's rule
that a number and a rank-0 tensor are the same thing holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np

from vespid.expression.errors import ExpressionEvaluationError
from vespid.expression.tensor import Tensor
from vespid.expression.tensor_functions import on_labels
from vespid.expression.tensor_ops import join, join_type, map_cells
from vespid.expression.tensor_type import TensorType

Value = float | np.ndarray | Tensor
"""What an expression evaluates to."""


def string_hash(text: str) -> float:
    """A string as a number, so strings compare with ``==`` and ``in`` (not Vespa's hash)."""
    digest = hashlib.blake2b(text.encode(), digest_size=6).digest()
    return float(int.from_bytes(digest, "big"))


def from_resolver(value: object, source: object, n: int) -> Value:
    """Check and normalise what a resolver returned for ``source``."""
    if isinstance(value, bool | int | float | np.integer | np.floating):
        return float(value)
    if isinstance(value, str):
        return string_hash(value)
    if isinstance(value, np.ndarray):
        if value.shape != (n,):
            raise ExpressionEvaluationError(
                f"expected {source} to be a number or an array of shape ({n},), "
                f"got an array of shape {value.shape}"
            )
        return _array_values(value, source)
    if isinstance(value, Tensor):
        if value.batched and value.batch != n:
            raise ExpressionEvaluationError(
                f"expected {source} to be a tensor batched over {n} candidates, got {value.batch}"
            )
        return simplify(value)
    raise ExpressionEvaluationError(
        f"expected {source} to be a float, an array of shape ({n},) or a Tensor, "
        f"got {type(value).__name__}"
    )


def _array_values(value: np.ndarray, source: object) -> np.ndarray:
    """Per-candidate numbers; strings (dtype str or object) become their hashes."""
    if value.dtype.kind in "USO":
        return np.array(
            [v if isinstance(v, int | float) else string_hash(str(v)) for v in value.tolist()],
            dtype=np.float64,
        )
    if value.dtype.kind not in "biuf":
        raise ExpressionEvaluationError(
            f"expected {source} to hold numbers or strings, got an array of {value.dtype}"
        )
    return value.astype(np.float64, copy=False)


def simplify(t: Tensor) -> Value:
    """A tensor without dimensions as a float or per-candidate array; others unchanged."""
    if t.type.dimensions:
        return t
    cells = np.where(t.present[:, 0], t.cells[:, 0], 0.0)
    return cells if t.batched else float(cells[0])


def as_tensor(value: Value) -> Tensor:
    """A value as a tensor (numbers become tensors without dimensions)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, float):
        return Tensor(TensorType(), [()], np.full((1, 1), value))
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 1:
        raise ExpressionEvaluationError(
            f"cannot combine a tensor with a value of shape {array.shape} inside a lambda"
        )
    return Tensor(TensorType(), [()], array.reshape(-1, 1), batched=True)


def apply_unary(op: Callable[[Any], Any], value: Value) -> Value:
    """``op`` on a number, per candidate, or on every cell of a tensor."""
    if isinstance(value, Tensor):
        return map_cells(value, op)
    result = op(value)
    return float(result) if np.ndim(result) == 0 else np.asarray(result, dtype=np.float64)


def apply_binary(op: Callable[[Any, Any], Any], a: Value, b: Value) -> Value:
    """``op`` on two values; a tensor on either side makes it a join."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return simplify(join(as_tensor(a), as_tensor(b), op))
    a, b = align(a, b)
    try:
        result = op(a, b)
    except ValueError as e:
        raise ExpressionEvaluationError(
            f"cannot combine values of shapes {np.asarray(a).shape} and {np.asarray(b).shape} "
            "(a generator or "
            "lambda inside a lambda that uses the outer lambda's cells is not supported)"
        ) from e
    return float(result) if np.ndim(result) == 0 else np.asarray(result, dtype=np.float64)


def align(a: Any, b: Any) -> tuple[Any, Any]:
    """Let a per-candidate array (n,) meet cell arrays (B, S, ...) inside a lambda or
    generator: the candidate axis is the first one of both."""
    a_dims, b_dims = np.ndim(a), np.ndim(b)
    if a_dims == 1 and b_dims > 1:
        return np.reshape(a, (-1,) + (1,) * (b_dims - 1)), b
    if b_dims == 1 and a_dims > 1:
        return a, np.reshape(b, (-1,) + (1,) * (a_dims - 1))
    return a, b


def repeat_rows(value: Value, n: int, times: int) -> Value:
    """A per-candidate value (one of ``n``) repeated ``times`` per candidate; values that are
    the same for all candidates, and arrays of other shapes, stay as they are."""
    if isinstance(value, Tensor):
        if not value.batched or times == 1:
            return value
        cells = np.repeat(value.cells, times, axis=0)
        present = np.repeat(value.present, times, axis=0)
        return Tensor(value.type, value.labels, cells, present, batched=True)
    if isinstance(value, np.ndarray) and value.shape == (n,) and times != 1:
        return np.repeat(value, times)
    return value


def mask_of(value: Value, what: str) -> np.ndarray:
    """A per-candidate condition as an array (tensors are refused)."""
    if isinstance(value, Tensor):
        raise ExpressionEvaluationError(f"expected a number for the {what}, got {value.type}")
    return np.asarray(value, dtype=np.float64)


def select(mask: np.ndarray, a: Value, b: Value) -> Value:
    """Per candidate, ``a`` where ``mask`` holds, else ``b``."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return _select_tensors(mask, as_tensor(a), as_tensor(b))
    where, left = align(mask, a)
    where, right = align(where, b)
    left, right = align(left, right)
    return np.asarray(np.where(where, left, right), dtype=np.float64)


def _select_tensors(mask: np.ndarray, a: Tensor, b: Tensor) -> Tensor:
    """Per candidate, ``a`` or ``b``: the same dimensions needed, labels may differ."""
    if a.type.dimension_names != b.type.dimension_names or a.type.dense_shape != b.type.dense_shape:
        raise ExpressionEvaluationError(
            f"expected both branches of a per-candidate if to have one tensor type, "
            f"got {a.type} and {b.type}"
        )
    labels = list(dict.fromkeys((*a.labels, *b.labels)))
    batch = mask.shape[0]
    left, left_present = on_labels(a, labels, batch)
    right, right_present = on_labels(b, labels, batch)
    where = mask.reshape(-1, *(1,) * (left.ndim - 1))
    cells = np.where(where, left, right)
    present = np.where(mask.reshape(-1, 1), left_present, right_present)
    result_type = TensorType(join_type(a.type, b.type).cell_type, a.type.dimensions)
    return Tensor(result_type, labels, cells, present, batched=True)


def scalar_result(value: Value, n: int, source: str) -> np.ndarray:
    """A final value as one float64 per candidate."""
    if isinstance(value, Tensor):
        raise ExpressionEvaluationError(
            f"expected '{source}' to give a number, got a tensor of type {value.type}"
        )
    return np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)))
