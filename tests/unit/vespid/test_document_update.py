"""Partial updates: each Vespa operation, canonical form, atomicity, and a brute-force model."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, strategies as st

from vespid.config import FieldConfig, SchemaConfig, StructConfig
from vespid.document import apply_update, validate_fields, validate_update
from vespid.errors import InvalidDocumentError

SCHEMA = SchemaConfig(
    "music",
    fields=(
        FieldConfig("n", "int"),
        FieldConfig("x", "double"),
        FieldConfig("title", "string"),
        FieldConfig("tags", "weightedset<string>"),
        FieldConfig("arr", "array<int>"),
        FieldConfig("m", "map<string,int>"),
        FieldConfig("t", "tensor(c{})"),
        FieldConfig("d", "tensor(x[3])"),
        FieldConfig("mixed", "tensor(m{},x[2])"),
        FieldConfig("f32", "tensor<float>(c{})"),
        FieldConfig("single", "float"),
        FieldConfig("who", "person"),
        FieldConfig("people", "map<string,person>"),
        FieldConfig("lists", "map<string,array<int>>"),
    ),
    structs=(StructConfig("person", (FieldConfig("name", "string"), FieldConfig("age", "int"))),),
)


def apply(current: dict[str, Any] | None, update: dict[str, Any]) -> dict[str, Any]:
    return apply_update(SCHEMA, current, update)


def put(**fields: Any) -> dict[str, Any]:
    return validate_fields(SCHEMA, fields)


# --- each operation ----------------------------------------------------------------------


def test_assign_sets_and_null_clears() -> None:
    doc = apply(None, {"title": {"assign": "a"}, "n": {"assign": "5"}})
    assert doc == {"title": "a", "n": 5}
    assert apply(doc, {"title": {"assign": None}}) == {"n": 5}


def test_arithmetic_on_numbers() -> None:
    doc = put(n=10, x=1.5)
    assert apply(doc, {"n": {"increment": 3}})["n"] == 13
    assert apply(doc, {"n": {"decrement": "3"}})["n"] == 7
    assert apply(doc, {"n": {"multiply": 2.5}})["n"] == 25
    assert apply(doc, {"n": {"divide": -3}})["n"] == -3
    assert apply(doc, {"x": {"divide": 2}})["x"] == 0.75


def test_float_fields_compute_like_32_bit_floats() -> None:
    assert apply(put(single=0.1), {"single": {"increment": 0.2}})["single"] == 0.3
    with pytest.raises(InvalidDocumentError, match="out of range"):
        apply(put(single=3e38), {"single": {"multiply": 10}})


def test_arithmetic_on_a_missing_field_does_nothing() -> None:
    assert apply({}, {"n": {"increment": 1}}) == {}


def test_weighted_set_add_remove_and_match() -> None:
    doc = put(tags={"a": 1})
    doc = apply(doc, {"tags": {"add": {"b": 5, "a": 2}}})
    assert doc["tags"] == {"a": 2, "b": 5}
    doc = apply(doc, {"tags": {"match": {"element": "b", "increment": 10}}})
    assert doc["tags"] == {"a": 2, "b": 15}
    doc = apply(doc, {"tags{a}": {"decrement": 1}, "tags{zz}": {"increment": 1}})
    assert doc["tags"] == {"a": 1, "b": 15}
    assert apply(doc, {"tags": {"remove": {"b": 0}}})["tags"] == {"a": 1}
    assert apply(doc, {"tags{a}": {"remove": 0}})["tags"] == {"b": 15}


def test_array_add_remove_and_elements() -> None:
    doc = put(arr=[1, 2, 1])
    assert apply(doc, {"arr": {"add": [3]}})["arr"] == [1, 2, 1, 3]
    assert apply(doc, {"arr": {"remove": [1]}})["arr"] == [2]
    assert apply(doc, {"arr[1]": {"assign": 9}})["arr"] == [1, 9, 1]
    assert apply(doc, {"arr": {"match": {"element": 2, "multiply": 5}}})["arr"] == [1, 2, 5]
    assert apply(doc, {"arr[7]": {"assign": 9}})["arr"] == [1, 2, 1]


def test_map_element_paths() -> None:
    doc = apply(None, {"m{a}": {"assign": 1}, "m{b}": {"assign": 2}})
    assert doc == {"m": {"a": 1, "b": 2}}
    assert apply(doc, {"m{a}": {"increment": 5}})["m"] == {"a": 6, "b": 2}
    assert apply(doc, {"m{a}": {"remove": 0}})["m"] == {"b": 2}


def test_tensor_add_remove_and_modify() -> None:
    doc = put(t={"cells": {"a": 1, "b": 2}})
    doc = apply(doc, {"t": {"add": {"cells": {"c": 3, "a": 5}}}})
    assert doc["t"]["cells"] == [
        {"address": {"c": "a"}, "value": 5.0},
        {"address": {"c": "b"}, "value": 2.0},
        {"address": {"c": "c"}, "value": 3.0},
    ]
    doc = apply(doc, {"t": {"remove": {"addresses": [{"c": "b"}]}}})
    modify = {"operation": "multiply", "cells": [{"address": {"c": "a"}, "value": 2}]}
    doc = apply(doc, {"t": {"modify": modify}})
    assert [c["value"] for c in doc["t"]["cells"]] == [10.0, 3.0]


def test_modify_ignores_missing_cells_unless_create() -> None:
    doc = put(t={"a": 1})
    cells = [{"address": {"c": "z"}, "value": 4}]
    assert apply(doc, {"t": {"modify": {"operation": "add", "cells": cells}}}) == doc
    created = apply(doc, {"t": {"modify": {"operation": "add", "cells": cells, "create": True}}})
    assert created["t"]["cells"][-1] == {"address": {"c": "z"}, "value": 4.0}


def test_dense_tensor_modify_replace_and_assign() -> None:
    doc = put(d=[1, 2, 3])
    modify = {"operation": "replace", "cells": [{"address": {"x": "1"}, "value": 7}]}
    assert apply(doc, {"d": {"modify": modify}})["d"]["values"] == [1.0, 7.0, 3.0]
    cells = {"cells": [{"address": {"x": 0}, "value": 42}]}
    assert apply(doc, {"d": {"assign": cells}})["d"]["values"] == [42.0, 0.0, 0.0]


def test_mixed_tensor_blocks_add_and_remove_by_mapped_address() -> None:
    doc = apply(None, {"mixed": {"add": {"blocks": {"a": [1, 2], "b": [3, 4]}}}})
    doc = apply(doc, {"mixed": {"remove": {"addresses": [{"m": "a"}]}}})
    assert doc["mixed"]["cells"] == [
        {"address": {"m": "b", "x": "0"}, "value": 3.0},
        {"address": {"m": "b", "x": "1"}, "value": 4.0},
    ]


def test_field_paths_into_structs_maps_and_arrays() -> None:
    doc = apply(None, {"who.name": {"assign": "Ann"}, "people{x}.age": {"assign": "7"}})
    assert doc == {"who": {"name": "Ann"}, "people": {"x": {"age": 7}}}
    doc = apply(doc, {"people{x}.age": {"increment": 2}, "people{y}.age": {"increment": 2}})
    assert doc["people"] == {"x": {"age": 9}}
    doc = apply(doc, {"lists{a}": {"add": [1, 2]}, "who.name": {"assign": None}})
    assert doc["lists"] == {"a": [1, 2]}
    assert doc["who"] == {}
    assert apply(doc, {"lists{a}[0]": {"remove": 0}})["lists"] == {"a": [2]}
    assert apply(doc, {"people{x}": {"remove": 0}})["people"] == {}


def test_array_element_remove_by_index() -> None:
    assert apply(put(arr=[5, 6, 7]), {"arr[1]": {"remove": 0}})["arr"] == [5, 7]


def test_field_path_update_is_canonical_and_validates_to_itself() -> None:
    update = validate_update(SCHEMA, {"people{x}.age": {"decrement": "1"}})
    assert update == {
        "people": [{"fieldpath": {"steps": [["key", "x"], ["field", "age"]], "decrement": 1}}]
    }
    assert validate_update(SCHEMA, update) == update


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"nope": {"assign": 1}}, "No field 'nope' in the structure of type 'music'"),
        ({"n": {"frobnicate": 1}}, "unknown update operation 'frobnicate'"),
        ({"title": {"increment": 1}}, "'increment' needs a numeric field"),
        ({"n": {"divide": 0}}, "division by zero"),
        ({"n": {"increment": "x"}}, "needs a finite number"),
        ({"x": {"increment": "inf"}}, "needs a finite number"),
        ({"f32": {"add": {"a": 1e39}}}, "cell values out of range"),
        ({"n": {"add": [1]}}, "'add' needs an array"),
        ({"n": {"match": {"element": 1, "increment": 1}}}, "elements can be matched"),
        ({"tags": {"match": {"element": "a", "add": 1}}}, "supports assign and arithmetic"),
        ({"title": {"modify": {"operation": "add", "cells": []}}}, "needs a tensor field"),
        ({"t": {"modify": {"operation": "pow", "cells": []}}}, "'operation' in"),
        ({"d": {"remove": {"addresses": [{"x": "0"}]}}}, "indexed tensor"),
        ({"arr[1]": {"add": [1]}}, r"Field 'arr\[1\]': 'add' at a field path needs an array"),
        ({"who.nick": {"assign": "x"}}, "struct person has no field 'nick'"),
        ({"who.age": {"assign": "old"}}, r"Field 'who\.age'"),
        ({"who.name": {"increment": 1}}, "needs a numeric target"),
        ({"who.name": {"modify": {}}}, "field path update 'modify' is not supported"),
        ({"n.x": {"assign": 1}}, "cannot step into int"),
        ({"m{a": {"assign": 1}}, "is not a field path"),
        ({"n": [{"fieldpath": {"steps": [["index", -1]], "assign": 1}}]}, "needs {'steps'"),
        ({"n": "5"}, "expected update operations"),
        ({"arr": {"match": {"element": -1, "assign": 1}}}, "at least 0"),
        ({"m{a}": {"assign": "x"}}, r"Field 'm\{a\}'"),
    ],
)
def test_bad_updates_are_rejected_naming_the_field(update: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidDocumentError, match=message):
        validate_update(SCHEMA, update)


def test_overflowing_arithmetic_is_an_error() -> None:
    with pytest.raises(InvalidDocumentError, match="out of range"):
        apply(put(x=1e308), {"x": {"multiply": 10}})
    with pytest.raises(InvalidDocumentError, match="out of range"):
        apply(put(n=5), {"n": {"multiply": 1e308}})


def test_modify_overflowing_a_cell_is_an_error() -> None:
    modify = {"operation": "multiply", "cells": [{"address": {"c": "a"}, "value": 1e300}]}
    with pytest.raises(InvalidDocumentError, match="out of range"):
        apply(put(t={"a": 1e300}), {"t": {"modify": modify}})


def test_a_failing_update_changes_nothing() -> None:
    current = put(n=2**30, title="t")
    before = copy.deepcopy(current)
    with pytest.raises(InvalidDocumentError, match="out of range for int"):
        apply(current, {"title": {"assign": "new"}, "n": {"multiply": 4}})
    assert current == before


def test_canonical_update_lists_operations_in_order() -> None:
    update = validate_update(
        SCHEMA, {"tags": {"add": ["a"]}, "tags{a}": {"increment": 2}, "t": {"add": {"x": 1}}}
    )
    assert update == {
        "tags": [{"add": {"a": 1}}, {"match": {"element": "a", "increment": 2}}],
        "t": [{"add": {"cells": [{"address": {"c": "x"}, "value": 1.0}]}}],
    }


# --- brute-force model -------------------------------------------------------------------

small = st.integers(-20, 20)
keys = st.sampled_from(["a", "b", "c"])
operations = st.one_of(
    st.tuples(st.just("n"), st.sampled_from(["increment", "decrement", "multiply"]), small),
    st.tuples(st.just("n"), st.just("divide"), small.filter(bool)),
    st.tuples(st.just("n"), st.just("assign"), st.none() | small),
    st.tuples(st.just("x"), st.sampled_from(["increment", "multiply", "assign"]), small),
    st.tuples(st.just("tags"), st.just("add"), st.dictionaries(keys, small, max_size=2)),
    st.tuples(st.just("tags"), st.just("remove"), st.lists(keys, max_size=2)),
    st.tuples(st.just("tags"), st.just("match"), st.tuples(keys, small)),
    st.tuples(st.just("arr"), st.just("add"), st.lists(small, max_size=2)),
    st.tuples(st.just("arr"), st.just("remove"), st.lists(small, max_size=2)),
    st.tuples(st.just("arr"), st.just("element"), st.tuples(st.integers(0, 3), small)),
    st.tuples(st.just("m"), st.just("element"), st.tuples(keys, small)),
    st.tuples(st.just("m"), st.just("remove"), keys),
    st.tuples(st.just("t"), st.just("add"), st.dictionaries(keys, small, max_size=2)),
    st.tuples(st.just("t"), st.just("remove"), keys),
    st.tuples(st.just("t"), st.just("modify"), st.tuples(keys, small)),
    st.tuples(st.just("who"), st.just("assign-age"), small),
    st.tuples(st.just("who"), st.just("increment-age"), small),
    st.tuples(st.just("people"), st.just("assign-age"), st.tuples(keys, small)),
    st.tuples(st.just("people"), st.just("increment-age"), st.tuples(keys, small)),
    st.tuples(st.just("lists"), st.just("add"), st.tuples(keys, st.lists(small, max_size=2))),
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "n": small,
        "x": small,
        "tags": st.dictionaries(keys, small, max_size=3),
        "arr": st.lists(small, max_size=3),
        "m": st.dictionaries(keys, small, max_size=3),
        "t": st.dictionaries(keys, small, max_size=3),
        "who": st.fixed_dictionaries({}, optional={"age": small}),
        "people": st.dictionaries(keys, st.fixed_dictionaries({}, optional={"age": small})),
        "lists": st.dictionaries(keys, st.lists(small, max_size=2), max_size=2),
    },
)


def to_vespa(op: tuple[str, str, Any]) -> dict[str, Any]:
    """The update JSON a client would send for one generated operation."""
    field, kind, arg = op
    if field == "who":
        return {"who.age": {kind.removesuffix("-age"): arg}}
    if field == "people":
        return {f"people{{{arg[0]}}}.age": {kind.removesuffix("-age"): arg[1]}}
    if field == "lists":
        return {f"lists{{{arg[0]}}}": {"add": arg[1]}}
    if field == "tags" and kind == "match":
        return {"tags": {"match": {"element": arg[0], "increment": arg[1]}}}
    if field == "tags" and kind == "remove":
        return {"tags": {"remove": dict.fromkeys(arg, 0)}}
    if kind == "element":
        path = f"arr[{arg[0]}]" if field == "arr" else f"m{{{arg[0]}}}"
        return {path: {"assign": arg[1]}}
    if field == "m":
        return {f"m{{{arg}}}": {"remove": 0}}
    if field == "t" and kind == "add":
        return {"t": {"add": {"cells": arg}}}
    if field == "t" and kind == "remove":
        return {"t": {"remove": {"addresses": [{"c": arg}]}}}
    if field == "t":
        cells = [{"address": {"c": arg[0]}, "value": arg[1]}]
        return {"t": {"modify": {"operation": "add", "cells": cells}}}
    return {field: {kind: arg}}


def model_apply(doc: dict[str, Any], op: tuple[str, str, Any]) -> None:
    """The obvious meaning of each generated operation, on plain dicts and lists."""
    field, kind, arg = op
    if field in ("who", "people"):
        holder, slot, value = (doc, "who", arg) if field == "who" else (None, *arg)
        if holder is None:
            holder = doc.setdefault("people", {}) if kind == "assign-age" else doc.get("people", {})
        if kind == "assign-age":
            holder.setdefault(slot, {})["age"] = value
        elif "age" in holder.get(slot, {}):
            holder[slot]["age"] += value
    elif field == "lists":
        doc.setdefault("lists", {}).setdefault(arg[0], []).extend(arg[1])
    elif kind == "assign" and arg is None:
        doc.pop(field, None)
    elif kind == "assign":
        doc[field] = arg
    elif kind in ("increment", "decrement", "multiply", "divide") and field in doc:
        old = doc[field]
        new = {"increment": old + arg, "decrement": old - arg, "multiply": old * arg}.get(
            kind, old / arg if kind == "divide" else 0
        )
        doc[field] = int(new) if field == "n" else float(new)
    elif field in ("tags", "t") and kind == "add":
        doc[field] = {**doc.get(field, {}), **arg}
    elif field == "tags" and kind == "remove" and field in doc:
        doc[field] = {k: w for k, w in doc[field].items() if k not in arg}
    elif field == "tags" and kind == "match" and arg[0] in doc.get(field, {}):
        doc[field][arg[0]] += arg[1]
    elif field == "arr" and kind == "add":
        doc[field] = doc.get(field, []) + arg
    elif field == "arr" and kind == "remove" and field in doc:
        doc[field] = [v for v in doc[field] if v not in arg]
    elif field == "arr" and kind == "element" and arg[0] < len(doc.get(field, [])):
        doc[field][arg[0]] = arg[1]
    elif field == "m" and kind == "element":
        doc.setdefault(field, {})[arg[0]] = arg[1]
    elif field in ("m", "t") and kind == "remove" and field in doc:
        doc[field].pop(arg, None)
    elif field == "t" and kind == "modify" and arg[0] in doc.get(field, {}):
        doc[field][arg[0]] += arg[1]


def canonical(model: dict[str, Any]) -> dict[str, Any]:
    fields = dict(model)
    if "t" in fields:
        fields["t"] = {"cells": fields["t"]}
    return validate_fields(SCHEMA, fields)


@given(documents, st.lists(operations, max_size=8))
def test_updates_agree_with_the_model(start: dict[str, Any], ops: list[Any]) -> None:
    model = copy.deepcopy(start)
    doc: dict[str, Any] | None = canonical(start)
    for op in ops:
        model_apply(model, op)
        before = copy.deepcopy(doc)
        previous, doc = doc, apply(doc, to_vespa(op))
        assert previous == before  # the update never changes the document it starts from
    assert doc == canonical(model)


@given(st.lists(operations, max_size=6))
def test_canonical_update_validates_to_itself(ops: list[Any]) -> None:
    update: dict[str, Any] = {}
    for op in ops:
        for path, field_ops in to_vespa(op).items():
            update.setdefault(path, {}).update(field_ops)
    canonical_update = validate_update(SCHEMA, update)
    assert validate_update(SCHEMA, canonical_update) == canonical_update
