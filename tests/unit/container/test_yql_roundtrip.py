"""Parser and renderer in lockstep: tree → YQL → the same tree; garbage → positioned errors."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings, strategies as st

from container.errors import YqlSyntaxError
from container.yql import YqlQuery, parse_simple, parse_yql, render_yql
from vespid.messages import (
    AndItem,
    DotProductItem,
    EqualsItem,
    FalseItem,
    FuzzyItem,
    InItem,
    Item,
    NearestNeighborItem,
    NearItem,
    NotItem,
    OrderBy,
    OrItem,
    PhraseItem,
    RangeItem,
    RankItem,
    RegexItem,
    SameElementItem,
    TermItem,
    TrueItem,
    WandItem,
    WeakAndItem,
    WeightedSetItem,
    item_from_json,
    item_to_json,
)

pytestmark = pytest.mark.filterwarnings(
    # hypothesis prices the repr of the recursive tree strategy; the size is harmless.
    "ignore:Generating overly large repr"
)

names = st.sampled_from(["title", "body", "year", "f1", "my_field", "a.b", "m.k.v", "x"])
texts = st.text(max_size=12)
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
ints = st.integers(-(2**62), 2**62)
tokens = st.dictionaries(texts, st.integers(-1000, 1000), max_size=4)

terms = st.builds(
    TermItem,
    names,
    texts,
    kind=st.sampled_from(["word", "prefix", "substring", "suffix"]),
    stem=st.booleans(),
    normalize=st.booleans(),
    weight=st.integers(0, 1000),
    filter=st.booleans(),
    ranked=st.booleans(),
    label=st.none() | names,
)
leaves: st.SearchStrategy[Item] = st.one_of(
    st.just(TrueItem()),
    st.just(FalseItem()),
    terms,
    st.builds(PhraseItem, names, st.lists(texts, min_size=1, max_size=4).map(tuple)),
    st.builds(
        NearItem,
        names,
        st.lists(texts, min_size=1, max_size=3).map(tuple),
        st.integers(0, 100),
        st.booleans(),
    ),
    st.builds(EqualsItem, names, st.booleans() | ints | floats | texts, st.booleans()),
    st.builds(
        RangeItem,
        names,
        st.none() | floats,
        st.none() | floats,
        st.booleans(),
        st.booleans(),
        st.integers(-1000, 1000),
        st.booleans(),
    ),
    st.builds(InItem, names, st.lists(ints | floats | texts, max_size=4).map(tuple)),
    st.builds(RegexItem, names, texts),
    st.builds(FuzzyItem, names, texts, st.integers(0, 5), st.integers(0, 5), st.booleans()),
    st.builds(WeightedSetItem, names, tokens),
    st.builds(DotProductItem, names, st.dictionaries(texts, floats, max_size=3)),
    st.builds(
        WandItem,
        names,
        st.dictionaries(texts, floats, max_size=3),
        st.integers(1, 1000),
        st.just(0.0) | floats,
        st.just(1.0) | floats,
    ),
    st.builds(
        NearestNeighborItem,
        names,
        names,
        st.integers(1, 1000),
        st.booleans(),
        st.integers(0, 100),
        st.none() | floats,
        st.none() | names,
    ),
)


def _not_folded(item: Item) -> bool:
    """The parser folds `x and !(y)` into one ANDNOT; such children are not normal form."""
    return not (isinstance(item, NotItem) and isinstance(item.positive, TrueItem))


def _composites(children: st.SearchStrategy[Item]) -> st.SearchStrategy[Item]:
    many = st.lists(children, min_size=2, max_size=3).map(tuple)
    plain = children.filter(_not_folded)
    positive = children.filter(lambda i: not isinstance(i, NotItem))
    return st.one_of(
        st.lists(plain, min_size=2, max_size=3).map(lambda c: AndItem(tuple(c))),
        many.map(OrItem),
        st.lists(children, min_size=1, max_size=3).map(lambda c: RankItem(tuple(c))),
        st.builds(WeakAndItem, many, st.integers(1, 1000)),
        st.builds(NotItem, positive, st.lists(children, min_size=1, max_size=2).map(tuple)),
        st.builds(
            SameElementItem,
            names,
            st.lists(children, max_size=2).map(tuple),
            st.lists(st.integers(0, 9), max_size=2).map(tuple),
        ),
    )


trees = st.recursive(leaves, _composites, max_leaves=8)


@st.composite
def queries(draw: st.DrawFn) -> YqlQuery:
    """A whole statement around a generated tree (a composite keeps hypothesis' repr short)."""
    name_lists = st.none() | st.lists(names, min_size=1, max_size=3).map(tuple)
    clause = st.none() | st.integers(0, 10_000)
    return YqlQuery(
        draw(trees),
        draw(name_lists),
        draw(name_lists),
        tuple(draw(st.lists(st.builds(OrderBy, names, st.booleans()), max_size=2))),
        draw(clause),
        draw(clause),
        draw(clause),
    )


@settings(max_examples=300)
@given(queries())
@example(YqlQuery(TermItem("title", 'a "quoted" \\ \n string')))
@example(YqlQuery(NotItem(TrueItem(), (TermItem("a", "b"),))))
def test_rendered_yql_parses_back_to_the_same_query(query: YqlQuery) -> None:
    assert parse_yql(render_yql(query)) == query


def _syntax_error(text: str) -> YqlSyntaxError | None:
    try:
        parse_yql(text, {"p": "v"})
    except YqlSyntaxError as e:
        return e
    return None


@settings(max_examples=300)
@given(st.text(max_size=60))
@example("select * from sources * where a contains 'unterminated")
@example("select * from sources * where (((")
def test_arbitrary_text_fails_only_with_a_positioned_syntax_error(text: str) -> None:
    error = _syntax_error(text)
    if error is not None:
        assert 0 <= error.position <= len(text)
        assert error.line >= 1
        assert error.column >= 1


@settings(max_examples=200)
@given(st.lists(st.sampled_from(
    ["select", "*", "from", "sources", "where", "a", "contains", "'x'", "and", "or", "!",
     "(", ")", "{", "}", "targetHits", ":", "5", ",", "weakAnd", "range", "nearestNeighbor",
     "limit", "order", "by", ";", "|", "=", "<", "-", "1.5", "@p", "userInput", "in"]
), max_size=20).map(" ".join))  # fmt: skip
def test_token_soup_fails_only_with_a_positioned_syntax_error(text: str) -> None:
    error = _syntax_error(text)
    if error is not None:
        assert 0 <= error.position <= len(text)


@given(st.text(max_size=60), st.sampled_from(["all", "any", "weakAnd", "phrase", "tokenize"]))
@example('a +"b -c" (d -(e f)) g:* h!! [1;2] <3', "any")
def test_the_simple_query_language_never_fails(text: str, query_type: str) -> None:
    item = parse_simple(text, "default", query_type)
    assert item is None or item_from_json(item_to_json(item)) == item


def test_deeply_nested_simple_query_groups_do_not_exhaust_the_stack() -> None:
    item = parse_simple("(" * 5000 + "a b" + ")" * 5000, "default", "any")
    assert item is not None
