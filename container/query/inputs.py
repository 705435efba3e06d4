"""Rank-profile inputs of a query: ``input.query(x)`` and ``ranking.features.query(x)``.

Content nodes receive each input as a number or a tensor in Vespa's JSON forms. Request
values arrive as JSON numbers, lists or objects (POST bodies) or as text in Vespa's
literal syntax: ``0.5``, ``[1,2,3]``, ``{{x:a}:1.0,{x:b}:2.0}``, ``{a:1,b:2}`` or
``tensor<float>(x[3]):[1,2,3]``. Short forms take their type from the input's
declaration in the rank profile.

>>> query_inputs({"input.query(w)": "0.5", "ranking.features.query(v)": "[1,2]"}, (), "default")
{'w': 0.5, 'v': [1, 2]}
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from container.errors import InvalidQueryParameterError
from vespid.config import SchemaConfig
from vespid.expression import ExpressionError, parse_expression
from vespid.expression.ast import Neg, Node, Num, TensorLiteral

_INPUT = re.compile(r"(?:input\.query|ranking\.features\.query|rankfeature\.query)\((.+)\)")


def query_inputs(
    parameters: Mapping[str, Any], schemas: Sequence[SchemaConfig], profile: str
) -> dict[str, Any]:
    """Every query input named in ``parameters``, keyed by its bare name (`q` for `query(q)`).

    Raises:
        InvalidQueryParameterError: for a value that is neither a number nor a tensor.
    """
    inputs: dict[str, Any] = {}
    for key, value in parameters.items():
        m = _INPUT.fullmatch(key)
        if m is not None:
            name = m.group(1)
            inputs[name] = input_value(key, value, _declared_type(schemas, profile, name))
    return inputs


def input_value(key: str, value: Any, declared: str | None) -> Any:
    """One input's value as a number or tensor JSON."""
    if isinstance(value, bool):
        raise InvalidQueryParameterError(key, value, "expected a number or a tensor")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | dict):
        return value
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    return _tensor_text(key, text, declared)


def _tensor_text(key: str, text: str, declared: str | None) -> Any:
    if declared is None or declared == "double":
        if text.startswith("["):
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                raise InvalidQueryParameterError(key, text, "not a valid tensor") from None
        typed = text
    else:
        typed = text if text.startswith("tensor") else f"{declared}:{text}"
    try:
        node = parse_expression(typed)
    except ExpressionError as e:
        raise InvalidQueryParameterError(key, text, f"not a valid tensor: {e}") from None
    if not isinstance(node, TensorLiteral):
        raise InvalidQueryParameterError(key, text, "expected a number or a tensor literal")
    return _cells_json(key, text, node)


def _cells_json(key: str, text: str, node: TensorLiteral) -> dict[str, Any]:
    names = [d.name for d in node.type.dimensions]
    cells = []
    for labels, cell in node.cells:
        number = _constant(cell)
        if number is None:
            raise InvalidQueryParameterError(key, text, "tensor cells must be numbers")
        cells.append({"address": dict(zip(names, labels, strict=True)), "value": number})
    return {"type": str(node.type), "cells": cells}


def _constant(node: Node) -> float | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        inner = _constant(node.operand)
        return None if inner is None else -inner
    return None


def _declared_type(schemas: Sequence[SchemaConfig], profile: str, name: str) -> str | None:
    for schema in schemas:
        rank_profile = schema.rank_profile(profile)
        if rank_profile is None:
            continue
        for declared in rank_profile.inputs:
            if declared.name in (name, f"query({name})"):
                return declared.type
    return None
