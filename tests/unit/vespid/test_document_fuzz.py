"""Arbitrary JSON against every field type: the codec answers or raises InvalidDocumentError."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import example, given, strategies as st

from vespid.config import FieldConfig, SchemaConfig, StructConfig
from vespid.document import apply_update, validate_fields, validate_update
from vespid.errors import InvalidDocumentError

TYPES = {
    "s": "string",
    "i": "int",
    "b": "byte",
    "f": "float",
    "ok": "bool",
    "raw": "raw",
    "pos": "position",
    "ref": "reference<music>",
    "arr": "array<int>",
    "ws": "weightedset<long>",
    "m": "map<string,array<double>>",
    "who": "person",
    "dense": "tensor<bfloat16>(x[2],y[2])",
    "sparse": "tensor(a{},b{})",
    "one": "tensor<int8>(c{})",
    "mixed": "tensor<float>(m{},x[3])",
}
SCHEMA = SchemaConfig(
    "music",
    fields=tuple(FieldConfig(n, t) for n, t in TYPES.items()),
    structs=(StructConfig("person", (FieldConfig("name", "string"), FieldConfig("age", "int"))),),
)

JSON_KEYS = ["a", "x", "0", "1", "cells", "values", "blocks", "type", "address", "value"]
JSON_KEYS += ["lat", "lng", "key", "element", "increment", "assign", "operation", "name"]
CURRENT = validate_fields(
    SCHEMA,
    {
        "i": 7,
        "f": 1.5,
        "arr": [1, 2, 3],
        "ws": {"5": 1, "6": 2},
        "m": {"a": [1.0], "b": []},
        "who": {"name": "x", "age": 3},
        "dense": [1, 2, 3, 4],
        "sparse": [{"address": {"a": "x", "b": "y"}, "value": 1}],
        "one": {"c": 2},
        "mixed": {"a": [1, 2, 3]},
    },
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.just(10**400)
    | st.floats()
    | st.text(alphabet="abcxyz0123.-{}[]:;NSEW", max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(JSON_KEYS),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
paths = st.sampled_from(
    [*TYPES, "m{a}", "arr[1]", "ws{5}", "who.name", "m{a}[0]", "i.x", "m{", "nope"]
)
ops = st.sampled_from(
    ["assign", "add", "remove", "increment", "divide", "match", "modify", "fieldpath", "zap"]
)


@example(name="mixed", value=[{"values": None}, None])
@given(st.sampled_from(sorted(TYPES)), json_values)
def test_puts_answer_or_raise_invalid_document(name: str, value: Any) -> None:
    try:
        canonical = validate_fields(SCHEMA, {name: value})
    except InvalidDocumentError:
        return
    assert validate_fields(SCHEMA, canonical) == canonical


@example(update={"ws": {"add": [[]]}})
@example(update={"i": {"increment": 10**400}})
@given(
    st.dictionaries(paths, st.dictionaries(ops, json_values, min_size=1, max_size=2), max_size=3)
)
def test_updates_answer_or_raise_invalid_document(update: dict[str, Any]) -> None:
    try:
        canonical = validate_update(SCHEMA, update)
    except InvalidDocumentError:
        return
    assert validate_update(SCHEMA, canonical) == canonical
    for current in (None, CURRENT):
        with contextlib.suppress(InvalidDocumentError):  # an arithmetic result out of range
            apply_update(SCHEMA, current, canonical)
