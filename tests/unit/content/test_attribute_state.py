"""Attribute snapshots: what `save_state` returns, loaded into a fresh attribute, reads the same.

Every kind is written with random puts and removes, saved through an array file (the
bytes a flush writes) and loaded into an empty attribute of the same field; each public
read over every lid (values, presence, filters, weights, vectors, labels) must equal the
original's, and both must stay equal after more writes to each.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, strategies as st

from content.attribute import (
    AnyAttribute,
    ArrayAttribute,
    DenseTensorAttribute,
    MappedTensorAttribute,
    MixedTensorAttribute,
    MultiValueAttribute,
    NumericAttribute,
    StringAttribute,
    create_attribute,
)
from content.storage.arrays import read_arrays, serialize_arrays
from vespid.config import FieldConfig

LIDS = np.arange(12, dtype=np.uint32)
WORDS = ["a", "b", "Ca", "d"]

FIELDS: dict[str, tuple[FieldConfig, st.SearchStrategy[Any]]] = {
    "int": (FieldConfig("f", "int", attribute=True), st.integers(-3, 3)),
    "fast int": (
        FieldConfig("f", "long", attribute=True, fast_search=True),
        st.integers(-3, 3),
    ),
    "double": (FieldConfig("f", "double", attribute=True), st.integers(-3, 3).map(float)),
    "string": (FieldConfig("f", "string", attribute=True), st.sampled_from(WORDS)),
    "fast string": (
        FieldConfig("f", "string", attribute=True, fast_search=True),
        st.sampled_from(WORDS),
    ),
    "array": (
        FieldConfig("f", "array<string>", attribute=True),
        st.lists(st.sampled_from(WORDS), max_size=3),
    ),
    "struct field": (
        FieldConfig("f", "array<string>", attribute=True, struct_field="name"),
        st.lists(
            st.sampled_from(WORDS).map(lambda w: {"name": w}) | st.just({"age": 3}), max_size=3
        ),
    ),
    "weighted set": (
        FieldConfig("f", "weightedset<int>", attribute=True),
        st.dictionaries(st.sampled_from(["1", "2", "3"]), st.integers(-5, 5), max_size=3),
    ),
    "dense": (
        FieldConfig("f", "tensor<float>(x[2])", attribute=True),
        st.lists(st.integers(-4, 4).map(float), min_size=2, max_size=2).map(
            lambda v: {"values": v}
        ),
    ),
    "mapped": (
        FieldConfig("f", "tensor<float>(k{})", attribute=True),
        st.sampled_from(WORDS).map(
            lambda k: {"type": "tensor<float>(k{})", "cells": [{"address": {"k": k}, "value": 1.0}]}
        ),
    ),
    "mixed": (
        FieldConfig("f", "tensor<float>(p{},x[2])", attribute=True),
        st.lists(st.sampled_from(["p", "q"]), min_size=1, max_size=2, unique=True).map(
            lambda labels: {
                "cells": [
                    {"address": {"p": label, "x": str(x)}, "value": float(x + len(label))}
                    for label in labels
                    for x in range(2)
                ]
            }
        ),
    ),
}


def observe(attribute: AnyAttribute) -> Any:
    """Every public read of ``attribute`` over LIDS, as plain data."""
    if isinstance(attribute, NumericAttribute):
        return (
            [repr(v) for v in attribute.values_for(LIDS).tolist()],  # NaN where missing
            attribute.presence_for(LIDS).tolist(),
            attribute.lids_where(lambda v: v >= 0).tolist(),
            attribute.lids_where(lambda v: v == 2).tolist(),
        )
    if isinstance(attribute, StringAttribute):
        return (
            [attribute.value_of(int(lid)) for lid in LIDS],
            attribute.lids_where(lambda v: v == "ca").tolist(),
        )
    if isinstance(attribute, MultiValueAttribute):
        everything = attribute.lids_where(lambda v: v == v)
        elements = (
            attribute.elements_where(lambda v: v == v).tolist()
            if isinstance(attribute, ArrayAttribute)
            else None
        )
        return (
            everything.tolist(),
            elements,
            attribute.weight_sums(lambda v: v == v, LIDS).tolist(),
            attribute.weight_sums(lambda v: v == v, LIDS, count=True).tolist(),
        )
    if isinstance(attribute, DenseTensorAttribute):
        return attribute.vectors_for(LIDS).tolist(), attribute.presence_for(LIDS).tolist()
    if isinstance(attribute, MappedTensorAttribute):
        return [attribute.value_of(int(lid)) for lid in LIDS]
    assert isinstance(attribute, MixedTensorAttribute)
    rows, positions = attribute.rows_for(LIDS)
    labels = [attribute.label(int(r)) for r in rows]
    vectors = attribute.vectors(rows).tolist()
    cells = sorted(zip(positions.tolist(), labels, vectors, strict=True))
    return cells, attribute.presence_for(LIDS).tolist()


def reloaded(field: FieldConfig, attribute: AnyAttribute) -> AnyAttribute:
    data = b"".join(bytes(c) for c in serialize_arrays({}, attribute.save_state()))
    fresh = create_attribute(field)
    assert fresh is not None
    fresh.load_state(read_arrays(data, "test")[1])
    return fresh


@given(data=st.data(), kind=st.sampled_from(sorted(FIELDS)))
def test_a_saved_attribute_loads_to_the_same_reads(data: st.DataObject, kind: str) -> None:
    field, values = FIELDS[kind]
    writes = st.lists(st.tuples(st.sampled_from(LIDS.tolist()), st.none() | values), max_size=25)
    attribute = create_attribute(field)
    assert attribute is not None
    for lid, value in data.draw(writes):
        attribute.put(lid, value)
    loaded = reloaded(field, attribute)
    assert observe(loaded) == observe(attribute)
    for lid, value in data.draw(writes):
        attribute.put(lid, value)
        loaded.put(lid, value)
    assert observe(loaded) == observe(attribute)
