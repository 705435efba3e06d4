"""The YQL parser on the constructs the container relies on."""

from __future__ import annotations

import pytest

from container.errors import YqlSyntaxError
from container.yql import QueryModel, parse_yql
from vespid.messages import (
    AndItem,
    EqualsItem,
    FuzzyItem,
    NearestNeighborItem,
    NotItem,
    OrderBy,
    OrItem,
    RangeItem,
    SameElementItem,
    TermItem,
    TrueItem,
    WeakAndItem,
)


def test_select_from_sources_with_clauses_in_any_order() -> None:
    q = parse_yql(
        "SELECT title, year FROM sources music, books WHERE true "
        "ORDER BY year DESC, title TIMEOUT 300 OFFSET 5 LIMIT 20;"
    )
    assert q.select == ("title", "year")
    assert q.sources == ("music", "books")
    assert q.order_by == (OrderBy("year", ascending=False), OrderBy("title"))
    assert (q.limit, q.offset, q.timeout_ms) == (20, 5, 300)


def test_from_a_bare_schema_and_star_sources() -> None:
    assert parse_yql("select * from music where true").sources == ("music",)
    assert parse_yql("select * from sources * where true").sources is None


def test_comparisons_become_equals_and_ranges() -> None:
    q = parse_yql("select * from sources * where year >= 2000 and price < 9.5 and ok = true")
    assert q.where == AndItem(
        (
            RangeItem("year", lower=2000.0),
            RangeItem("price", upper=9.5, include_upper=False),
            EqualsItem("ok", True),
        )
    )


def test_not_equal_is_an_andnot_of_everything() -> None:
    q = parse_yql("select * from sources * where a != 3")
    assert q.where == NotItem(TrueItem(), (EqualsItem("a", 3),))


def test_term_annotations_are_kept() -> None:
    q = parse_yql(
        "select * from sources * where title contains ({prefix: true, stem: false, weight: 200}"
        '"lo")'
    )
    assert q.where == TermItem("title", "lo", kind="prefix", stem=False, weight=200)


def test_nearest_neighbor_with_annotations() -> None:
    q = parse_yql(
        "select * from sources * where {targetHits: 5, approximate: false, "
        "hnsw.exploreAdditionalHits: 7, label: 'nn'}nearestNeighbor(embedding, q)"
    )
    assert q.where == NearestNeighborItem(
        "embedding", "q", target_hits=5, approximate=False, explore_additional_hits=7, label="nn"
    )


def test_user_query_parses_the_query_parameter_with_the_model() -> None:
    model = QueryModel(query="love +song -cover", default_index="title", type="all")
    q = parse_yql("select * from sources * where userQuery()", model=model)
    assert q.where == NotItem(
        AndItem((TermItem("title", "love"), TermItem("title", "song"))),
        (TermItem("title", "cover"),),
    )


def test_user_query_without_query_text_drops_out_of_an_or() -> None:
    q = parse_yql("select * from sources * where userQuery() or a contains 'b'")
    assert q.where == TermItem("a", "b")


def test_user_input_reads_a_parameter_and_defaults_to_weak_and() -> None:
    q = parse_yql(
        "select * from sources * where {defaultIndex: 'body'}userInput(@text)",
        {"text": "hello world"},
    )
    assert q.where == WeakAndItem((TermItem("body", "hello"), TermItem("body", "world")))


def test_parameter_references_fill_in_values() -> None:
    q = parse_yql("select * from sources * where a contains @w or b = @n", {"w": "x", "n": "4"})
    assert q.where == OrItem((TermItem("a", "x"), EqualsItem("b", 4)))


def test_missing_parameter_is_a_positioned_error() -> None:
    with pytest.raises(YqlSyntaxError) as e:
        parse_yql("select * from sources * where a contains @nope")
    assert e.value.position == 41
    assert "nope" in str(e.value)


def test_error_says_where_and_what_was_expected() -> None:
    with pytest.raises(YqlSyntaxError) as e:
        parse_yql("select * from sources *\nwhere title contans 'x'")
    assert (e.value.line, e.value.column) == (2, 13)
    assert e.value.expected == "contains, matches, in or a comparison"
    assert e.value.found == "'contans'"


def test_grouping_is_kept_as_text() -> None:
    q = parse_yql("select * from sources * where true | all(group(a) each(output(count())))")
    assert q.grouping == ("all(group(a) each(output(count())))",)


@pytest.mark.parametrize(
    "nested",
    [
        "(" * 5000 + "true" + ")" * 5000,
        "!" * 5000 + "(true)",
        "a contains " + "(" * 5000 + "'x'" + ")" * 5000,
        "weightedSet(f, " + "{'a':" * 5000 + "1" + "}" * 5000 + ")",
        "a contains phrase(" + "phrase(" * 5000 + "'x'" + ")" * 5001,
        "a = " + "(" * 5000 + "1" + ")" * 5000,
    ],
)
def test_deep_nesting_is_a_syntax_error_not_a_crash(nested: str) -> None:
    with pytest.raises(YqlSyntaxError, match="levels of nesting"):
        parse_yql("select * from sources * where " + nested)


def test_same_element_keeps_its_element_filter() -> None:
    where = "persons contains ({elementFilter: [2, 0]}sameElement(name contains 'x'))"
    tree = parse_yql(f"select * from sources * where {where}").where
    assert tree == SameElementItem("persons", (TermItem("name", "x"),), (2, 0))
    single = "persons contains ({elementFilter: 1}sameElement(name contains 'x'))"
    assert parse_yql(f"select * from sources * where {single}").where == SameElementItem(
        "persons", (TermItem("name", "x"),), (1,)
    )


@pytest.mark.parametrize("ids", ["-1", "[1, -2]", "1.5", "[1, 2.5]", "'a'"])
def test_element_filter_ids_must_be_non_negative_integers(ids: str) -> None:
    where = f"f contains ({{elementFilter: {ids}}}sameElement(name contains 'x'))"
    with pytest.raises(YqlSyntaxError, match="elementFilter"):
        parse_yql(f"select * from sources * where {where}")


def test_fuzzy_with_its_annotations() -> None:
    where = "name contains ({maxEditDistance: 1, prefixLength: 2, prefix: true}fuzzy('parantesis'))"
    tree = parse_yql(f"select * from sources * where {where}").where
    assert tree == FuzzyItem("name", "parantesis", 1, 2, True)
    plain = parse_yql("select * from sources * where name contains fuzzy('x')").where
    assert plain == FuzzyItem("name", "x")


@pytest.mark.parametrize(
    "call",
    ["fuzzy('a', 'b')", "({maxEditDistance: -1}fuzzy('a'))", "({prefixLength: 'x'}fuzzy('a'))"],
)
def test_fuzzy_refuses_bad_arguments(call: str) -> None:
    with pytest.raises(YqlSyntaxError):
        parse_yql(f"select * from sources * where name contains {call}")


def test_text_searches_its_words_in_the_field_like_user_input() -> None:
    tree = parse_yql('select * from sources * where title contains text("blue lake")').where
    assert tree == WeakAndItem((TermItem("title", "blue"), TermItem("title", "lake")))
    where = 'title contains ({grammar: "all"}text("blue lake"))'
    assert parse_yql(f"select * from sources * where {where}").where == AndItem(
        (TermItem("title", "blue"), TermItem("title", "lake"))
    )
    with pytest.raises(YqlSyntaxError):
        parse_yql('select * from sources * where title contains text("  ")')


def test_non_empty_passes_its_expression_through_or_fails_the_query() -> None:
    kept = parse_yql("select * from sources * where nonEmpty(a contains 'x')").where
    assert kept == TermItem("a", "x")
    for where in ("nonEmpty(a contains '')", "nonEmpty(userInput(@q))", "nonEmpty(a contains @q)"):
        with pytest.raises(YqlSyntaxError, match="nonEmpty"):
            parse_yql(f"select * from sources * where {where}", {"q": ""})


def test_an_element_index_is_same_element_on_that_element() -> None:
    where = "numbers[2] = 42 and persons.age[0] > 30"
    assert parse_yql(f"select * from sources * where {where}").where == AndItem(
        (
            SameElementItem("numbers", (EqualsItem("numbers", 42),), (2,)),
            SameElementItem(
                "persons.age", (RangeItem("persons.age", lower=30.0, include_lower=False),), (0,)
            ),
        )
    )
