"""The one tensor type parser (vespid.tensor_type), used by documents and expressions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

import vespid.document
import vespid.document.tensor_type
import vespid.expression
import vespid.expression.tensor_type
from vespid.expression import ExpressionSyntaxError, parse_expression
from vespid.tensor_type import (
    Dimension,
    TensorType,
    TensorTypeError,
    parse_tensor_type,
    read_tensor_type,
)

dimensions = st.lists(
    st.tuples(st.sampled_from(["a", "b", "x", "y_2", "cat"]), st.none() | st.integers(1, 99)),
    max_size=4,
    unique_by=lambda d: d[0],
)
tensor_types = st.builds(
    lambda cell, dims: TensorType(cell, tuple(Dimension(n, s) for n, s in dims)),
    st.sampled_from(["double", "float", "bfloat16", "int8"]),
    dimensions,
)


@given(tensor_types, st.randoms(), st.sampled_from(["", " ", "  \n"]))
def test_any_order_and_spacing_parses_to_the_same_type(
    ttype: TensorType, random: Any, space: str
) -> None:
    dims = [str(d).replace("[", f"{space}[{space}") for d in ttype.dimensions]
    random.shuffle(dims)
    text = f"{space}tensor{space}<{space}{ttype.cell_type}{space}>({space}{f'{space},'.join(dims)})"
    assert parse_tensor_type(text) == ttype
    assert parse_tensor_type(str(ttype)) == ttype


def test_canonical_text_sorts_dimensions_and_drops_double() -> None:
    assert str(parse_tensor_type("tensor<float>( y[2] , x{} )")) == "tensor<float>(x{},y[2])"
    assert str(parse_tensor_type("tensor<double>(x[3])")) == "tensor(x[3])"
    assert str(parse_tensor_type("tensor()")) == "tensor()"


def test_properties_of_a_mixed_type() -> None:
    t = parse_tensor_type("tensor<int8>(x[3],cat{},y[2])")
    assert t.dimension_names == ("cat", "x", "y")
    assert t.mapped_names == ("cat",)
    assert t.mapped == (Dimension("cat"),)
    assert t.indexed == (Dimension("x", 3), Dimension("y", 2))
    assert (t.dense_shape, t.dense_size, t.is_dense) == ((3, 2), 6, False)
    assert t.dimension("y") == Dimension("y", 2)
    assert t.dimension("z") is None
    assert TensorType().is_dense
    assert TensorType().dense_size == 1


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("tensor<half>(x[2])", 7, "expected a cell type among double, float, bfloat16, int8"),
        ("tensor(x[0])", 9, "positive integer size for dimension 'x', found '0'"),
        ("tensor(x[])", 9, "positive integer size for dimension 'x', found ']'"),
        ("tensor(x[2.5])", 9, "positive integer size"),
        ("tensor(x[2],x{})", 6, "a dimension appears twice in (x, x)"),
        ("tensor(x[2]) extra", 13, "expected the end of the tensor type, found 'extra'"),
        ("vector(x)", 0, "expected 'tensor', found 'vector'"),
        ("tensor(1x{})", 7, "expected a dimension name, found '1x'"),
        ("tensor(x{}", 10, "expected ')', found the end of the text"),
        ("tensor(x{} y{})", 11, "expected ',', found 'y'"),
    ],
)
def test_bad_types_are_refused_with_the_offset_of_the_fault(
    text: str, position: int, message: str
) -> None:
    with pytest.raises(TensorTypeError) as info:
        parse_tensor_type(text)
    assert info.value.position == position
    assert message in str(info.value)


def test_a_type_inside_longer_text_is_read_up_to_its_parenthesis() -> None:
    text = "tensor<float>(y[2], x{}):{}"
    ttype, written, end = read_tensor_type(text, 0)
    assert (str(ttype), written, text[end:]) == ("tensor<float>(x{},y[2])", ("y", "x"), ":{}")


def test_types_are_checked_when_made_in_code() -> None:
    with pytest.raises(TensorTypeError, match="cell type"):
        TensorType("half")
    with pytest.raises(TensorTypeError, match="appears twice"):
        TensorType("float", (Dimension("x"), Dimension("x", 2)))


def test_documents_and_expressions_use_this_parser() -> None:
    for module in (
        vespid.document,
        vespid.document.tensor_type,
        vespid.expression,
        vespid.expression.tensor_type,
    ):
        assert module.parse_tensor_type is parse_tensor_type
        assert module.TensorType is TensorType
        assert module.Dimension is Dimension
    assert vespid.document.TensorTypeError is TensorTypeError
    assert issubclass(vespid.expression.TensorTypeError, TensorTypeError)


@pytest.mark.parametrize(
    ("expression", "position", "message"),
    [
        ("1 + tensor<half>(x[2]):[1,2]", 11, "expected a cell type"),
        ("tensor(x[0])(1)", 9, "positive integer size"),
        ("range(x[2], x[3])", 0, "appears twice"),
        ("diag(x[-1])", 7, "positive integer size"),
    ],
)
def test_expression_type_errors_point_into_the_expression(
    expression: str, position: int, message: str
) -> None:
    with pytest.raises(ExpressionSyntaxError, match=message) as info:
        parse_expression(expression)
    assert info.value.position == position


def test_expressions_parse_the_type_and_go_on_after_it() -> None:
    node = parse_expression("tensor<float>(y[2],x[1]):[[1],[2]] * 2")
    assert str(node) == "tensor<float>(x[1],y[2]):[1, 2] * 2"
