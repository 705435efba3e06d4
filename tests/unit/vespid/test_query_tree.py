"""The query tree crosses the container/content boundary as JSON without change."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, strategies as st

from vespid.messages.query import (
    AndItem,
    EqualsItem,
    FalseItem,
    InItem,
    Item,
    NearestNeighborItem,
    NotItem,
    OrItem,
    PhraseItem,
    RangeItem,
    RankItem,
    TermItem,
    TrueItem,
    WeakAndItem,
    WeightedSetItem,
    item_from_json,
    item_to_json,
)

words = st.text(min_size=1, max_size=6)
longs = st.integers(-(2**63), 2**63 - 1)
finite = st.floats(allow_nan=False, allow_infinity=False)
leaves: st.SearchStrategy[Item] = st.one_of(
    st.just(TrueItem()),
    st.just(FalseItem()),
    st.builds(TermItem, words, words, st.sampled_from(["word", "prefix", "exact"]), st.booleans()),
    st.builds(PhraseItem, words, st.lists(words, min_size=1).map(tuple)),
    st.builds(EqualsItem, words, longs | words | finite),
    st.builds(RangeItem, words, st.none() | finite, st.none() | finite, st.booleans()),
    st.builds(InItem, words, st.lists(longs | words, min_size=1).map(tuple)),
    st.builds(WeightedSetItem, words, st.dictionaries(words, st.integers(-(2**31), 2**31 - 1))),
    st.builds(
        NearestNeighborItem,
        words,
        words,
        st.integers(1, 100),
        st.booleans(),
        st.integers(0, 10),
        st.none() | finite,
        st.none() | words,
    ),
)
trees = st.recursive(
    leaves,
    lambda kids: st.one_of(
        st.builds(AndItem, st.lists(kids, min_size=1, max_size=3).map(tuple)),
        st.builds(OrItem, st.lists(kids, min_size=1, max_size=3).map(tuple)),
        st.builds(RankItem, st.lists(kids, min_size=1, max_size=3).map(tuple)),
        st.builds(WeakAndItem, st.lists(kids, min_size=1, max_size=3).map(tuple)),
        st.builds(NotItem, kids, st.lists(kids, max_size=2).map(tuple)),
    ),
    max_leaves=8,
)


@given(trees)
def test_every_tree_round_trips_through_json_bytes(tree: Item) -> None:
    assert item_from_json(orjson.loads(orjson.dumps(item_to_json(tree)))) == tree


def test_the_json_form_names_each_node_type() -> None:
    data = item_to_json(AndItem((TermItem("title", "love"), RangeItem("year", lower=2000.0))))
    assert data["type"] == "and"
    assert [c["type"] for c in data["children"]] == ["term", "range"]


@pytest.mark.parametrize(
    "bad",
    [{"type": "nope"}, [], {"type": "and", "children": {}}, {"type": "range", "field": 3}],
)
def test_malformed_items_raise_value_error(bad: object) -> None:
    with pytest.raises(ValueError, match=r"item|expected"):
        item_from_json(bad)
