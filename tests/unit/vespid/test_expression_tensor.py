"""Batched tensor evaluation against a brute-force per-candidate model, plus conversions."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from vespid.expression import (
    ExpressionSyntaxError,
    FeatureRef,
    Tensor,
    TensorType,
    TensorTypeError,
    compile_expression,
    parse_expression,
    parse_tensor_type,
)
from vespid.expression.tensor_convert import (
    stack_json,
    tensor_from_json,
    tensor_from_literal,
    tensor_to_json,
)
from vespid.expression.tensor_type import Dimension
from vespid.expression.types import infer_type

Cells = dict[tuple[tuple[str, str], ...], float]
"""The model: a tensor of one candidate as {((dim, label), ...) sorted: value}."""

DIMENSIONS = {"a": None, "b": None, "x": 2, "y": 3}
LABELS = ("p", "q", "r")


@st.composite
def tensor_types(draw: st.DrawFn) -> TensorType:
    names = draw(st.lists(st.sampled_from(sorted(DIMENSIONS)), min_size=1, max_size=3, unique=True))
    return TensorType("double", tuple(Dimension(n, DIMENSIONS[n]) for n in names))


@st.composite
def model_cells(draw: st.DrawFn, tensor_type: TensorType) -> Cells:
    mapped = tensor_type.mapped_names
    subspaces = draw(
        st.lists(st.tuples(*(st.sampled_from(LABELS) for _ in mapped)), max_size=4, unique=True)
        if mapped
        else st.just([()])
    )
    dense = [(d.name, range(d.size or 0)) for d in tensor_type.indexed]
    cells: Cells = {}
    value = st.integers(-3, 3).map(float)
    for labels in subspaces:
        for index in itertools.product(*(r for _, r in dense)):
            address = list(zip(mapped, labels, strict=True))
            address += [(n, str(i)) for (n, _), i in zip(dense, index, strict=True)]
            cells[tuple(sorted(address))] = draw(value)
    return cells


def to_tensor(tensor_type: TensorType, documents: list[Cells], *, batched: bool) -> Tensor:
    rows = [{tuple(label for _, label in a): v for a, v in d.items()} for d in documents]
    return Tensor.stack(tensor_type, rows, batched=batched)


def from_value(value: Any, candidate: int) -> Cells:
    if isinstance(value, Tensor):
        names = value.type.dimension_names
        return {tuple(zip(names, a, strict=True)): v for a, v in value.cells_of(candidate).items()}
    return {(): float(np.asarray(value).reshape(-1)[candidate] if np.ndim(value) else value)}


def join_model(a: Cells, b: Cells, op: Callable[[float, float], float]) -> Cells:
    result: Cells = {}
    for address_a, va in a.items():
        for address_b, vb in b.items():
            da, db = dict(address_a), dict(address_b)
            if all(da[k] == db[k] for k in da.keys() & db.keys()):
                result[tuple(sorted({**da, **db}.items()))] = op(va, vb)
    return result


AGGREGATE: dict[str, Callable[[list[float]], float]] = {
    "sum": sum,
    "count": lambda v: float(len(v)),
    "avg": lambda v: sum(v) / len(v),
    "max": max,
    "min": min,
    "prod": math.prod,
    "median": lambda v: float(np.median(v)),
}


def reduce_model(t: Cells, aggregator: str, dims: set[str], all_dims: set[str]) -> Cells:
    groups: dict[tuple[tuple[str, str], ...], list[float]] = {}
    for address, value in t.items():
        kept = tuple((k, v) for k, v in address if k not in dims)
        groups.setdefault(kept, []).append(value)
    result = {k: AGGREGATE[aggregator](v) for k, v in groups.items()}
    if not (all_dims - dims) and not result:
        return {(): 0.0}
    return result


class Features:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def feature(self, ref: FeatureRef) -> object:
        return self.values[str(ref)]


def assert_same(got: Cells, expected: Cells) -> None:
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert math.isclose(got[k], v, rel_tol=1e-9, abs_tol=1e-9), (k, got[k], v)


OPS = {"+": lambda x, y: x + y, "*": lambda x, y: x * y, "-": lambda x, y: x - y}


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_join_then_reduce_matches_model(data: st.DataObject) -> None:
    type_a, type_b = data.draw(tensor_types()), data.draw(tensor_types())
    n = data.draw(st.integers(1, 4))
    docs = [data.draw(model_cells(type_a)) for _ in range(n)]
    shared = data.draw(model_cells(type_b))
    op = data.draw(st.sampled_from(sorted(OPS)))
    aggregator = data.draw(st.sampled_from(sorted(AGGREGATE)))
    joined_dims = set(type_a.dimension_names) | set(type_b.dimension_names)
    dims = data.draw(st.lists(st.sampled_from(sorted(joined_dims)), unique=True, max_size=2))
    text = f"reduce(attribute(t) {op} query(q), {', '.join([aggregator, *dims])})"
    values = {
        "attribute(t)": to_tensor(type_a, docs, batched=True),
        "query(q)": to_tensor(type_b, [shared], batched=False),
    }
    node = parse_expression(text)
    got = compile_expression(node).evaluate_value(Features(values), n)
    inferred = infer_type(node, lambda ref: values[str(ref)].type)
    assert inferred.dimensions == (got.type.dimensions if isinstance(got, Tensor) else ())
    for i, doc in enumerate(docs):
        joined = join_model(doc, shared, OPS[op])
        expected = reduce_model(joined, aggregator, set(dims) or joined_dims, joined_dims)
        assert_same(from_value(got, i), expected)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_map_normalize_and_rename_match_model(data: st.DataObject) -> None:
    tensor_type = data.draw(tensor_types())
    n = data.draw(st.integers(1, 3))
    docs = [data.draw(model_cells(tensor_type)) for _ in range(n)]
    dim = data.draw(st.sampled_from(tensor_type.dimension_names))
    text = f"rename(map(l2_normalize(attribute(t), {dim}), f(v)(v * 3 + 1)), {dim}, z)"
    values = {"attribute(t)": to_tensor(tensor_type, docs, batched=True)}
    got = compile_expression(parse_expression(text)).evaluate_value(Features(values), n)
    all_dims = set(tensor_type.dimension_names)
    for i, doc in enumerate(docs):
        squares = reduce_model({k: v * v for k, v in doc.items()}, "sum", {dim}, all_dims)
        norms = {k: math.sqrt(v) for k, v in squares.items()}
        expected = join_model(doc, norms, lambda x, y: (x / y if y else math.nan) * 3 + 1)
        renamed = {
            tuple(sorted(("z" if k == dim else k, v) for k, v in a)): v for a, v in expected.items()
        }
        got_cells = from_value(got, i)
        assert got_cells.keys() == renamed.keys()
        for k, v in renamed.items():
            assert (math.isnan(v) and math.isnan(got_cells[k])) or math.isclose(
                got_cells[k], v, rel_tol=1e-9
            )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(-5, 5).map(float), min_size=3, max_size=3), min_size=1, max_size=5
    )
)
def test_dense_functions_match_numpy(rows: list[list[float]]) -> None:
    tensor_type = parse_tensor_type("tensor(x[3])")
    values = {
        "attribute(v)": Tensor.from_dense(tensor_type, np.array(rows), batched=True),
        "query(q)": tensor_from_literal("[1, -2, 0.5]", tensor_type),
        "query(w)": tensor_from_literal(
            "[[1,0],[0,1],[1,1]]", parse_tensor_type("tensor(x[3],y[2])")
        ),
    }
    features = Features(values)
    v, q = np.array(rows), np.array([1.0, -2.0, 0.5])
    w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

    def run(text: str) -> Any:
        return compile_expression(parse_expression(text)).evaluate_value(features, len(rows))

    assert np.allclose(run("sum(attribute(v) * query(q))"), v @ q)
    assert np.allclose(run("reduce(attribute(v), max)"), v.max(axis=1))
    assert np.allclose(run("matmul(attribute(v), query(w), x)").values, v @ w)
    assert np.allclose(
        run("xw_plus_b(attribute(v), query(w), tensor(y[2]):[1,2], x)").values, v @ w + [1, 2]
    )
    soft = run("softmax(attribute(v), x)").values
    assert np.allclose(soft, np.exp(v) / np.exp(v).sum(axis=1, keepdims=True))
    assert np.allclose(run("argmax(attribute(v), x)").values, (v == v.max(axis=1, keepdims=True)))
    assert np.allclose(run("attribute(v){x:1} + attribute(v)[2]"), v[:, 1] + v[:, 2])
    assert np.allclose(run("sum(tensor(x[3])(attribute(v){x:(2 - x)}) * query(q))"), v[:, ::-1] @ q)
    assert np.allclose(
        run("concat(attribute(v), query(q), x)").values, np.hstack([v, np.tile(q, (len(rows), 1))])
    )
    assert np.allclose(run("cell_cast(attribute(v) / 3, float)").values, (v / 3).astype(np.float32))
    assert np.allclose(
        run("if(reduce(attribute(v), sum) > 0, 1, 2)"), np.where(v.sum(axis=1) > 0, 1, 2)
    )


def test_lambdas_read_per_candidate_values_and_generate_tensors() -> None:
    vector = parse_tensor_type("tensor(x[3])")
    values = {
        "query(q)": tensor_from_literal("[1, 2, 3]", vector),
        "bm25(t)": np.array([1.0, 10.0]),
        "attribute(m)": tensor_from_json(
            {"type": "tensor(cat{},x[2])", "blocks": {"a": [1, 2], "b": [3, 4]}}
        ),
    }

    def run(text: str) -> Any:
        return compile_expression(parse_expression(text)).evaluate_value(Features(values), 2)

    scaled = run("map(query(q), f(v)(v * bm25(t)))")
    assert scaled.values.tolist() == [[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]
    joined = run("join(query(q), query(q), f(a, b)(a + b + bm25(t)))")
    assert joined.values.tolist() == [[3.0, 5.0, 7.0], [12.0, 14.0, 16.0]]
    generated = run("map(query(q), f(v)(sum(tensor(y[4])(v * y))))")
    assert generated.values.tolist() == [6.0, 12.0, 18.0]
    assert np.allclose(run("sum(map(query(q), f(v)(v + sum(query(q)))))"), 24.0)
    subspaces = run("map_subspaces(attribute(m), f(s)(s * bm25(t)))")
    assert subspaces.cells_of(1) == {
        ("a", "0"): 10.0,
        ("a", "1"): 20.0,
        ("b", "0"): 30.0,
        ("b", "1"): 40.0,
    }


def test_per_candidate_if_picks_tensors_with_different_labels() -> None:
    tensor_type = parse_tensor_type("tensor(cat{})")
    values = {
        "query(a)": tensor_from_literal("{a:1,b:2}", tensor_type),
        "query(b)": tensor_from_literal("{c:5}", tensor_type),
        "bm25(t)": np.array([1.0, 0.0]),
    }
    got = compile_expression(
        parse_expression("if(bm25(t) > 0, query(a), query(b))")
    ).evaluate_value(Features(values), 2)
    assert isinstance(got, Tensor)
    assert got.cells_of(0) == {("a",): 1.0, ("b",): 2.0}
    assert got.cells_of(1) == {("c",): 5.0}


def test_sparse_dot_product_with_missing_labels() -> None:
    tensor_type = parse_tensor_type("tensor<float>(cat{})")
    documents = stack_json(
        tensor_type,
        [
            {"cells": {"pop": 1.0, "rock": 0.5}},
            None,
            {"cells": [{"address": {"cat": "jazz"}, "value": 2}]},
        ],
    )
    query = tensor_from_literal("{{cat:pop}:2,{cat:jazz}:3}", tensor_type)
    got = compile_expression(parse_expression("sum(query(q) * attribute(s))")).evaluate(
        Features({"query(q)": query, "attribute(s)": documents}), 3
    )
    assert got.tolist() == [2.0, 0.0, 6.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tensor<float>(x[3],cat{})", "tensor<float>(cat{},x[3])"),
        ("tensor(y[2],x{})", "tensor(x{},y[2])"),
        ("tensor<bfloat16>(x[4])", "tensor<bfloat16>(x[4])"),
        ("tensor<int8>()", "tensor<int8>()"),
    ],
)
def test_tensor_types_print_canonically(text: str, expected: str) -> None:
    assert str(parse_tensor_type(text)) == expected
    assert parse_tensor_type(expected) == parse_tensor_type(text)


def test_json_forms_round_trip() -> None:
    dense = {"type": "tensor<float>(x[2],y[2])", "values": [[1.0, 2.0], [3.0, 4.0]]}
    assert tensor_to_json(tensor_from_json(dense)) == {**dense, "values": [1.0, 2.0, 3.0, 4.0]}
    mixed = {
        "type": "tensor(cat{},x[2])",
        "cells": [
            {"address": {"cat": "a", "x": "0"}, "value": 1.0},
            {"address": {"cat": "a", "x": "1"}, "value": 2.0},
        ],
    }
    assert tensor_to_json(tensor_from_json(mixed)) == mixed
    blocks = tensor_from_json({"type": "tensor(cat{},x[2])", "blocks": {"a": [1, 2]}})
    assert tensor_to_json(blocks) == mixed


def test_cells_are_rounded_to_their_cell_type() -> None:
    int8 = tensor_from_json({"type": "tensor<int8>(x[3])", "values": [1.7, -2.2, 200]})
    assert int8.values.tolist() == [1.0, -2.0, -56.0]
    bfloat = tensor_from_json({"type": "tensor<bfloat16>(x[1])", "values": [1.0 + 2.0**-9]})
    assert bfloat.values.tolist() == [1.0]


@pytest.mark.parametrize(
    "value",
    [
        {"type": "tensor(x[2])", "values": [1.0]},
        {"type": "tensor(x[2])", "cells": [{"address": {"y": "0"}, "value": 1.0}]},
        {"type": "tensor(x[2])", "cells": [{"address": {"x": "5"}, "value": 1.0}]},
        {"type": "tensor(x[2])"},
    ],
)
def test_bad_json_values_are_refused(value: dict[str, Any]) -> None:
    with pytest.raises(TensorTypeError):
        tensor_from_json(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, foo]", "expected a number"),
        ("[1, 2", "expected"),
        ("[1, 2, 3, 4]", "expected 3 values"),
        ("{a:1", "expected"),
        ("[1, 2, 3] extra", "end of tensor literal"),
    ],
)
def test_bad_query_literals_are_refused(text: str, message: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match=message):
        tensor_from_literal(text, parse_tensor_type("tensor(x[3])"))


def test_query_literal_forms() -> None:
    mapped = parse_tensor_type("tensor(cat{})")
    assert tensor_from_literal("{a:1, b:-2}", mapped).cells_of() == {("a",): 1.0, ("b",): -2.0}
    assert tensor_from_literal("{{cat:a}:3}", mapped).cells_of() == {("a",): 3.0}
    full = tensor_from_literal("tensor<float>(x[2]):[1,2]", mapped)
    assert full.type == parse_tensor_type("tensor<float>(x[2])")


@pytest.mark.parametrize(
    "text",
    [
        "bm25(t) + sum(query(q) * attribute(v))",
        "reduce(l2_normalize(attribute(v), x), max)",
        "sum(query(p) * attribute(s))",
        "sum(map(query(q), f(c)(c * bm25(t))))",
        "sum(concat(attribute(v), query(q), x))",
        "attribute(v){x:1}",
        "sum(tensor(x[2])(bm25(t)))",
        "sum(map_subspaces(attribute(mx), f(s)(s * bm25(t))))",
        "sum(join(query(q), query(q), f(a,b)(a + b + bm25(t))))",
    ],
)
def test_zero_candidates_give_empty_scores(text: str) -> None:
    vector = parse_tensor_type("tensor<float>(x[3])")
    mapped = parse_tensor_type("tensor(cat{})")
    values = {
        "attribute(v)": Tensor.from_dense(vector, np.zeros((0, 3), np.float32), batched=True),
        "query(q)": tensor_from_literal("[1,2,3]", vector),
        "bm25(t)": np.zeros(0),
        "attribute(s)": Tensor.stack(mapped, []),
        "query(p)": tensor_from_literal("{a:1}", mapped),
        "attribute(mx)": Tensor.stack(parse_tensor_type("tensor(cat{},x[2])"), []),
    }
    scores = compile_expression(parse_expression(text)).evaluate(Features(values), 0)
    assert scores.shape == (0,)
