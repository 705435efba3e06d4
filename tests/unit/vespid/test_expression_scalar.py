"""Scalar evaluation against Vespa's eval spec and the Java evaluator's cases."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from tests.conformance import CONFORMANCE as SHARED
from vespid.expression import FeatureRef, compile_expression, parse_expression
from vespid.expression.tensor import Tensor

CONFORMANCE = SHARED / "vespa-tests" / "ranking-expressions"
SPEC = json.loads((CONFORMANCE / "eval-spec-scalar-cases.json").read_text())
JAVA = json.loads((CONFORMANCE / "java-evaluation-cases.json").read_text())


def _number(encoded: float | str) -> float:
    return float(encoded)  # "NaN", "Infinity" and "-Infinity" parse as such


class Bindings:
    """A resolver over plain names: ``a`` -> value; unknown names are 0 like Java's context."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.asked: list[FeatureRef] = []

    def feature(self, ref: FeatureRef) -> object:
        self.asked.append(ref)
        if ref.args or ref.output:
            raise KeyError(str(ref))
        return self.values.get(ref.name, 0.0)


def _same(got: float, expected: float) -> bool:
    if math.isnan(expected):
        return math.isnan(got)
    return got == expected or abs(got - expected) <= 1e-12 * max(1.0, abs(expected))


@pytest.mark.parametrize("spec", SPEC["expressions"], ids=lambda s: s["expression"])
def test_eval_spec_case_by_case_and_batched(spec: dict[str, Any]) -> None:
    compiled = compile_expression(parse_expression(spec["expression"]))
    assert {ref.name for ref in compiled.features} <= set(spec["params"])
    cases = spec["cases"]
    for case in cases:
        values = {p: _number(a) for p, a in zip(spec["params"], case["args"], strict=True)}
        got = compiled.evaluate(Bindings(values), 1)
        assert got.shape == (1,)
        assert _same(float(got[0]), _number(case["expected"])), (case, got)
    columns = {
        p: np.array([_number(c["args"][i]) for c in cases]) for i, p in enumerate(spec["params"])
    }
    batched = compiled.evaluate(Bindings(columns), len(cases))
    for case, got_value in zip(cases, batched, strict=True):
        assert _same(float(got_value), _number(case["expected"])), (case, got_value)


JAVA_BINDINGS: dict[str, Any] = {
    name: value for name, value in JAVA["context"]["bindings"].items() if name != "foo"
}
JAVA_BINDINGS["foo"] = "foo"
RESOLVED_BY_CONTENT_NODES = {"random(1)", "random(foo)"}
"""`random` is a rank feature for us; the Java test context happens to give 0 for it."""
SCALAR_JAVA = [
    c
    for c in JAVA["cases"]
    if "expected" in c
    and not c.get("skip")
    and "tensor_args" not in c
    and c["expression"] not in RESOLVED_BY_CONTENT_NODES
]


@pytest.mark.parametrize("case", SCALAR_JAVA, ids=lambda c: c["expression"])
def test_java_scalar_cases(case: dict[str, Any]) -> None:
    compiled = compile_expression(parse_expression(case["expression"]))
    got = compiled.evaluate(Bindings(JAVA_BINDINGS), 3)
    expected = float(case["expected"])
    assert np.allclose(got, expected, rtol=1e-9), (case, got)


def test_if_evaluates_only_the_branch_it_needs_for_uniform_conditions() -> None:
    resolver = Bindings({"c": 1.0})
    compile_expression(parse_expression("if(c, 1, expensive)")).evaluate(resolver, 4)
    assert [r.name for r in resolver.asked] == ["c"]


def test_per_candidate_condition_mixes_branches() -> None:
    got = compile_expression(parse_expression("if(c > 1, a, b)")).evaluate(
        Bindings({"c": np.array([0.0, 2.0, 3.0]), "a": 10.0, "b": np.array([1.0, 2.0, 3.0])}), 3
    )
    assert got.tolist() == [1.0, 10.0, 10.0]


def test_resolver_values_are_checked() -> None:
    compiled = compile_expression(parse_expression("a + 1"))
    with pytest.raises(Exception, match=r"shape \(3,\)"):
        compiled.evaluate(Bindings({"a": np.zeros(2)}), 3)
    with pytest.raises(Exception, match="a tensor of type"):
        compile_expression(parse_expression("t")).evaluate(
            Bindings({"t": Tensor.from_cells(parse_tensor("tensor(x[2])"), {("0",): 1.0})}), 1
        )


def parse_tensor(text: str) -> Any:
    from vespid.expression import parse_tensor_type

    return parse_tensor_type(text)


def test_string_attributes_compare_with_string_literals() -> None:
    compiled = compile_expression(
        parse_expression('if(genre == "rock", 2, 1) + (genre in ["jazz"])')
    )
    got = compiled.evaluate(Bindings({"genre": np.array(["rock", "pop", "jazz"])}), 3)
    assert got.tolist() == [2.0, 1.0, 2.0]
    shared = compiled.evaluate(Bindings({"genre": "rock"}), 2)
    assert shared.tolist() == [2.0, 2.0]
