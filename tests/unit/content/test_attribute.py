"""Attributes against Python-list models; tensor storage; distance metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, strategies as st

from content.attribute import (
    DenseTensorAttribute,
    MixedTensorAttribute,
    MultiValueAttribute,
    NumericAttribute,
    StringAttribute,
    closeness,
    create_attribute,
    distances,
)
from vespid.config import FieldConfig
from vespid.document.tensor_type import parse_tensor_type

operations = st.lists(
    st.tuples(st.integers(0, 40), st.one_of(st.none(), st.integers(-5, 5))), max_size=40
)


@given(operations, st.integers(-5, 5))
def test_numeric_attribute_filters_like_a_dict_model(
    ops: list[tuple[int, int | None]], threshold: int
) -> None:
    attribute = NumericAttribute("year", "int")
    model: dict[int, int] = {}
    for lid, value in ops:
        attribute.put(lid, value)
        if value is None:
            model.pop(lid, None)
        else:
            model[lid] = value
    found = attribute.lids_where(lambda v: v >= threshold)
    assert found.tolist() == sorted(k for k, v in model.items() if v >= threshold)
    assert attribute.lids_where(lambda v: v == v).tolist() == sorted(model)
    lids = np.arange(45, dtype=np.uint32)
    expected = [float(model.get(i, -(2**31))) for i in range(45)]
    assert attribute.values_for(lids).tolist() == expected


def test_float_attribute_reads_nan_where_missing() -> None:
    attribute = NumericAttribute("score", "double")
    attribute.put(2, 1.5)
    values = attribute.values_for(np.array([1, 2], dtype=np.uint32))
    assert math.isnan(values[0])
    assert values[1] == 1.5
    assert attribute.value_of(2) == 1.5
    assert attribute.value_of(1) is None


@given(st.lists(st.tuples(st.integers(0, 20), st.sampled_from(["Ab", "ab", "c", "D"]))))
def test_string_attribute_matches_case_insensitively(ops: list[tuple[int, str]]) -> None:
    attribute = StringAttribute("artist")
    model: dict[int, str] = {}
    for lid, value in ops:
        attribute.put(lid, value)
        model[lid] = value
    found = attribute.lids_where(lambda v: v == "ab")
    assert found.tolist() == sorted(k for k, v in model.items() if v.lower() == "ab")


multi_ops = st.lists(
    st.tuples(
        st.integers(0, 15),
        st.one_of(st.none(), st.dictionaries(st.sampled_from("abcd"), st.integers(-3, 3))),
    ),
    max_size=60,
)


@given(multi_ops)
def test_weighted_set_attribute_filters_and_sums_weights_like_a_model(
    ops: list[tuple[int, dict[str, int] | None]],
) -> None:
    attribute = MultiValueAttribute("tags", "weightedset", "string")
    model: dict[int, dict[str, int]] = {}
    for lid, value in ops:
        attribute.put(lid, value)
        if value:
            model[lid] = value
        else:
            model.pop(lid, None)
    found = attribute.lids_where(lambda v: v == "a")
    assert found.tolist() == sorted(k for k, v in model.items() if "a" in v)
    lids = np.arange(16, dtype=np.uint32)
    sums = attribute.weight_sums(lambda v: np.isin(v, ["a", "b"]), lids)
    expected = [float(sum(w for k, w in model.get(i, {}).items() if k in "ab")) for i in range(16)]
    assert sums.tolist() == expected
    counts = attribute.weight_sums(lambda v: np.ones(v.shape, dtype=bool), lids)
    assert counts.tolist() == [float(sum(model.get(i, {}).values())) for i in range(16)]


def test_array_attribute_matches_when_any_element_passes() -> None:
    attribute = MultiValueAttribute("years", "array", "int")
    attribute.put(1, [1990, 2005])
    attribute.put(2, [1980])
    assert attribute.lids_where(lambda v: v > 2000).tolist() == [1]


def test_create_attribute_picks_the_implementation_for_the_type() -> None:
    def make(type_text: str) -> object:
        return create_attribute(FieldConfig("f", type_text, attribute=True))

    assert isinstance(make("long"), NumericAttribute)
    assert isinstance(make("string"), StringAttribute)
    assert isinstance(make("array<string>"), MultiValueAttribute)
    assert isinstance(make("tensor<float>(x[3])"), DenseTensorAttribute)
    assert make("position") is None


def test_dense_tensor_attribute_stores_rows_by_lid() -> None:
    attribute = DenseTensorAttribute("v", parse_tensor_type("tensor<float>(x[2])"))
    attribute.put(3, {"type": "tensor<float>(x[2])", "values": [1.0, 2.0]})
    lids = np.array([1, 3], dtype=np.uint32)
    assert attribute.vectors_for(lids).tolist() == [[0.0, 0.0], [1.0, 2.0]]
    assert attribute.presence_for(lids).tolist() == [False, True]
    attribute.remove(3)
    assert attribute.presence_for(lids).tolist() == [False, False]
    assert attribute.vectors_for(lids).tolist() == [[0.0, 0.0], [0.0, 0.0]]


# Cells are 0 or at least 2**-20 in magnitude: the distances run in float32, where the
# squares of smaller values underflow and the float64 reference below would disagree.
cells = st.just(0.0) | st.floats(2**-20, 4, width=32).flatmap(lambda x: st.sampled_from([x, -x]))
vector = st.lists(cells, min_size=3, max_size=3)
vectors = st.lists(vector, min_size=1, max_size=8)


@example(rows=[[0.0, 2**-20, 0.0]], query=[0.0, 2**-20, 0.0])
@given(vectors, vector)
def test_distances_follow_vespa_definitions(rows: list[list[float]], query: list[float]) -> None:
    matrix = np.array(rows, dtype=np.float32)
    q = np.array(query, dtype=np.float32)
    for i, row in enumerate(rows):
        dot = sum(a * b for a, b in zip(row, query, strict=True))
        euclid = math.sqrt(sum((a - b) ** 2 for a, b in zip(row, query, strict=True)))
        assert distances("euclidean", matrix, q)[i] == pytest.approx(euclid, abs=1e-4)
        assert distances("dotproduct", matrix, q)[i] == pytest.approx(-dot, abs=1e-4)
        q_norm = sum(x * x for x in query) or 1.0
        prenormalized = 1 - max(-1.0, min(1.0, dot / q_norm))
        assert distances("prenormalized-angular", matrix, q)[i] == pytest.approx(
            prenormalized, abs=1e-4
        )
        norms = math.hypot(*row) * math.hypot(*query)
        cosine = dot / norms if norms > 0 else 0.0
        angle = math.acos(max(-1.0, min(1.0, cosine)))
        assert distances("angular", matrix, q)[i] == pytest.approx(angle, abs=1e-3)


def test_hamming_counts_differing_bits_of_int8_cells() -> None:
    matrix = np.array([[0, -1], [3, 0]], dtype=np.float32)
    query = np.array([1, 0], dtype=np.float32)
    assert distances("hamming", matrix, query).tolist() == [9.0, 1.0]


def test_closeness_is_one_over_one_plus_distance_except_dotproduct() -> None:
    d = np.array([0.0, 1.0, 3.0])
    assert closeness("euclidean", d).tolist() == [1.0, 0.5, 0.25]
    assert closeness("dotproduct", -d).tolist() == [0.0, 1.0, 3.0]


@given(operations, st.integers(-5, 5), st.integers(0, 5))
def test_fast_search_numeric_attribute_answers_like_the_scan(
    ops: list[tuple[int, int | None]], low: int, width: int
) -> None:
    fast = NumericAttribute("year", "int", fast_search=True)
    plain = NumericAttribute("year", "int")
    for lid, value in ops:
        fast.put(lid, value)
        plain.put(lid, value)

    def test(v: np.ndarray) -> np.ndarray:
        return np.asarray((v >= low) & (v <= low + width), dtype=bool)

    assert fast.lids_where(test).tolist() == plain.lids_where(test).tolist()


@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["Ab", "ab", "c", "D", "e"]))))
def test_fast_search_string_attribute_answers_like_the_scan(ops: list[tuple[int, str]]) -> None:
    fast = StringAttribute("artist", fast_search=True)
    plain = StringAttribute("artist")
    for lid, value in ops:
        fast.put(lid, value)
        plain.put(lid, value)
    for wanted in ("ab", "c", "e"):

        def test(values: np.ndarray, w: str = wanted) -> np.ndarray:
            return np.asarray(values == w, dtype=bool)

        assert fast.lids_where(test).tolist() == plain.lids_where(test).tolist()


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10),
            st.one_of(
                st.none(),
                st.dictionaries(st.sampled_from("abc"), st.integers(-3, 3), min_size=1),
            ),
        ),
        max_size=40,
    )
)
def test_mixed_tensor_attribute_keeps_each_documents_vectors_through_compaction(
    ops: list[tuple[int, dict[str, int] | None]],
) -> None:
    attribute = MixedTensorAttribute("para", parse_tensor_type("tensor<float>(p{},x[1])"))
    model: dict[int, dict[str, int]] = {}
    for lid, value in ops:
        cells = None
        if value is not None:
            cells = {
                "cells": [{"address": {"p": k, "x": "0"}, "value": v} for k, v in value.items()]
            }
        attribute.put(lid, cells)
        if value is None:
            model.pop(lid, None)
        else:
            model[lid] = value
    lids = np.arange(11, dtype=np.uint32)
    rows, owners = attribute.rows_for(lids)
    vectors = attribute.vectors(rows)
    found: dict[int, dict[str, int]] = {}
    for i, (row, owner) in enumerate(zip(rows.tolist(), owners.tolist(), strict=True)):
        found.setdefault(owner, {})[attribute.label(row)] = int(vectors[i][0])
    assert found == model
    assert attribute.presence_for(lids).tolist() == [i in model for i in range(11)]


@given(
    st.lists(st.none() | st.tuples(st.integers(-9, 9), st.integers(-9, 9)), max_size=12),
    st.integers(0, 14),
    st.integers(0, 14),
    st.integers(1, 3),
)
def test_vectors_for_any_lids_equal_a_row_by_row_model(
    values: list[tuple[int, int] | None], start: int, length: int, step: int
) -> None:
    attribute = DenseTensorAttribute("v", parse_tensor_type("tensor<float>(x[2])"))
    for lid, value in enumerate(values):
        if value is not None:
            attribute.put(lid, {"values": list(value)})
    lids = np.arange(start, start + length * step, step, dtype=np.uint32)
    model = dict(enumerate(values))
    expected = [list(model.get(int(lid)) or (0, 0)) for lid in lids]
    assert attribute.vectors_for(lids).tolist() == expected
