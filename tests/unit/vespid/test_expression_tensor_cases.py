"""Tensor expressions from Vespa's Java evaluation tests, and the album-recommendation app."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from tests.conformance import CONFORMANCE as SHARED
from vespid.expression import (
    ExpressionError,
    FeatureRef,
    Tensor,
    compile_expression,
    parse_expression,
    parse_tensor_type,
)
from vespid.expression.tensor_convert import stack_json, tensor_from_json, tensor_from_literal
from vespid.expression.tensor_type import Dimension, TensorType

CONFORMANCE = SHARED / "vespa-tests" / "ranking-expressions"
JAVA = json.loads((CONFORMANCE / "java-evaluation-cases.json").read_text())
BINDINGS: dict[str, Any] = {k: v for k, v in JAVA["context"]["bindings"].items() if k != "foo"}


class UnknownFeatureError(LookupError):
    """The test context has no such feature."""


class Context:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def feature(self, ref: FeatureRef) -> object:
        if ref.args or ref.output:
            raise UnknownFeatureError(str(ref))
        return self.values.get(ref.name, 0.0)


def _value(text: str, values: dict[str, Any]) -> Any:
    return compile_expression(parse_expression(text)).evaluate_value(Context(values), 1)


def _as_indexed(value: Any) -> Any:
    """Java runs untyped tensors once more with every dimension indexed."""
    if not isinstance(value, Tensor) or not value.type.dimensions:
        return value
    cells = value.cells_of()
    sizes = [
        max(int(a[i]) for a in cells) + 1 if cells else 1 for i in range(len(value.type.dimensions))
    ]
    dims = tuple(Dimension(d.name, s) for d, s in zip(value.type.dimensions, sizes, strict=True))
    return Tensor.from_cells(TensorType("double", dims), cells)


def _cells(value: Any, drop_zeros: bool) -> dict[tuple[str, ...], float]:
    if not isinstance(value, Tensor):
        return {(): float(value)}
    cells = value.cells_of()
    return {a: v for a, v in cells.items() if v != 0.0} if drop_zeros else cells


UNSUPPORTED = {
    "reduce(random(x[2],y[3]), count)": "`random` is the rank feature here, not Java's generator",
    "map(tensor0, f(x) (log10(x+sum(tensor0)))": "unbalanced parentheses in the test data",
    "tensor0[2]": "unbalanced bracket in the test data's argument",
    "concat(tensor0, tensor1, x)": "unbalanced parenthesis in the test data's argument",
}
"""Cases we refuse, each with our own error type, and why."""


def _cases() -> list[Any]:
    params = []
    for case in JAVA["cases"]:
        if "expected_tensor" not in case:
            continue
        args = case.get("tensor_args", [])
        untyped = bool(args) and all(not a.startswith("tensor") for a in args)
        modes = [case["only_run"]] if case.get("only_run") else ["mapped", "indexed"]
        for mode in modes:
            if mode == "indexed" and (not untyped or case["expression"] in UNSUPPORTED):
                continue
            params.append(pytest.param(case, mode, id=f"{mode}:{case['expression']}"))
    return params


@pytest.mark.parametrize(("case", "mode"), _cases())
def test_java_tensor_case(case: dict[str, Any], mode: str) -> None:
    values = dict(BINDINGS)
    expression = case["expression"]
    if expression in UNSUPPORTED:
        with pytest.raises((ExpressionError, UnknownFeatureError)):
            _evaluate_with_args(expression, case.get("tensor_args", []), values)
        return
    convert = _as_indexed if mode == "indexed" else (lambda v: v)
    for i, arg in enumerate(case.get("tensor_args", [])):
        values[f"tensor{i}"] = convert(_value(arg, {}))
    got = _value(expression, values)
    expected = _value(case["expected_tensor"], {})
    if not case["expected_tensor"].startswith("tensor"):
        expected = convert(expected)
    if isinstance(expected, Tensor) and isinstance(got, Tensor) and mode == "mapped":
        assert got.type.dimension_names == expected.type.dimension_names
    got_cells, expected_cells = _cells(got, mode == "indexed"), _cells(expected, mode == "indexed")
    assert got_cells.keys() == expected_cells.keys()
    for address, value in expected_cells.items():
        assert math.isclose(got_cells[address], value, rel_tol=1e-6, abs_tol=1e-6), address


def _evaluate_with_args(expression: str, args: list[str], values: dict[str, Any]) -> Any:
    for i, arg in enumerate(args):
        values[f"tensor{i}"] = _value(arg, {})
    return _value(expression, values)


# --- the album-recommendation sample application --------------------------------------

APP = SHARED / "sample-apps" / "album-recommendation"


def test_album_recommendation_first_phase() -> None:
    documents = [
        json.loads(line)["fields"]
        for line in (APP / "dataset" / "documents.jsonl").read_text().splitlines()
        if line.strip()
    ]
    tensor_type = parse_tensor_type("tensor<float>(cat{})")
    scores = stack_json(tensor_type, [{"cells": d["category_scores"]} for d in documents])
    profile = tensor_from_literal("{pop:1.0, rock:0.5, jazz:0.25}", tensor_type)
    bm25 = np.linspace(0.0, 1.0, len(documents))
    compiled = compile_expression(
        parse_expression(
            "bm25(album) + 0.25 * sum(query(user_profile) * attribute(category_scores))"
        )
    )
    values = {
        FeatureRef("bm25", ("album",)): bm25,
        FeatureRef("query", ("user_profile",)): profile,
        FeatureRef("attribute", ("category_scores",)): scores,
    }
    assert compiled.features == frozenset(values)
    got = compiled.evaluate(_Features(values), len(documents))
    weights = {"pop": 1.0, "rock": 0.5, "jazz": 0.25}
    for i, d in enumerate(documents):
        dot = sum(
            float(np.float32(v)) * weights[c]
            for c, v in d["category_scores"].items()
            if c in weights
        )
        assert got[i] == pytest.approx(bm25[i] + 0.25 * dot, rel=1e-9)


class _Features:
    def __init__(self, values: Mapping[FeatureRef, object]) -> None:
        self.values = values

    def feature(self, ref: FeatureRef) -> object:
        return self.values[ref]


def test_dense_closeness_style_expression_over_a_batch() -> None:
    tensor_type = parse_tensor_type("tensor<float>(x[3])")
    vectors = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 1.0, 1.0]])
    values = {
        FeatureRef("attribute", ("v",)): Tensor.from_dense(tensor_type, vectors, batched=True),
        FeatureRef("query", ("q",)): tensor_from_json(
            {"type": str(tensor_type), "values": [1, 2, 3]}
        ),
    }
    compiled = compile_expression(
        parse_expression("sum(l2_normalize(query(q), x) * l2_normalize(attribute(v), x))")
    )
    got = compiled.evaluate(_Features(values), 3)
    q = np.array([1.0, 2.0, 3.0])
    expected = vectors @ q / np.linalg.norm(vectors, axis=1) / np.linalg.norm(q)
    assert np.allclose(got, expected, rtol=1e-6)
