"""Random expressions over random tensors: evaluation gives a value or our own error, and
the statically inferred type is the type evaluation produces."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings, strategies as st

from vespid.expression import (
    ExpressionError,
    FeatureRef,
    Tensor,
    TensorType,
    compile_expression,
    infer_type,
    parse_expression,
    parse_tensor_type,
)

N = 3
TYPES = {
    "attribute(v)": ("tensor<float>(x[3])", True),
    "query(q)": ("tensor<float>(x[3])", False),
    "attribute(m)": ("tensor(x[3],y[2])", True),
    "query(p)": ("tensor<float>(cat{})", False),
    "attribute(s)": ("tensor<bfloat16>(cat{})", True),
    "attribute(mx)": ("tensor(cat{},x[3])", True),
}
LEAVES = [
    *TYPES,
    "bm25(t)",
    "c",
    "1",
    "0.5",
    "-2",
    "tensor(x[3]):[1,2,3]",
    "tensor(cat{}):{a:1,b:2}",
    "tensor(x[3])(x*2)",
]
DIMS = st.sampled_from(["x", "y", "cat", "z"])
AGGREGATORS = st.sampled_from(["sum", "max", "avg", "count", "median", "prod", "min"])


def _unary(a: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    templates = [
        "reduce({a}, {agg})",
        "reduce({a}, sum, {d})",
        "map({a}, f(t)(t*2+1))",
        "l2_normalize({a}, {d})",
        "{a}{{{d}:1}}",
        "rename({a}, {d}, w)",
        "argmax({a}, {d})",
        "cell_cast({a}, float)",
        "softmax({a}, {d})",
        "top(2, {a})",
        "cell_order({a}, max)",
        "expand({a}, {d})",
        "filter_subspaces({a}, f(t)(t))",
        "map_subspaces({a}, f(t)(t*2))",
        "max({a}, {d})",
        "{a}[1]",
        "tensor(x[3])({a}{{x:(x)}})",
        "!{a}",
        "({a} in [1, 2])",
    ]
    return st.tuples(st.sampled_from(templates), a, AGGREGATORS, DIMS).map(
        lambda t: t[0].format(a=t[1], agg=t[2], d=t[3])
    )


def _binary(a: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    templates = [
        "({a} + {b})",
        "({a} * {b})",
        "join({a}, {b}, f(p,q)(p-q))",
        "matmul({a}, {b}, {d})",
        "if({a} > 0, {b}, 1)",
        "concat({a}, {b}, {d})",
        "merge({a}, {b}, f(p,q)(p*q))",
        "xw_plus_b({a}, {b}, {a}, {d})",
        "min({a}, {b})",
    ]
    return st.tuples(st.sampled_from(templates), a, a, DIMS).map(
        lambda t: t[0].format(a=t[1], b=t[2], d=t[3])
    )


EXPRESSIONS = st.recursive(
    st.sampled_from(LEAVES), lambda a: st.one_of(_unary(a), _binary(a)), max_leaves=6
)


@st.composite
def feature_values(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {"bm25(t)": np.array([0.1, 0.5, 2.0]), "c": 2.0}
    number = st.integers(-3, 3).map(float)
    for name, (text, batched) in TYPES.items():
        tensor_type = parse_tensor_type(text)
        rows = N if batched else 1
        documents = []
        for _ in range(rows):
            labels = draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3))
            subspaces = [(label,) for label in labels] if tensor_type.mapped_names else [()]
            dense = [tuple(str(i) for i in ix) for ix in np.ndindex(*tensor_type.dense_shape)]
            documents.append({(*s, *d): draw(number) for s in subspaces for d in dense})
        values[name] = Tensor.stack(tensor_type, documents, batched=batched)
    return values


class Values:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def feature(self, ref: FeatureRef) -> object:
        return self.values.get(str(ref), 0.0)


@settings(max_examples=120, deadline=None)
@given(EXPRESSIONS, feature_values())
def test_evaluation_raises_only_expression_errors(text: str, values: dict[str, Any]) -> None:
    node = parse_expression(text)
    try:
        result = compile_expression(node).evaluate_value(Values(values), N)
    except ExpressionError:
        return
    assert isinstance(result, float | np.ndarray | Tensor)
    if "if(" in text:
        return  # a branch chosen at run time may be a number where the type says tensor

    def types(ref: FeatureRef) -> TensorType | None:
        value = values.get(str(ref))
        return value.type if isinstance(value, Tensor) else None

    try:
        inferred = infer_type(node, types)
    except ExpressionError:
        return
    produced = result.type.dimensions if isinstance(result, Tensor) else ()
    assert inferred.dimensions == produced, text
