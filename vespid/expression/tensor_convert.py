"""Tensor values from Vespa's JSON forms and from query literal text, and back to JSON.

JSON (`docs/internals.md`, "Document values"): ``{"type": ..., "values": [...]}`` for
indexed-only tensors (flat or nested, row-major), ``{"type": ..., "cells": [{"address":
{...}, "value": v}, ...]}`` for any tensor; also accepted: ``"cells": {"a": 1.0}`` for one
mapped dimension and ``"blocks": {"a": [...]}`` / ``[{"address":..,"values":[..]}]`` for a
mixed tensor with one mapped dimension. Query literal text: ``[1,2,3]``,
``{{x:0}:1,{x:1}:2}``, ``{a:1,b:2}``, ``{a:[1,2]}`` or a full ``tensor<float>(x[3]):[...]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from vespid.expression.ast import Node, Num, TensorLiteral
from vespid.expression.compiler import compile_expression
from vespid.expression.errors import ExpressionEvaluationError, TensorTypeError
from vespid.expression.lexer import Cursor, Kind
from vespid.expression.literals import read_tensor_literal
from vespid.expression.parser import parse_expression
from vespid.expression.tensor import Address, Tensor
from vespid.expression.tensor_type import TensorType, parse_tensor_type


def tensor_from_json(value: Mapping[str, Any], tensor_type: TensorType | None = None) -> Tensor:
    """A shared tensor from its JSON form; ``tensor_type`` overrides a missing ``type``."""
    return Tensor.from_cells(*_json_cells(value, tensor_type))


def stack_json(tensor_type: TensorType, documents: Sequence[Mapping[str, Any] | None]) -> Tensor:
    """A tensor batched over candidates from one JSON value (or None: no tensor) each."""
    cells = [{} if d is None else _json_cells(d, tensor_type)[1] for d in documents]
    return Tensor.stack(tensor_type, cells)


def _json_cells(
    value: Mapping[str, Any], tensor_type: TensorType | None
) -> tuple[TensorType, dict[Address, float]]:
    if "type" in value:
        tensor_type = parse_tensor_type(str(value["type"]))
    if tensor_type is None:
        raise TensorTypeError("expected a tensor type, in the JSON value or given, got neither")
    if "values" in value:
        return tensor_type, _dense_cells(tensor_type, value["values"], {})
    if "blocks" in value:
        return tensor_type, _block_cells(tensor_type, value["blocks"])
    if "cells" in value:
        return tensor_type, _listed_cells(tensor_type, value["cells"])
    raise TensorTypeError(
        f"expected 'values', 'cells' or 'blocks' in a {tensor_type} value, got {sorted(value)}"
    )


def _dense_cells(
    tensor_type: TensorType, values: Any, fixed: dict[str, str]
) -> dict[Address, float]:
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    shape = tensor_type.dense_shape
    if flat.size != int(np.prod(shape)):
        raise TensorTypeError(
            f"expected {int(np.prod(shape))} values for {tensor_type}, got {flat.size}"
        )
    names = tensor_type.dimension_names
    indexed = [d.name for d in tensor_type.indexed]
    cells: dict[Address, float] = {}
    for position, index in enumerate(np.ndindex(*shape)):
        labels = {**fixed, **{n: str(i) for n, i in zip(indexed, index, strict=True)}}
        cells[tuple(labels[n] for n in names)] = float(flat[position])
    return cells


def _block_cells(tensor_type: TensorType, blocks: Any) -> dict[Address, float]:
    mapped = tensor_type.mapped_names
    if isinstance(blocks, Mapping):
        if len(mapped) != 1:
            raise TensorTypeError(f"expected one mapped dimension for blocks, got {tensor_type}")
        blocks = [{"address": {mapped[0]: label}, "values": v} for label, v in blocks.items()]
    cells: dict[Address, float] = {}
    for block in blocks:
        fixed = {str(k): str(v) for k, v in block["address"].items()}
        cells.update(_dense_cells(tensor_type, block["values"], fixed))
    return cells


def _listed_cells(tensor_type: TensorType, cells: Any) -> dict[Address, float]:
    names = tensor_type.dimension_names
    if isinstance(cells, Mapping):
        if len(names) != 1:
            raise TensorTypeError(f"expected one dimension for short-form cells, got {tensor_type}")
        return {(str(label),): float(v) for label, v in cells.items()}
    result: dict[Address, float] = {}
    for cell in cells:
        address = {str(k): str(v) for k, v in cell["address"].items()}
        if sorted(address) != sorted(names):
            raise TensorTypeError(
                f"expected a cell address with dimensions {names} for {tensor_type}, "
                f"got {sorted(address)}"
            )
        result[tuple(address[n] for n in names)] = float(cell["value"])
    return result


def tensor_to_json(t: Tensor, candidate: int = 0) -> dict[str, Any]:
    """The canonical JSON form of one candidate's tensor (``values`` when indexed-only)."""
    cells = t.cells_of(candidate)
    if not t.type.mapped_names:
        return {"type": str(t.type), "values": [cells[a] for a in sorted(cells, key=_index_key)]}
    names = t.type.dimension_names
    return {
        "type": str(t.type),
        "cells": [
            {"address": dict(zip(names, a, strict=True)), "value": v} for a, v in cells.items()
        ],
    }


def _index_key(address: Address) -> tuple[int, ...]:
    return tuple(int(label) for label in address)


def tensor_from_literal(text: str, tensor_type: TensorType) -> Tensor:
    """A shared tensor from query text: ``[1,2]``, ``{a:1}``, ``{{x:a}:1}`` or a full literal."""
    cursor = Cursor(text)
    if cursor.at("tensor", Kind.NAME):
        node = parse_expression(text)
        if not isinstance(node, TensorLiteral):
            raise TensorTypeError(f"expected a tensor literal, got '{text}'")
    else:
        expression = _numbers_only(cursor)
        node = read_tensor_literal(cursor, tensor_type, tensor_type.dimension_names, expression)
        if cursor.token.kind is not Kind.END:
            raise cursor.error("end of tensor literal")
    value = compile_expression(node).evaluate_value(_NoFeatures(), 1)
    if isinstance(value, Tensor):
        return value
    return Tensor.from_cells(node.type, {(): float(np.asarray(value).reshape(-1)[0])})


def _numbers_only(cursor: Cursor) -> Callable[[], Node]:
    """Reads a cell value of query text: an optionally negative number, nothing else."""

    def number() -> Num:
        sign = -1.0 if cursor.accept("-") else 1.0
        token = cursor.expect_kind(Kind.NUMBER, "a number")
        return Num(sign * float(token.text))

    return number


class _NoFeatures:
    def feature(self, ref: object) -> object:
        raise ExpressionEvaluationError(f"a tensor literal cannot read the feature {ref}")
