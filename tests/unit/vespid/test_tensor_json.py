"""Tensor types and tensor JSON: every Vespa input form, every render form, round trips."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

from vespid.document import (
    TENSOR_FORMATS,
    TensorType,
    TensorTypeError,
    canonical_tensor,
    cells_of,
    parse_tensor_type,
    read_tensor,
    render_tensor,
)
from vespid.document.tensor_json import Address, cast_cell
from vespid.document.tensor_type import Dimension
from vespid.errors import InvalidDocumentError


def read(type_text: str, data: Any) -> dict[str, Any]:
    ttype = parse_tensor_type(type_text)
    return canonical_tensor(ttype, read_tensor(ttype, data, "f"))


# --- types -----------------------------------------------------------------------------


def test_type_text_is_made_canonical() -> None:
    assert str(parse_tensor_type("tensor<float>( y[2] , x{} )")) == "tensor<float>(x{},y[2])"
    assert str(parse_tensor_type("tensor<double>(x[3])")) == "tensor(x[3])"
    assert str(parse_tensor_type("tensor()")) == "tensor()"


@pytest.mark.parametrize(
    "text",
    [
        "tensor<half>(x[2])",
        "tensor(x[0])",
        "tensor(x[])",
        "tensor(x[2],x{})",
        "vector(x)",
        "tensor(1x{})",
    ],
)
def test_bad_type_texts_are_rejected(text: str) -> None:
    with pytest.raises(TensorTypeError):
        parse_tensor_type(text)


# --- input forms -----------------------------------------------------------------------

DENSE = "tensor(x[2],y[2])"
MIXED = "tensor(m{},x[2])"


@pytest.mark.parametrize(
    "data",
    [
        {"values": [[1, 2], [3, 4]]},
        {"values": [1, 2, 3, 4]},
        {"type": DENSE, "values": ["1", "2", "3", "4.0"]},
        [[1, 2], [3, 4]],
        {"x": [[1, 2], [3, 4]]},
        {"values": "3FF0000000000000400000000000000040080000000000004010000000000000"},
        {
            "cells": [
                {"address": {"x": 0, "y": "0"}, "value": 1},
                {"address": {"x": "0", "y": "1"}, "value": 2},
                {"address": {"x": "1", "y": "0"}, "value": 3},
                {"address": {"x": "1", "y": "1"}, "value": 4},
            ]
        },
    ],
)
def test_dense_input_forms_agree(data: Any) -> None:
    assert read(DENSE, data) == {"type": DENSE, "values": [1.0, 2.0, 3.0, 4.0]}


def test_missing_dense_cells_given_by_address_are_zero() -> None:
    data = {"cells": [{"address": {"x": "1", "y": "1"}, "value": 4}]}
    assert read(DENSE, data)["values"] == [0.0, 0.0, 0.0, 4.0]


@pytest.mark.parametrize(
    ("cell_type", "hex_text", "values"),
    [
        ("float", "3F80000040000000", [1.0, 2.0]),
        ("bfloat16", "3F804000", [1.0, 2.0]),
        ("int8", "01FF", [1.0, -1.0]),
    ],
)
def test_hex_values_use_the_cell_type(cell_type: str, hex_text: str, values: list[float]) -> None:
    assert read(f"tensor<{cell_type}>(x[2])", {"values": hex_text})["values"] == values


MIXED_CANONICAL = {
    "type": MIXED,
    "cells": [
        {"address": {"m": "a", "x": "0"}, "value": 1.0},
        {"address": {"m": "a", "x": "1"}, "value": 2.0},
        {"address": {"m": "b", "x": "0"}, "value": 3.0},
        {"address": {"m": "b", "x": "1"}, "value": 0.0},
    ],
}


@pytest.mark.parametrize(
    "data",
    [
        {"blocks": {"a": [1, 2], "b": [3, 0]}},
        {
            "blocks": [
                {"address": {"m": "a"}, "values": [1, 2]},
                {"address": {"m": "b"}, "values": [3, 0]},
            ]
        },
        {"a": [1, 2], "b": [3, 0]},
        {
            "cells": [
                {"address": {"m": "a", "x": 0}, "value": 1},
                {"address": {"m": "a", "x": 1}, "value": 2},
                {"address": {"m": "b", "x": 0}, "value": 3},
            ]
        },
    ],
)
def test_mixed_input_forms_agree(data: Any) -> None:
    assert read(MIXED, data) == MIXED_CANONICAL


@pytest.mark.parametrize(
    "data",
    [
        {"cells": {"a": 1, "b": "2"}},
        {"a": 1, "b": 2},
        [{"address": {"c": "b"}, "value": 2}, {"address": {"c": "a"}, "value": 1}],
    ],
)
def test_single_mapped_dimension_forms_agree(data: Any) -> None:
    assert read("tensor(c{})", data) == {
        "type": "tensor(c{})",
        "cells": [{"address": {"c": "a"}, "value": 1.0}, {"address": {"c": "b"}, "value": 2.0}],
    }


@pytest.mark.parametrize(
    ("type_text", "data", "message"),
    [
        (DENSE, {"values": [1, 2, 3]}, "expected 4 values"),
        (DENSE, {"values": [1, 2, 3, "x"]}, "expected a number"),
        (DENSE, [1, 2, 3, float("inf")], "expected a finite number"),
        (DENSE, [1, 2, 3, 10**400], "expected a number"),
        ("tensor(c{})", {"a": "nan"}, "expected a finite number"),
        ("tensor(x[2])", {"cells": [{"address": {"x": "2"}, "value": 1}]}, "not in 0..1"),
        ("tensor(x[2])", {"cells": [{"address": {"y": "0"}, "value": 1}]}, "no dimension 'y'"),
        (
            "tensor(a{},b{})",
            {"cells": [{"address": {"a": "0"}, "value": 1}]},
            "no label for dimension 'b'",
        ),
        ("tensor(a{},b{})", {"cells": {"x": 1}}, "one dimension"),
        ("tensor<float>(x[2])", {"values": "3F80"}, "8 digits per cell"),
        ("tensor(x[2])", {"values": "zz"}, "not a hex string"),
        ("tensor(c{})", 5, "expected a tensor"),
        (MIXED, {"blocks": {"a": [1]}}, "expected 2 values"),
        ("tensor(c{})", {"blocks": {"a": [1]}}, "needs a mixed tensor"),
    ],
)
def test_bad_tensor_values_name_the_field(type_text: str, data: Any, message: str) -> None:
    with pytest.raises(InvalidDocumentError, match=message) as info:
        read(type_text, data)
    assert "Field 'f'" in str(info.value)


def test_float_cells_hold_what_a_float_holds() -> None:
    assert read("tensor<float>(x[1])", [0.1])["values"] == [cast_cell("float", 0.1)]
    assert cast_cell("float", 0.1) != 0.1
    assert cast_cell("int8", 130.7) == -126.0
    assert cast_cell("bfloat16", 1.00001) == 1.0


# --- rendering -------------------------------------------------------------------------


def test_short_forms_are_vespas() -> None:
    dense = read(DENSE, [1, 2, 3, 4])
    assert render_tensor(parse_tensor_type(DENSE), dense, "short") == {
        "type": DENSE,
        "values": [[1.0, 2.0], [3.0, 4.0]],
    }
    assert render_tensor(parse_tensor_type(MIXED), MIXED_CANONICAL, "short-value") == {
        "a": [1.0, 2.0],
        "b": [3.0, 0.0],
    }
    two = parse_tensor_type("tensor(a{},b{},x[1])")
    value = canonical_tensor(two, {("p", "q", "0"): 5.0})
    assert render_tensor(two, value, "short") == {
        "type": str(two),
        "blocks": [{"address": {"a": "p", "b": "q"}, "values": [5.0]}],
    }


def test_long_form_lists_every_dense_cell() -> None:
    ttype = parse_tensor_type("tensor(x[2])")
    assert render_tensor(ttype, read("tensor(x[2])", [1, 2]), "long-value") == [
        {"address": {"x": "0"}, "value": 1.0},
        {"address": {"x": "1"}, "value": 2.0},
    ]


def test_unknown_render_form_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown tensor format"):
        render_tensor(parse_tensor_type(DENSE), read(DENSE, [1, 2, 3, 4]), "hex")


# --- round trips -----------------------------------------------------------------------

RESERVED = {"type", "cells", "values", "blocks"}
labels = st.text(alphabet="abcxyz_0123", min_size=1, max_size=3).filter(lambda s: s not in RESERVED)
dimensions = st.lists(
    st.tuples(st.sampled_from("abcdxyz"), st.none() | st.integers(1, 3)),
    min_size=1,
    max_size=3,
    unique_by=lambda d: d[0],
)
tensor_types = st.builds(
    lambda cell, dims: TensorType(
        cell, tuple(sorted((Dimension(n, s) for n, s in dims), key=lambda d: d.name))
    ),
    st.sampled_from(["double", "float", "bfloat16", "int8"]),
    dimensions,
)


@st.composite
def tensors(draw: st.DrawFn) -> tuple[TensorType, dict[str, Any]]:
    ttype = draw(tensor_types)
    label_of = [
        labels if d.mapped else st.integers(0, (d.size or 1) - 1).map(str) for d in ttype.dimensions
    ]
    addresses: list[Address] = draw(st.lists(st.tuples(*label_of), max_size=6))
    number = (
        st.integers(-128, 127).map(float)
        if ttype.cell_type == "int8"
        else st.floats(-1e30, 1e30, allow_nan=False)
    )
    cells = {a: draw(number) for a in addresses}
    return ttype, canonical_tensor(ttype, cells)


@given(tensors(), st.sampled_from(TENSOR_FORMATS))
def test_every_rendered_form_reads_back_to_the_same_value(
    tensor: tuple[TensorType, dict[str, Any]], form: str
) -> None:
    ttype, value = tensor
    rendered = render_tensor(ttype, value, form)
    assert canonical_tensor(ttype, read_tensor(ttype, rendered, "f")) == value


@given(tensors())
def test_canonical_value_is_a_fixed_point(tensor: tuple[TensorType, dict[str, Any]]) -> None:
    ttype, value = tensor
    assert canonical_tensor(ttype, read_tensor(ttype, value, "f")) == value
    assert canonical_tensor(ttype, cells_of(ttype, value)) == value
