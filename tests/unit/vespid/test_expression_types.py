"""Static tensor types of expressions, checked against what evaluation produces."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conformance import CONFORMANCE as SHARED
from vespid.expression import (
    FeatureRef,
    FunctionDef,
    Tensor,
    TensorType,
    compile_expression,
    parse_expression,
    parse_tensor_type,
)
from vespid.expression.types import NUMBER, ExpressionTypeError, infer_type

TYPES = {
    "query(q)": "tensor<float>(x[3])",
    "attribute(v)": "tensor<float>(x[3])",
    "attribute(w)": "tensor(x[4])",
    "attribute(m)": "tensor<float>(x[3],y[2])",
    "query(profile)": "tensor<float>(cat{})",
    "attribute(scores)": "tensor<bfloat16>(cat{})",
    "attribute(mixed)": "tensor(cat{},x[3])",
}


def feature_types(ref: FeatureRef) -> TensorType | None:
    text = TYPES.get(str(ref))
    return None if text is None else parse_tensor_type(text)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("bm25(title) + 1", "tensor()"),
        ("query(q) * attribute(v)", "tensor<float>(x[3])"),
        ("sum(query(q) * attribute(v))", "tensor()"),
        ("query(profile) * attribute(scores)", "tensor<float>(cat{})"),
        ("attribute(m) * 2", "tensor<float>(x[3],y[2])"),
        ("reduce(attribute(m), max, x)", "tensor<float>(y[2])"),
        ("matmul(query(q), attribute(m), x)", "tensor<float>(y[2])"),
        ("l2_normalize(attribute(v), x)", "tensor<float>(x[3])"),
        ("cell_cast(attribute(w), bfloat16)", "tensor<bfloat16>(x[4])"),
        ("rename(attribute(m), (x, y), (a, b))", "tensor<float>(a[3],b[2])"),
        ("attribute(mixed){cat:a}", "tensor(x[3])"),
        ("attribute(mixed){cat:a, x:1}", "tensor()"),
        ("concat(attribute(v), attribute(w), x)", "tensor(x[7])"),
        ("expand(query(q), batch)", "tensor<float>(batch[1],x[3])"),
        ("max(attribute(m), y)", "tensor<float>(x[3])"),
        ("max(attribute(v), 0)", "tensor<float>(x[3])"),
        ("tensor<float>(x[2])(x + 1)", "tensor<float>(x[2])"),
        ("map(attribute(scores), f(c)(c * 2))", "tensor<float>(cat{})"),
        ("join(attribute(v), query(profile), f(a,b)(a*b))", "tensor<float>(cat{},x[3])"),
        ("unpack_bits(tensor<int8>(x[2]):[1,2])", "tensor<float>(x[16])"),
        ("query(profile) * tensor(cat[2]):[1,2]", "tensor(cat{})"),
    ],
)
def test_inferred_types(expression: str, expected: str) -> None:
    assert infer_type(parse_expression(expression), feature_types) == parse_tensor_type(expected)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("attribute(v) * attribute(w)", "dimension x is x\\[3\\] in one and x\\[4\\] in the other"),
        ("reduce(query(q), sum, y)", "has no dimension 'y'"),
        ("bm25(title){x:1}", "cannot take cells of a number"),
        ("if(1, query(q), attribute(m))", "both branches"),
        ("attribute(mixed) * tensor(x[2]):[1,2]", "x\\[3\\] in one and x\\[2\\]"),
        ("rename(query(q), z, y)", "no dimension 'z'"),
    ],
)
def test_type_errors_quote_the_expression(expression: str, message: str) -> None:
    with pytest.raises(ExpressionTypeError, match=message):
        infer_type(parse_expression(expression), feature_types)


def test_functions_are_inlined_before_typing() -> None:
    functions = {"dot": FunctionDef(("a", "b"), parse_expression("sum(a * b, x)"))}
    node = parse_expression("dot(attribute(m), query(q))")
    assert infer_type(node, feature_types, functions) == parse_tensor_type("tensor<float>(y[2])")
    assert infer_type(parse_expression("nativeRank"), feature_types) == NUMBER


CONFORMANCE = SHARED / "vespa-tests" / "ranking-expressions"
JAVA = json.loads((CONFORMANCE / "java-evaluation-cases.json").read_text())


class Values:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def feature(self, ref: FeatureRef) -> object:
        return self.values.get(str(ref), 0.0)


MALFORMED_ARGUMENTS = {"tensor0[2]", "concat(tensor0, tensor1, x)"}
"""Cases whose argument text has an unbalanced bracket in the test data."""


def _java_typed_cases() -> list[Any]:
    cases = []
    for case in JAVA["cases"]:
        args = case.get("tensor_args", [])
        typed = bool(args) and all(a.startswith("tensor") for a in args)
        if "expected_tensor" in case and typed and case["expression"] not in MALFORMED_ARGUMENTS:
            cases.append(pytest.param(case, id=case["expression"]))
    return cases


@pytest.mark.parametrize("case", _java_typed_cases())
def test_inferred_type_matches_evaluated_type(case: dict[str, Any]) -> None:
    values: dict[str, Any] = {}
    for i, arg in enumerate(case["tensor_args"]):
        values[f"tensor{i}"] = compile_expression(parse_expression(arg)).evaluate_value(
            Values({}), 1
        )
    node = parse_expression(case["expression"])

    def types(ref: FeatureRef) -> TensorType | None:
        value = values.get(str(ref))
        return value.type if isinstance(value, Tensor) else None

    inferred = infer_type(node, types)
    got = compile_expression(node).evaluate_value(Values(values), 1)
    if isinstance(got, Tensor):
        assert inferred.dimensions == got.type.dimensions
    else:
        assert inferred.dimensions == ()


def test_known_feature_types_resolve_max_over_a_dimension() -> None:
    node = parse_expression("max(attribute(m), y) + max(bm25(title), nativeRank)")
    untyped = compile_expression(node)
    assert FeatureRef("y") in untyped.features
    typed = compile_expression(node, feature_types=feature_types)
    assert FeatureRef("y") not in typed.features
    assert FeatureRef("nativeRank") in typed.features
    assert "reduce(attribute(m), max, y)" in str(typed.node)
