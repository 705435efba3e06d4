"""Put validation: every field type to its canonical value, Vespa's leniency, clear errors."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, strategies as st

from vespid.config import FieldConfig, SchemaConfig, StructConfig
from vespid.document import (
    TENSOR_FORMATS,
    FieldTypeError,
    parse_field_type,
    render_fields,
    validate_fields,
)
from vespid.errors import InvalidDocumentError

PERSON = StructConfig("person", (FieldConfig("name", "string"), FieldConfig("age", "int")))


def schema_with(**types: str) -> SchemaConfig:
    fields = tuple(FieldConfig(name, t) for name, t in types.items())
    synthetic = FieldConfig("title_copy", "string", in_document=False)
    return SchemaConfig("music", fields=(*fields, synthetic), structs=(PERSON,))


def check(type_text: str, value: Any) -> Any:
    return validate_fields(schema_with(f=type_text), {"f": value})["f"]


@pytest.mark.parametrize(
    ("type_text", "value", "canonical"),
    [
        ("string", "hello", "hello"),
        ("string", 12, "12"),
        ("string", True, "true"),
        ("reference<artist>", "", ""),
        ("int", "1000", 1000),
        ("int", -5, -5),
        ("long", str(2**62), 2**62),
        ("byte", "-128", -128),
        ("double", "1.5", 1.5),
        ("float", 2, 2.0),
        ("float", 0.1 + 0.2, 0.3),
        ("float", 1 / 3, 0.33333334),
        ("bool", "true", True),
        ("bool", False, False),
        ("uri", "http://a/b", "http://a/b"),
        ("raw", "aGVsbG8=", "aGVsbG8="),
        ("position", "N37.4;W122.0", {"lat": 37.4, "lng": -122.0}),
        ("position", {"lat": 63.45370001, "lng": 1e-7}, {"lat": 63.4537, "lng": 0.0}),
        ("position", {"lat": "37.4", "lng": -122}, {"lat": 37.4, "lng": -122.0}),
        ("position", {"x": -122000000, "y": 37400000}, {"lat": 37.4, "lng": -122.0}),
        ("array<int>", [1, "2"], [1, 2]),
        ("weightedset<string>", {"a": 1, "b": "-2"}, {"a": 1, "b": -2}),
        ("weightedset<int>", {"7": 3}, {"7": 3}),
        ("map<string,int>", {"a": "1"}, {"a": 1}),
        ("map<int,string>", [{"key": 1, "value": "x"}], {"1": "x"}),
        ("person", {"name": "Ann", "age": "30"}, {"name": "Ann", "age": 30}),
        ("unknown_struct", {"any": [1]}, {"any": [1]}),
        ("reference<artist>", "id:ns:artist::a", "id:ns:artist::a"),
        ("array<person>", [{"name": "B"}], [{"name": "B"}]),
        (
            "map<string,tensor(x[2])>",
            {"k": [1, 2]},
            {"k": {"type": "tensor(x[2])", "values": [1.0, 2.0]}},
        ),
    ],
)
def test_values_become_canonical(type_text: str, value: Any, canonical: Any) -> None:
    assert check(type_text, value) == canonical


@pytest.mark.parametrize(
    ("type_text", "value", "message"),
    [
        ("string", [5], "Field 'f': expected a string value"),
        ("int", "ten", "Field 'f': expected a int"),
        ("int", 2**31, "32-bit"),
        ("byte", 200, "8-bit"),
        ("int", 1.5, "expected a int"),
        ("int", True, "expected a int"),
        ("double", "x", "expected a double"),
        ("double", "NaN", "expected a finite double"),
        ("float", 1e39, "32-bit"),
        ("double", 10**400, "expected a double"),
        ("bool", "yes", "expected a bool"),
        ("raw", "not base64!", "base64"),
        ("position", "somewhere", "position like"),
        ("position", {"lat": 91, "lng": 0}, "latitude"),
        ("array<int>", [1, "x"], r"Field 'f\[1\]'"),
        ("array<int>", 1, "JSON array"),
        ("weightedset<int>", {"x": 1}, r"Field 'f\{x\}'"),
        ("weightedset<string>", ["a"], "item: weight"),
        ("map<string,int>", [{"k": 1}], "key"),
        ("person", {"nick": "x"}, "No field 'nick' in the structure of type 'person'"),
        ("person", {"age": "old"}, r"Field 'f\.age'"),
        ("reference<artist>", "id:ns:album::a", "document id of type 'artist'"),
        ("reference<artist>", "nonsense", "Field 'f'"),
        ("map<array<int>,int>", {"a": 1}, "cannot be a key"),
        ("tensor<float>(x[1])", [1e39], "cell values in range"),
    ],
)
def test_wrong_values_are_rejected_naming_the_field(
    type_text: str, value: Any, message: str
) -> None:
    with pytest.raises(InvalidDocumentError, match=message):
        check(type_text, value)


def test_unknown_field_gets_vespas_message() -> None:
    with pytest.raises(InvalidDocumentError) as info:
        validate_fields(schema_with(f="int"), {"g": 1})
    assert str(info.value) == (
        "No field 'g' in the structure of type 'music', which has the fields: [f]"
    )


def test_fields_outside_the_document_cannot_be_fed() -> None:
    with pytest.raises(InvalidDocumentError, match="No field 'title_copy'"):
        validate_fields(schema_with(f="int"), {"title_copy": "x"})


def test_null_fields_are_left_out() -> None:
    assert validate_fields(schema_with(f="int"), {"f": None}) == {}


@pytest.mark.parametrize("text", ["array<int", "map<int>", "array<>", "", "a b"])
def test_bad_type_texts_are_rejected(text: str) -> None:
    with pytest.raises(FieldTypeError):
        parse_field_type(text)


def test_render_picks_fields_and_tensor_form() -> None:
    schema = schema_with(f="tensor(x[2])", g="int")
    fields = validate_fields(schema, {"f": [1, 2], "g": 3})
    assert render_fields(schema, fields, {"f"}) == {
        "f": {"type": "tensor(x[2])", "values": [1.0, 2.0]}
    }
    assert render_fields(schema, fields, tensor_format="short-value") == {"f": [1.0, 2.0], "g": 3}
    assert render_fields(schema, {**fields, "dropped": 1}) == render_fields(schema, fields)


# --- round trips over every type ---------------------------------------------------------

key_types = st.sampled_from(["string", "int", "long"])
leaf_types = st.sampled_from(
    [
        "string",
        "int",
        "long",
        "byte",
        "float",
        "double",
        "bool",
        "uri",
        "raw",
        "position",
        "person",
        "tensor<float>(x[3])",
        "tensor(c{})",
        "tensor<int8>(m{},x[2])",
        "tensor(a{},b{})",
    ]
)
type_texts = st.recursive(
    leaf_types,
    lambda inner: st.one_of(
        inner.map(lambda t: f"array<{t}>"),
        key_types.map(lambda t: f"weightedset<{t}>"),
        st.tuples(key_types, inner).map(lambda kv: f"map<{kv[0]},{kv[1]}>"),
    ),
    max_leaves=3,
)

INT_BITS = {"byte": 8, "int": 32, "long": 64}
tensor_numbers = st.integers(-128, 127)
labels = st.text(alphabet="abc", min_size=1, max_size=2)


def values_of(type_text: str) -> st.SearchStrategy[Any]:
    ftype = parse_field_type(type_text)
    kind = ftype.kind
    if kind in INT_BITS:
        bits = INT_BITS[kind]
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if kind in ("float", "double"):
        if kind == "float":
            return st.floats(allow_nan=False, allow_infinity=False, width=32)
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind in ("string", "uri"):
        return st.text(max_size=5)
    if kind == "bool":
        return st.booleans()
    if kind == "raw":
        return st.binary(max_size=6).map(lambda b: base64.b64encode(b).decode())
    if kind == "position":
        return st.fixed_dictionaries({"lat": st.floats(-90, 90), "lng": st.floats(-180, 180)})
    if kind == "struct":
        return st.fixed_dictionaries(
            {}, optional={"name": st.text(max_size=3), "age": values_of("int")}
        )
    if kind == "array":
        return st.lists(values_of(str(ftype.item)), max_size=3)
    if kind == "weightedset":
        return st.dictionaries(values_of(str(ftype.item)).map(str), values_of("int"), max_size=3)
    if kind == "map":
        return st.dictionaries(
            values_of(str(ftype.key)).map(str), values_of(str(ftype.item)), max_size=3
        )
    return raw_tensors(type_text)


def raw_tensors(type_text: str) -> st.SearchStrategy[Any]:
    ttype = parse_field_type(type_text).tensor
    assert ttype is not None
    if ttype.is_dense:
        return st.lists(tensor_numbers, min_size=ttype.dense_size, max_size=ttype.dense_size)
    if not ttype.indexed and len(ttype.dimensions) == 1:
        return st.dictionaries(labels, tensor_numbers, max_size=3)
    if ttype.indexed:
        return st.dictionaries(labels, st.lists(tensor_numbers, min_size=2, max_size=2), max_size=3)
    names = [d.name for d in ttype.dimensions]
    return st.lists(
        st.fixed_dictionaries(
            {
                "address": st.fixed_dictionaries(dict.fromkeys(names, labels)),
                "value": tensor_numbers,
            }
        ),
        max_size=3,
    )


@st.composite
def typed_values(draw: st.DrawFn) -> tuple[SchemaConfig, dict[str, Any]]:
    type_text = draw(type_texts)
    schema = schema_with(f=type_text)
    return schema, validate_fields(schema, {"f": draw(values_of(type_text))})


@given(typed_values(), st.sampled_from(TENSOR_FORMATS))
def test_rendered_fields_validate_back_to_the_same_canonical_values(
    typed: tuple[SchemaConfig, dict[str, Any]], tensor_format: str
) -> None:
    schema, fields = typed
    rendered = render_fields(schema, fields, tensor_format=tensor_format)
    assert validate_fields(schema, rendered) == fields


@given(typed_values())
def test_canonical_values_are_fixed_points(typed: tuple[SchemaConfig, dict[str, Any]]) -> None:
    schema, fields = typed
    assert validate_fields(schema, fields) == fields
