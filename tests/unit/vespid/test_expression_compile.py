"""Compilation: feature lists, user-function inlining, errors, and a brute-force oracle."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from vespid.expression import (
    ExpressionCompileError,
    FeatureRef,
    FunctionDef,
    compile_expression,
    parse_expression,
)
from vespid.expression.ast import Binary, Feature, If, Neg, Node, Not, Num


def fn(args: tuple[str, ...], body: str) -> FunctionDef:
    return FunctionDef(args, parse_expression(body))


class Columns:
    def __init__(self, values: Mapping[str, object]) -> None:
        self.values = values

    def feature(self, ref: FeatureRef) -> object:
        return self.values[str(ref)]


def test_features_name_every_rank_feature_with_arguments_and_output() -> None:
    compiled = compile_expression(
        parse_expression(
            "bm25(title) + nativeRank + attribute(year) * query(w) "
            "+ fieldMatch(title).completeness + term(0).significance + closeness(field,emb)"
            " + bm25(field: body, label: terms)"
        )
    )
    assert compiled.features == {
        FeatureRef("bm25", ("title",)),
        FeatureRef("nativeRank"),
        FeatureRef("attribute", ("year",)),
        FeatureRef("query", ("w",)),
        FeatureRef("fieldMatch", ("title",), "completeness"),
        FeatureRef("term", ("0",), "significance"),
        FeatureRef("closeness", ("field", "emb")),
        FeatureRef("bm25", ("field:body", "label:terms")),
    }
    assert (
        str(FeatureRef("fieldMatch", ("title",), "completeness"))
        == "fieldMatch(title).completeness"
    )


def test_user_functions_are_inlined_with_their_arguments() -> None:
    functions = {
        "boost": fn(("f",), "bm25(f) * 2"),
        "total": fn((), "boost(title) + boost(body) + attribute(pop)"),
    }
    compiled = compile_expression(parse_expression("total + 1"), functions)
    assert compiled.features == {
        FeatureRef("bm25", ("title",)),
        FeatureRef("bm25", ("body",)),
        FeatureRef("attribute", ("pop",)),
    }
    resolver = Columns(
        {
            "bm25(title)": np.array([1.0, 2.0]),
            "bm25(body)": 0.5,
            "attribute(pop)": np.array([3.0, 0.0]),
        }
    )
    assert compiled.evaluate(resolver, 2).tolist() == [7.0, 6.0]


def test_lambda_parameters_shadow_functions() -> None:
    functions = {"x": fn((), "attribute(never)")}
    compiled = compile_expression(
        parse_expression("map(tensor(d[2]):[1,2], f(x)(x * 2))"), functions
    )
    assert compiled.features == frozenset()


@pytest.mark.parametrize(
    ("functions", "text", "message"),
    [
        ({"f": fn(("a",), "a")}, "f(1, 2)", "takes 1 arguments"),
        ({"f": fn((), "g"), "g": fn((), "f + 1")}, "f", "calls itself: f -> g -> f"),
        ({"f": fn((), "1")}, "f.out", "has no output 'out'"),
        ({"f": fn(("a",), "a")}, "f(a: 1)", "takes no named arguments"),
    ],
)
def test_compile_errors(functions: dict[str, FunctionDef], text: str, message: str) -> None:
    with pytest.raises(ExpressionCompileError, match=message):
        compile_expression(parse_expression(text), functions)


# --- differential test against a per-candidate Python evaluation --------------------

NAMES = ("a", "b", "c")
OPS = ("+", "-", "*", "/", "<", ">=", "==", "&&", "||", "%")


def _reference(node: Node, row: dict[str, float]) -> float:
    """A dumb one-candidate evaluator written from the language rules."""
    if isinstance(node, Num):
        return float(node.value)
    if isinstance(node, Feature):
        return row[node.name]
    if isinstance(node, Neg):
        return -_reference(node.operand, row)
    if isinstance(node, Not):
        return 1.0 if _reference(node.operand, row) == 0.0 else 0.0
    if isinstance(node, If):
        branch = node.then if _reference(node.condition, row) != 0.0 else node.otherwise
        return _reference(branch, row)
    assert isinstance(node, Binary)
    a, b = _reference(node.left, row), _reference(node.right, row)
    return _apply(node.op, a, b)


def _apply(op: str, a: float, b: float) -> float:
    if op in ("<", ">=", "=="):
        return float({"<": a < b, ">=": a >= b, "==": a == b}[op])
    if op in ("&&", "||"):
        return float((a != 0.0 and b != 0.0) if op == "&&" else (a != 0.0 or b != 0.0))
    if op == "%":
        return math.fmod(a, b) if b != 0.0 and not math.isinf(a) else math.nan
    if op == "/":
        if b == 0.0:
            return (
                math.nan
                if a == 0.0 or math.isnan(a)
                else math.copysign(math.inf, a) * math.copysign(1.0, b)
            )
        return a / b
    try:
        return {"+": a + b, "-": a - b, "*": a * b}[op]
    except OverflowError:
        return math.nan


LEAF = st.one_of(
    st.sampled_from(NAMES).map(Feature), st.integers(-3, 3).map(lambda i: Num(float(i)))
)
TREES = st.recursive(
    LEAF,
    lambda kids: st.one_of(
        st.tuples(st.sampled_from(OPS), kids, kids).map(lambda t: Binary(*t)),
        kids.map(Neg),
        kids.map(Not),
        st.tuples(kids, kids, kids).map(lambda t: If(*t)),
    ),
    max_leaves=10,
)
ROWS = st.lists(
    st.fixed_dictionaries({n: st.integers(-4, 4).map(float) for n in NAMES}), min_size=1, max_size=6
)


@settings(max_examples=200)
@given(TREES, ROWS)
def test_batched_evaluation_matches_per_candidate_reference(
    tree: Node, rows: list[dict[str, float]]
) -> None:
    compiled = compile_expression(tree)
    columns = {n: np.array([r[n] for r in rows]) for n in NAMES}
    got = compiled.evaluate(Columns(columns), len(rows))
    expected = np.array([_reference(tree, r) for r in rows])
    assert np.allclose(got, expected, equal_nan=True, rtol=1e-12, atol=0.0), (
        str(tree),
        got,
        expected,
    )
