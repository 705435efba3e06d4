"""Struct-field attributes and sameElement against a brute-force scan of the elements."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from content.attribute import ArrayAttribute
from content.index import DocIdSet, lids_of
from content.matching.catalog import FieldCatalog
from content.matching.evaluator import QueryEvaluator
from tests.unit.content.test_fuzzy import fits
from vespid.config import FieldConfig, SchemaConfig
from vespid.errors import InvalidQueryError
from vespid.messages import (
    AndItem,
    EqualsItem,
    FuzzyItem,
    InItem,
    Item,
    NotItem,
    OrItem,
    PhraseItem,
    RangeItem,
    RankItem,
    RegexItem,
    SameElementItem,
    TermItem,
    TrueItem,
)

NAMES = ["Ann", "Bob", "Cy"]
KEYS = ["a", "b", "c"]


def _struct_field(parent: str, path: str, element: str) -> FieldConfig:
    return FieldConfig(
        f"{parent}.{path}",
        f"array<{element}>",
        attribute=True,
        in_document=False,
        source=parent,
        struct_field=path,
    )


SCHEMA = SchemaConfig(
    "people",
    fields=(
        FieldConfig("persons", "array<person>", summary=True),
        FieldConfig("scores", "map<string,int>", summary=True),
        _struct_field("persons", "name", "string"),
        _struct_field("persons", "age", "int"),
        _struct_field("scores", "key", "string"),
        _struct_field("scores", "value", "int"),
    ),
)

person = st.fixed_dictionaries(
    {}, optional={"name": st.sampled_from(NAMES), "age": st.integers(20, 24)}
)
document = st.fixed_dictionaries(
    {
        "persons": st.lists(person, max_size=4),
        "scores": st.dictionaries(st.sampled_from(KEYS), st.integers(0, 4), max_size=3),
    }
)
# Puts (a document) and removes (None) in order: later ones replace earlier ones.
operations = st.lists(st.tuples(st.integers(0, 12), st.one_of(st.none(), document)), max_size=30)


def person_leaves() -> st.SearchStrategy[Item]:
    ages = st.integers(19, 25).map(float)
    return st.one_of(
        st.builds(TermItem, st.just("name"), st.sampled_from([n.lower() for n in NAMES])),
        st.builds(TermItem, st.just("age"), st.integers(19, 25).map(str)),
        st.builds(
            RangeItem,
            st.just("age"),
            st.none() | ages,
            st.none() | ages,
            st.booleans(),
            st.booleans(),
        ),
        st.builds(EqualsItem, st.just("age"), st.integers(19, 25)),
        st.builds(InItem, st.just("name"), st.lists(st.sampled_from(NAMES), max_size=2).map(tuple)),
        st.builds(RegexItem, st.just("name"), st.sampled_from(["^a", "b", "y$"])),
        st.builds(
            FuzzyItem, st.just("name"), st.sampled_from(["an", "bop", "cy"]), st.integers(0, 1)
        ),
    )


def conditions(leaves: st.SearchStrategy[Item]) -> st.SearchStrategy[Item]:
    return st.recursive(
        leaves | st.just(TrueItem()),
        lambda children: st.one_of(
            st.builds(AndItem, st.lists(children, min_size=1, max_size=3).map(tuple)),
            st.builds(OrItem, st.lists(children, min_size=1, max_size=3).map(tuple)),
            st.builds(RankItem, st.lists(children, min_size=1, max_size=2).map(tuple)),
            st.builds(NotItem, children, st.lists(children, max_size=2).map(tuple)),
        ),
        max_leaves=6,
    )


def holds(item: Item, element: dict[str, Any]) -> bool:
    """Whether ``item`` holds in one element ({"name", "age"} or {"key", "value"})."""
    match item:
        case AndItem(children=c):
            return all(holds(x, element) for x in c)
        case OrItem(children=c):
            return any(holds(x, element) for x in c)
        case RankItem(children=c):
            return holds(c[0], element)
        case NotItem(positive=p, negatives=n):
            return holds(p, element) and not any(holds(x, element) for x in n)
        case TrueItem():
            return bool(element)  # an element with some struct field
    value = element.get(item.field)  # type: ignore[attr-defined]
    if value is None:
        return False
    match item:
        case TermItem(term=t):
            return str(value).lower() == t
        case EqualsItem(value=v):
            return bool(value == v)
        case RangeItem(lower=lo, upper=hi, include_lower=il, include_upper=iu):
            low_ok = lo is None or (value >= lo if il else value > lo)
            return low_ok and (hi is None or (value <= hi if iu else value < hi))
        case InItem(values=vs):
            return value in vs
        case RegexItem(pattern=pattern):
            return re.search(pattern, value.lower()) is not None
        case FuzzyItem(term=t, max_edit_distance=distance):
            return fits(t, value, distance, 0, prefix=False)
    raise AssertionError(item)


def _apply(
    ops: list[tuple[int, dict[str, Any] | None]],
) -> tuple[FieldCatalog, DocIdSet, dict[int, dict[str, Any]]]:
    catalog = FieldCatalog(SCHEMA)
    docs: dict[int, dict[str, Any]] = {}
    for lid, doc in ops:
        if doc is None:
            catalog.remove(lid)
            docs.pop(lid, None)
        else:
            catalog.put(lid, doc)
            docs[lid] = doc
    live = DocIdSet()
    for lid in docs:
        live.add(lid)
    return catalog, live, docs


def _search(catalog: FieldCatalog, live: DocIdSet, item: Item) -> list[int]:
    def no_vectors(name: str, attribute: Any) -> Any:
        raise AssertionError("no nearestNeighbor expected")

    found: list[int] = lids_of(QueryEvaluator(catalog, live, no_vectors).evaluate(item)).tolist()
    return found


@settings(max_examples=200)
@given(
    operations,
    st.lists(conditions(person_leaves()), min_size=1, max_size=3),
    st.lists(st.integers(0, 4), max_size=2).map(tuple),
)
def test_same_element_on_an_array_of_structs_matches_documents_with_one_fitting_element(
    ops: list[tuple[int, dict[str, Any] | None]], children: list[Item], only: tuple[int, ...]
) -> None:
    catalog, live, docs = _apply(ops)
    tree = AndItem(tuple(children))
    expected = sorted(
        lid
        for lid, doc in docs.items()
        if any(holds(tree, p) for i, p in enumerate(doc["persons"]) if not only or i in only)
    )
    item = SameElementItem("persons", tuple(children), only)
    assert _search(catalog, live, item) == expected


@settings(max_examples=100)
@given(operations, st.sampled_from(KEYS), st.integers(0, 4))
def test_same_element_on_a_map_pairs_each_key_with_its_own_value(
    ops: list[tuple[int, dict[str, Any] | None]], key: str, least: int
) -> None:
    catalog, live, docs = _apply(ops)
    item = SameElementItem("scores", (TermItem("key", key), RangeItem("value", lower=least)))
    expected = sorted(lid for lid, d in docs.items() if d["scores"].get(key, -1) >= least)
    assert _search(catalog, live, item) == expected


@settings(max_examples=100)
@given(operations, person_leaves())
def test_a_struct_field_outside_same_element_matches_any_element(
    ops: list[tuple[int, dict[str, Any] | None]], leaf: Item
) -> None:
    catalog, live, docs = _apply(ops)
    item = _prefixed(leaf)
    expected = sorted(lid for lid, d in docs.items() if any(holds(leaf, p) for p in d["persons"]))
    assert _search(catalog, live, item) == expected


def _prefixed(leaf: Any) -> Item:
    """``leaf`` on the full attribute name, as `persons.age > 3` is written in YQL."""
    prefixed: Item = dataclasses.replace(leaf, field="persons." + leaf.field)
    return prefixed


def test_conditions_on_different_elements_do_not_match_together() -> None:
    catalog, live, _ = _apply(
        [(1, {"persons": [{"name": "Ann", "age": 20}, {"name": "Bob", "age": 40}]})]
    )
    split = (TermItem("name", "ann"), RangeItem("age", lower=30.0))
    assert _search(catalog, live, SameElementItem("persons", split)) == []
    assert _search(
        catalog,
        live,
        AndItem((TermItem("persons.name", "ann"), RangeItem("persons.age", lower=30.0))),
    ) == [1]
    together = (TermItem("name", "bob"), RangeItem("age", lower=30.0))
    assert _search(catalog, live, SameElementItem("persons", together)) == [1]


def test_elements_without_the_struct_field_keep_the_others_aligned() -> None:
    attribute = ArrayAttribute("persons.age", "age", "int")
    attribute.put(3, [{"name": "x"}, {"age": 7}, {"age": 9}])
    keys = attribute.elements_where(lambda v: np.asarray(v > 0))
    assert [(int(k) >> 32, int(k) & 0xFFFFFFFF) for k in keys] == [(3, 1), (3, 2)]


def test_map_keys_of_an_integer_map_are_numbers_in_the_attribute() -> None:
    attribute = ArrayAttribute("m.key", "key", "int")
    attribute.put(0, {"10": "x", "20": "y"})
    assert attribute.lids_where(lambda v: np.asarray(v == 20)).tolist() == [0]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (SameElementItem("persons", (TermItem("height", "3"),)), "'persons.height' is not"),
        (SameElementItem("persons", (RangeItem("name", 3.0),)), "cannot search strings"),
        (RangeItem("persons.name", 3.0), "cannot search strings"),
        (SameElementItem("nobody", (TermItem("name", "x"),)), "Field 'nobody' does not exist"),
        (
            SameElementItem("persons", (SameElementItem("name", (TermItem("x", "y"),)),)),
            "cannot hold a 'sameelement' item",
        ),
    ],
)
def test_same_element_refuses_what_it_cannot_search(item: Item, message: str) -> None:
    catalog, live, _ = _apply([(0, {"persons": [{"name": "Ann"}], "scores": {}})])
    with pytest.raises(InvalidQueryError, match=message):
        _search(catalog, live, item)


WORDS = ["one", "two", "three"]
CHUNKS = SchemaConfig(
    "doc", fields=(FieldConfig("chunks", "array<string>", index=True, stemming="none"),)
)
chunks = st.lists(st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join), max_size=4)
chunk_conditions = st.recursive(
    st.builds(TermItem, st.just("chunks"), st.sampled_from(WORDS))
    | st.lists(st.sampled_from(WORDS), min_size=2, max_size=2).map(
        lambda words: PhraseItem("chunks", tuple(words))
    ),
    lambda children: st.one_of(
        st.builds(AndItem, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(OrItem, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(NotItem, children, st.lists(children, max_size=2).map(tuple)),
    ),
    max_leaves=5,
)


def in_chunk(item: Item, chunk: list[str]) -> bool:
    match item:
        case AndItem(children=c):
            return all(in_chunk(x, chunk) for x in c)
        case OrItem(children=c):
            return any(in_chunk(x, chunk) for x in c)
        case NotItem(positive=p, negatives=n):
            return in_chunk(p, chunk) and not any(in_chunk(x, chunk) for x in n)
        case TermItem(term=t):
            return t in chunk
        case PhraseItem(terms=ts):
            return any(chunk[i : i + len(ts)] == list(ts) for i in range(len(chunk)))
    raise AssertionError(item)


@settings(max_examples=150)
@given(st.dictionaries(st.integers(0, 20), chunks, max_size=10), chunk_conditions)
def test_same_element_on_an_indexed_array_matches_words_within_one_element(
    docs: dict[int, list[str]], condition: Item
) -> None:
    catalog = FieldCatalog(CHUNKS)
    live = DocIdSet()
    for lid, value in docs.items():
        catalog.put(lid, {"chunks": value})
        live.add(lid)
    expected = sorted(
        lid
        for lid, value in docs.items()
        if any(in_chunk(condition, chunk.split()) for chunk in value)
    )
    assert _search(catalog, live, SameElementItem("chunks", (condition,))) == expected


NUMBERS = SchemaConfig("n", fields=(FieldConfig("numbers", "array<int>", attribute=True),))


@given(
    st.dictionaries(st.integers(0, 20), st.lists(st.integers(0, 5), max_size=4), max_size=10),
    st.integers(0, 5),
    st.integers(0, 5),
    st.lists(st.integers(0, 4), max_size=2).map(tuple),
)
def test_element_filter_on_an_array_attribute_looks_only_at_those_elements(
    docs: dict[int, list[int]], low: int, high: int, only: tuple[int, ...]
) -> None:
    catalog = FieldCatalog(NUMBERS)
    live = DocIdSet()
    for lid, numbers in docs.items():
        catalog.put(lid, {"numbers": numbers})
        live.add(lid)
    condition = RangeItem("numbers", float(low), float(high))
    expected = sorted(
        lid
        for lid, numbers in docs.items()
        if any(low <= n <= high for i, n in enumerate(numbers) if not only or i in only)
    )
    item = SameElementItem("numbers", (condition,), only)
    assert _search(catalog, live, item) == expected
