"""/search/ through the ASGI app against fake content nodes."""

from __future__ import annotations

import gzip
from typing import Any

import httpx
import orjson

from tests.unit.container.harness import Harness, config
from vespid.errors import InvalidQueryError

ALL = "select * from sources * where true"


def _harness() -> Harness:
    h = Harness(config())
    h.add(0, "id:m:music::a", title="hello world", year=2001, score=0.5)
    h.add(0, "id:m:music::b", title="hello there", year=1999, score=3.0)
    h.add(1, "id:m:music::c", title="goodbye world", year=2010, score=2.0)
    return h


def _get(h: Harness, **params: Any) -> httpx.Response:
    async def body(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/search/", params=params)

    return h.run(body)


def test_where_true_renders_vespas_default_json_exactly() -> None:
    h = Harness(config())
    h.add(1, "id:m:music::c", title="x", score=2.0)
    response = _get(h, yql=ALL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.content == (
        b'{"root":{"id":"toplevel","relevance":1.0,"fields":{"totalCount":1},'
        b'"coverage":{"coverage":100,"documents":1,"full":true,"nodes":2,"results":1,'
        b'"resultsFull":1},"children":[{"id":"id:m:music::c","relevance":2.0,'
        b'"source":"music_content","fields":{"sddocname":"music","documentid":"id:m:music::c",'
        b'"title":"x","score":2.0,"matchfeatures":{"score":2.0}}}]}}'
    )


def test_hits_from_all_nodes_merge_by_relevance() -> None:
    root = _get(_harness(), yql=ALL).json()["root"]
    assert [c["id"] for c in root["children"]] == [
        "id:m:music::b",
        "id:m:music::c",
        "id:m:music::a",
    ]
    assert root["fields"]["totalCount"] == 3


def test_hits_and_offset_page_the_merged_list() -> None:
    root = _get(_harness(), yql=ALL, hits="1", offset="1").json()["root"]
    assert [c["id"] for c in root["children"]] == ["id:m:music::c"]


def test_order_by_sorts_on_the_nodes_sort_values() -> None:
    root = _get(_harness(), yql=ALL + " order by year desc").json()["root"]
    assert [c["fields"]["year"] for c in root["children"]] == [2010, 2001, 1999]


def test_nodes_get_offset_plus_hits_and_the_query_tree() -> None:
    h = _harness()
    _get(h, yql="select * from music where title contains 'hello' limit 3 offset 1")
    kind, request = h.nodes[0].requests[0]
    assert kind == "search"
    assert (request.hits, request.offset, request.schemas) == (3, 0, ("music",))
    assert request.query == {"type": "term", "field": "title", "term": "hello", "kind": "word",
                             "stem": True, "normalize": True, "weight": 100, "filter": False,
                             "ranked": True, "label": None}  # fmt: skip


def test_select_restricts_the_summary_fields() -> None:
    root = _get(_harness(), yql="select title from sources * where year > 2005").json()["root"]
    assert root["children"][0]["fields"] == {
        "sddocname": "music",
        "documentid": "id:m:music::c",
        "title": "goodbye world",
        "matchfeatures": {"score": 2.0},
    }


def test_a_timed_out_node_gives_partial_results_and_degraded_coverage() -> None:
    h = _harness()
    h.network.slow.add(19101)
    response = _get(h, yql=ALL)
    assert response.status_code == 200
    root = response.json()["root"]
    assert [c["id"] for c in root["children"]] == ["id:m:music::b", "id:m:music::a"]
    assert root["coverage"] == {
        "coverage": 50,
        "documents": 2,
        "degraded": {"match-phase": False, "timeout": True, "adaptive-timeout": False,
                     "non-ideal-state": False},
        "full": False,
        "nodes": 1,
        "results": 1,
        "resultsFull": 0,
    }  # fmt: skip
    assert root["errors"][0]["code"] == 12
    assert root["errors"][0]["source"] == "music_content"


def test_no_reachable_node_and_no_hits_is_503() -> None:
    h = _harness()
    h.network.down.update({19100, 19101})
    response = _get(h, yql=ALL)
    assert response.status_code == 503
    assert response.json()["root"]["errors"][0]["summary"] == "Backend communication error"


def test_bad_yql_is_400_with_a_positioned_message() -> None:
    response = _get(_harness(), yql="select * from sources * where title contans 'x'")
    assert response.status_code == 400
    error = response.json()["root"]["errors"][0]
    assert error["code"] == 3
    assert error["summary"] == "Illegal query"
    assert error["message"].startswith("query:L1:37: expected contains, matches, in")


def test_an_invalid_parameter_is_400_code_4() -> None:
    response = _get(_harness(), yql=ALL, hits="401")
    assert response.status_code == 400
    assert response.json() == {
        "root": {
            "id": "toplevel",
            "relevance": 1.0,
            "fields": {"totalCount": 0},
            "errors": [
                {
                    "code": 4,
                    "summary": "Invalid query parameter",
                    "message": "Could not set 'hits' to '401': must be in range [0, 400]",
                }
            ],
        }
    }


def test_a_query_a_node_refuses_is_400() -> None:
    h = _harness()
    h.nodes[0].failures["search"] = InvalidQueryError("No field 'nope' in schema 'music'")
    response = _get(h, yql="select * from sources * where nope contains 'x'")
    assert response.status_code == 400
    assert response.json()["root"]["errors"][0]["message"] == "No field 'nope' in schema 'music'"


def test_post_json_flat_nested_and_gzipped_bodies() -> None:
    h = _harness()
    bodies = [
        {"yql": ALL, "hits": 1},
        {"yql": ALL, "presentation": {"timing": True}, "hits": 1},
    ]

    async def body(client: httpx.AsyncClient) -> list[httpx.Response]:
        answers = [await client.post("/search/", json=b) for b in bodies]
        answers.append(
            await client.post(
                "/search/",
                content=gzip.compress(orjson.dumps(bodies[0])),
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            )
        )
        answers.append(await client.post("/search/", data={"yql": ALL, "hits": "1"}))
        answers.append(await client.post("/search/?hits=2", json={"yql": ALL, "hits": 1}))
        return answers

    flat, nested, zipped, form, url_wins = h.run(body)
    assert len(flat.json()["root"]["children"]) == 1
    assert set(nested.json()["timing"]) == {"querytime", "summaryfetchtime", "searchtime"}
    assert zipped.json()["root"]["children"] == flat.json()["root"]["children"]
    assert form.json()["root"]["children"] == flat.json()["root"]["children"]
    assert len(url_wins.json()["root"]["children"]) == 2


def test_tracelevel_adds_a_trace() -> None:
    response = _get(_harness(), yql=ALL, tracelevel="1")
    messages = [c["message"] for c in response.json()["trace"]["children"]]
    assert messages[0] == "Query parsed to: true"
    assert "Content node 1 of 'music_content': 1 hits of 1 matches in 1 documents" in messages


def test_without_config_the_container_answers_503() -> None:
    h = Harness()

    async def body(client: httpx.AsyncClient) -> tuple[int, int, int, int]:
        search = await client.get("/search/", params={"yql": ALL})
        status = await client.get("/ApplicationStatus")
        await h.runtime.apply(config())
        after = await client.get("/ApplicationStatus")
        health = await client.get("/state/v1/health")
        assert b'"code" : "up"' in health.content
        return search.status_code, status.status_code, after.status_code, health.status_code

    assert h.run(body) == (503, 503, 200, 200)


def test_status_html_answers_200() -> None:
    async def body(client: httpx.AsyncClient) -> int:
        return (await client.get("/status.html")).status_code

    assert Harness().run(body) == 200


def test_an_unknown_summary_class_is_400() -> None:
    h = _harness()
    h.nodes[0].failures["docsum"] = InvalidQueryError("Schema 'music' has no summary 'nope'")
    response = _get(h, yql=ALL, **{"presentation.summary": "nope"})
    assert response.status_code == 400


def test_presentation_format_tensors_rerenders_hit_tensors() -> None:
    h = Harness(config())
    h.add(0, "id:m:music::v", embedding={"type": "tensor<float>(x[2])", "values": [1.0, 2.0]})
    root = _get(h, yql=ALL, **{"presentation.format.tensors": "short-value"}).json()["root"]
    assert root["children"][0]["fields"]["embedding"] == [1.0, 2.0]
    assert _get(_harness(), yql=ALL, **{"presentation.format.tensors": "x"}).status_code == 400
