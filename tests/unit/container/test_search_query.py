"""Building a SearchQuery from /search/ parameters, GET and POST alike."""

from __future__ import annotations

from typing import Any

import pytest

from container.errors import (
    IllegalQueryError,
    InvalidQueryParameterError,
    NullQueryError,
    YqlSyntaxError,
)
from container.query import build_search_query, flatten, parse_timeout
from vespid.config import (
    ContainerConfig,
    ContentClusterConfig,
    DocumentTypeRef,
    InputConfig,
    RankProfileConfig,
    SchemaConfig,
)
from vespid.messages import OrderBy, TermItem, TrueItem, WeakAndItem

CONFIG = ContainerConfig(
    generation=1,
    schemas=(
        SchemaConfig(
            "music",
            rank_profiles=(
                RankProfileConfig(
                    "semantic",
                    inputs=(
                        InputConfig("q", "tensor<float>(x[3])"),
                        InputConfig("w", "tensor(cat{})"),
                    ),
                ),
            ),
        ),
        SchemaConfig("books"),
    ),
)
ALL = "select * from sources * where true"


def build(**params: Any) -> Any:
    return build_search_query(flatten(params), CONFIG)


def test_defaults_are_vespas() -> None:
    q = build(yql=ALL)
    assert (q.hits, q.offset, q.ranking, q.trace_level) == (10, 0, "default", 0)
    assert q.schemas == ("music", "books")
    assert q.tree == TrueItem()


def test_flat_and_nested_json_bodies_mean_the_same() -> None:
    flat = build_search_query({"yql": ALL, "ranking.profile": "semantic", "hits": 3}, CONFIG)
    nested = build(yql=ALL, ranking={"profile": "semantic"}, hits=3)
    assert flat == nested
    assert flat.ranking == "semantic"


def test_ranking_is_an_alias_of_ranking_profile() -> None:
    assert build(yql=ALL, ranking="semantic").ranking == "semantic"


def test_url_strings_are_converted() -> None:
    q = build(yql=ALL, hits="7", offset="3", timeout="250ms", tracelevel="2")
    assert (q.hits, q.offset, q.timeout, q.trace_level) == (7, 3, 0.25, 2)


@pytest.mark.parametrize(
    ("name", "value"),
    [("hits", "401"), ("hits", "-1"), ("hits", "ten"), ("offset", "1001"), ("timeout", "soon")],
)
def test_out_of_range_values_are_invalid_parameters(name: str, value: str) -> None:
    with pytest.raises(InvalidQueryParameterError) as e:
        build(yql=ALL, **{name: value})
    assert e.value.name == name


def test_yql_limit_and_offset_take_precedence() -> None:
    q = build(yql=ALL + " limit 15 offset 5", hits="2", offset="1")
    assert (q.hits, q.offset) == (10, 5)


def test_timeout_units() -> None:
    assert parse_timeout("t", "2") == 2.0
    assert parse_timeout("t", "1.5s") == 1.5
    assert parse_timeout("t", "1ks") == 1000.0
    assert parse_timeout("t", 3) == 3.0


def test_query_alone_is_parsed_with_the_model() -> None:
    q = build(query="hello world", **{"model.type": "weakAnd", "model.defaultIndex": "title"})
    assert q.tree == WeakAndItem((TermItem("title", "hello"), TermItem("title", "world")))


def test_no_query_at_all_is_a_null_query() -> None:
    with pytest.raises(NullQueryError):
        build(hits=3)


def test_bad_yql_is_a_syntax_error() -> None:
    with pytest.raises(YqlSyntaxError):
        build(yql="select * from")


def test_unknown_source_is_illegal() -> None:
    with pytest.raises(IllegalQueryError, match="Could not resolve source ref 'films'"):
        build(yql="select * from films where true")


def test_model_restrict_narrows_the_schemas() -> None:
    assert build(yql=ALL, **{"model.restrict": "books"}).schemas == ("books",)


def test_inputs_as_numbers_lists_and_literals() -> None:
    q = build(
        yql=ALL,
        ranking="semantic",
        **{
            "input.query(q)": "[1, 2, 3]",
            "ranking.features.query(w)": "{a:1.5, b:-2}",
            "input.query(k)": 4,
            "input.query(j)": [0.5, 0.25],
        },
    )
    assert q.inputs["k"] == 4.0
    assert q.inputs["j"] == [0.5, 0.25]
    assert q.inputs["q"]["type"] == "tensor<float>(x[3])"
    assert [c["value"] for c in q.inputs["q"]["cells"]] == [1.0, 2.0, 3.0]
    assert q.inputs["w"]["cells"] == [
        {"address": {"cat": "a"}, "value": 1.5},
        {"address": {"cat": "b"}, "value": -2.0},
    ]


def test_a_bad_tensor_is_an_invalid_parameter() -> None:
    with pytest.raises(InvalidQueryParameterError):
        build(yql=ALL, **{"input.query(q)": "{{x:"})


def test_presentation_and_sorting() -> None:
    q = build(
        yql=ALL,
        presentation={"summary": "short", "timing": "true"},
        sorting="-year +title",
    )
    assert q.summary == "short"
    assert q.timing is True
    assert q.order_by == (OrderBy("year", ascending=False), OrderBy("title"))


def test_yql_parameters_come_from_the_request() -> None:
    q = build(yql="select * from sources * where title contains @t", t="love")
    assert q.tree == TermItem("title", "love")


def test_short_names_are_aliases_in_any_case() -> None:
    q = build(yql=ALL, COUNT="4", start="2", Type="any", query="a b")
    assert (q.hits, q.offset) == (4, 2)
    assert build(query="a b", type="any").tree == build(query="a b", **{"model.type": "any"}).tree


def test_a_deeply_nested_body_flattens_without_recursion() -> None:
    body: dict[str, Any] = {"yql": ALL}
    node = body
    for _ in range(5000):
        node["x"] = {}
        node = node["x"]
    node["y"] = 1
    assert flatten(body)["x." * 5000 + "y"] == 1


def test_a_source_may_name_a_content_cluster() -> None:
    cluster = ContentClusterConfig("c1", document_types=(DocumentTypeRef("books"),))
    config = ContainerConfig(1, content_clusters=(cluster,), schemas=CONFIG.schemas)
    q = build_search_query({"yql": "select * from sources c1 where true"}, config)
    assert q.schemas == ("books",)


def test_sources_and_restrict_that_share_no_schema_are_illegal() -> None:
    with pytest.raises(IllegalQueryError, match=r"both among the sources and in model\.restrict"):
        build(yql="select * from music where true", **{"model.restrict": "books"})


@pytest.mark.parametrize(
    "params",
    [
        {"ranking.listFeatures": "true"},
        {"rankfeatures": "TRUE"},
        {"ranking": {"listFeatures": True}},
    ],
)
def test_list_features_in_get_and_post_forms(params: dict[str, Any]) -> None:
    assert build(yql=ALL, **params).list_features
    assert not build(yql=ALL).list_features


def test_list_features_must_be_a_boolean() -> None:
    with pytest.raises(InvalidQueryParameterError):
        build(yql=ALL, **{"ranking.listFeatures": "maybe"})
