"""/document/v1/ through the ASGI app against fake content nodes."""

from __future__ import annotations

import gzip
from dataclasses import replace
from typing import Any

import httpx
import orjson
import pytest

from container.docapi import primary_node
from tests.unit.container.harness import Harness, config
from vespid.config import ContainerClusterConfig
from vespid.document import DocumentId
from vespid.errors import (
    ConditionNotMetError,
    InsufficientStorageError,
    NodeNotReadyError,
    OverloadError,
    VespidError,
)

PUT_BODY = {"fields": {"title": "hello", "year": 2001}}


def _primary(doc_id: str) -> int:
    cluster = config().content_clusters[0]
    return primary_node(cluster, DocumentId.parse(doc_id)).distribution_key


def _call(h: Harness, method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def body(client: httpx.AsyncClient) -> httpx.Response:
        return await client.request(method, url, **kwargs)

    return h.run(body)


def test_put_goes_to_the_buckets_primary_and_answers_path_and_id() -> None:
    h = Harness(config())
    response = _call(h, "POST", "/document/v1/m/music/docid/one", json=PUT_BODY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert response.content == b'{"pathId":"/document/v1/m/music/docid/one","id":"id:m:music::one"}'
    node = h.nodes[_primary("id:m:music::one")]
    assert node.documents == {"id:m:music::one": {"title": "hello", "year": 2001}}


def test_get_returns_fields_and_404_when_missing() -> None:
    h = Harness(config())
    h.add(_primary("id:m:music::one"), "id:m:music::one", title="hello")

    async def body(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        return (
            await client.get("/document/v1/m/music/docid/one"),
            await client.get("/document/v1/m/music/docid/two"),
        )

    found, missing = h.run(body)
    assert found.json() == {
        "pathId": "/document/v1/m/music/docid/one",
        "id": "id:m:music::one",
        "fields": {"title": "hello"},
    }
    assert missing.status_code == 404
    assert missing.json() == {"pathId": "/document/v1/m/music/docid/two", "id": "id:m:music::two"}


@pytest.mark.parametrize(
    ("path", "doc_id"),
    [
        ("/document/v1/m/music/docid/a%23b/c", "id:m:music::a#b/c"),
        ("/document/v1/m/music/docid/bl%C3%A5b%C3%A6r", "id:m:music::blåbær"),
        ("/document/v1/m/music/number/7/x", "id:m:music:n=7:x"),
        ("/document/v1/m/music/group/g1/x/y", "id:m:music:g=g1:x/y"),
    ],
)
def test_id_forms_slashes_and_non_ascii(path: str, doc_id: str) -> None:
    h = Harness(config())
    response = _call(h, "POST", path, json=PUT_BODY)
    assert response.json() == {"pathId": path, "id": doc_id}
    assert doc_id in h.nodes[_primary(doc_id)].documents


def test_gzip_body_and_extra_top_level_keys() -> None:
    h = Harness(config())
    raw = gzip.compress(orjson.dumps({"put": "id:m:music::one", **PUT_BODY}))
    response = _call(
        h,
        "POST",
        "/document/v1/m/music/docid/one",
        content=raw,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert h.nodes[_primary("id:m:music::one")].documents["id:m:music::one"]["year"] == 2001


def test_update_with_create_and_update_of_a_missing_document() -> None:
    h = Harness(config())
    update = {"fields": {"title": {"assign": "new"}}}

    async def body(client: httpx.AsyncClient) -> tuple[int, int]:
        missing = await client.put("/document/v1/m/music/docid/one", json=update)
        created = await client.put("/document/v1/m/music/docid/two?create=true", json=update)
        return missing.status_code, created.status_code

    assert h.run(body) == (200, 200)
    kind, request = h.nodes[_primary("id:m:music::two")].requests[-1]
    assert (kind, request.create) == ("update", True)
    assert h.nodes[_primary("id:m:music::two")].documents["id:m:music::two"] == {"title": "new"}


def test_delete_removes() -> None:
    h = Harness(config())
    key = _primary("id:m:music::one")
    h.add(key, "id:m:music::one", title="x")
    response = _call(h, "DELETE", "/document/v1/m/music/docid/one")
    assert response.json() == {"pathId": "/document/v1/m/music/docid/one", "id": "id:m:music::one"}
    assert h.nodes[key].documents == {}


def test_unknown_document_type_and_invalid_fields_are_400() -> None:
    h = Harness(config())

    async def body(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        return (
            await client.post("/document/v1/m/house/docid/one", json=PUT_BODY),
            await client.post("/document/v1/m/music/docid/one", json={"fields": {"nope": 1}}),
        )

    unknown, invalid = h.run(body)
    assert unknown.status_code == 400
    assert unknown.json() == {
        "pathId": "/document/v1/m/house/docid/one",
        "id": "id:m:house::one",
        "message": "Document type house does not exist",
    }
    assert invalid.status_code == 400
    assert "nope" in invalid.json()["message"]


def test_malformed_json_is_400() -> None:
    response = _call(Harness(config()), "POST", "/document/v1/m/music/docid/one", content=b"{")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ConditionNotMetError("Condition did not match document"), 412),
        (OverloadError("Rejecting execution due to overload"), 429),
        (InsufficientStorageError("disk full"), 507),
        (VespidError("boom"), 500),
    ],
)
def test_content_node_errors_map_to_vespas_statuses(error: VespidError, status: int) -> None:
    h = Harness(config())
    h.nodes[_primary("id:m:music::one")].failures["put"] = error
    response = _call(h, "POST", "/document/v1/m/music/docid/one?condition=true", json=PUT_BODY)
    assert response.status_code == status
    assert response.json()["message"] == error.message


def test_a_timeout_is_504_and_not_retried_elsewhere() -> None:
    h = Harness(config())
    h.network.slow.add(19100 + _primary("id:m:music::one"))
    assert _call(h, "POST", "/document/v1/m/music/docid/one", json=PUT_BODY).status_code == 504
    assert all(not n.requests for n in h.nodes.values())


def test_an_unreachable_primary_fails_over_to_the_next_ideal_node() -> None:
    h = Harness(config())
    primary = _primary("id:m:music::one")
    h.network.down.add(19100 + primary)
    response = _call(h, "POST", "/document/v1/m/music/docid/one", json=PUT_BODY)
    assert response.status_code == 200
    assert "id:m:music::one" in h.nodes[1 - primary].documents


def test_a_not_ready_node_fails_over_and_no_reachable_node_is_503() -> None:
    h = Harness(config())
    primary = _primary("id:m:music::one")
    h.nodes[primary].failures["get"] = NodeNotReadyError("replaying")
    h.network.down.add(19100 + 1 - primary)
    response = _call(h, "GET", "/document/v1/m/music/docid/one")
    assert response.status_code == 503
    assert response.json()["message"].startswith("content node")


def test_options_and_unsupported_methods() -> None:
    h = Harness(config())

    async def body(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        return (
            await client.options("/document/v1/m/music/docid/one"),
            await client.patch("/document/v1/m/music/docid/one"),
        )

    options, patch = h.run(body)
    assert (options.status_code, options.headers["allow"]) == (204, "GET,POST,PUT,DELETE")
    assert patch.status_code == 405


def _visit_all(h: Harness, url: str, extra: dict[str, str] | None = None) -> tuple[list[str], int]:
    async def body(client: httpx.AsyncClient) -> tuple[list[str], int]:
        seen: list[str] = []
        pages = 0
        continuation = None
        while True:
            params = {"wantedDocumentCount": "3", **(extra or {})}
            if continuation:
                params["continuation"] = continuation
            data = (await client.get(url, params=params)).json()
            pages += 1
            assert data["documentCount"] == len(data["documents"])
            seen.extend(d["id"] for d in data["documents"])
            continuation = data.get("continuation")
            if continuation is None:
                return seen, pages

    return h.run(body)


def test_visit_returns_every_document_exactly_once_across_nodes() -> None:
    h = Harness(config())
    ids = [f"id:m:music::{i:02}" for i in range(10)]
    for doc_id in ids:
        h.add(_primary(doc_id), doc_id, title="t")
    seen, pages = _visit_all(h, "/document/v1/m/music/docid/")
    assert sorted(seen) == ids
    assert pages == 4


def test_visit_with_redundancy_two_returns_only_the_primary_copy() -> None:
    h = Harness(config(redundancy=2))
    ids = [f"id:m:music::{i}" for i in range(6)]
    for doc_id in ids:
        for key in (0, 1):
            h.add(key, doc_id, title="t")
    seen, _ = _visit_all(h, "/document/v1/")
    assert sorted(seen) == ids


def test_visit_filters_on_the_namespace() -> None:
    h = Harness(config())
    h.add(0, "id:m:music::a", title="t")
    h.add(0, "id:other:music::b", title="t")
    seen, _ = _visit_all(h, "/document/v1/m/music/docid")
    assert seen == ["id:m:music::a"]


def test_a_foreign_continuation_token_is_400() -> None:
    response = _call(Harness(config()), "GET", "/document/v1/?continuation=bm9wZQ==")
    assert response.status_code == 400


def test_remove_by_selection_needs_selection_and_cluster() -> None:
    h = Harness(config())
    for doc_id in ("id:m:music::a", "id:m:music::b", "id:m:music::c"):
        h.add(_primary(doc_id), doc_id, title="t")

    async def body(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        refused = await client.delete("/document/v1/m/music/docid/")
        done = await client.delete(
            "/document/v1/m/music/docid/", params={"selection": "true", "cluster": "music_content"}
        )
        return refused, done

    refused, done = h.run(body)
    assert refused.status_code == 400
    assert done.json()["documentCount"] == 3
    assert all(not n.documents for n in h.nodes.values())


def test_dry_run_validates_without_writing_and_tracelevel_names_the_node() -> None:
    h = Harness(config())
    key = _primary("id:m:music::one")
    response = _call(
        h, "POST", "/document/v1/m/music/docid/one?dryRun=true&tracelevel=1", json=PUT_BODY
    )
    assert response.status_code == 200
    assert h.nodes[key].documents == {}
    assert response.json()["trace"] == [
        {
            "message": f"Validated (dry run), not sent to content node {key} "
            f"(localhost:{19100 + key}) of cluster 'music_content'"
        }
    ]


def test_slices_partition_a_visit() -> None:
    h = Harness(config())
    ids = [f"id:m:music::{i:02}" for i in range(20)]
    for doc_id in ids:
        h.add(_primary(doc_id), doc_id, title="t")
    seen: list[str] = []
    for slice_id in range(3):
        part, _ = _visit_all(
            _copy(h), "/document/v1/m/music/docid/", {"slices": "3", "sliceId": str(slice_id)}
        )
        assert part
        seen.extend(part)
    assert sorted(seen) == ids


def _copy(h: Harness) -> Harness:
    """A fresh harness (each run closes its client) holding the same documents."""
    fresh = Harness(config())
    for key, node in h.nodes.items():
        fresh.nodes[key].documents.update(node.documents)
    return fresh


def test_the_vespa_cli_discovers_clusters_and_the_handler() -> None:
    h = Harness(config())

    async def body(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        return await client.get("/"), await client.get("/document/v1/?cluster=*")

    root, star = h.run(body)
    classes = [handler["class"] for handler in root.json()["handlers"]]
    assert any(c.endswith("DocumentV1ApiHandler") for c in classes)
    assert star.status_code == 400
    message = star.json()["message"]
    assert "no content cluster '*'" in message
    assert [part.split("'")[1] for part in message.split(",")[1:]] == ["music_content"]


def test_bucket_spaces_split_global_and_default_document_types() -> None:
    h = Harness(config())
    h.add(0, "id:m:music::a", title="t")
    default, _ = _visit_all(h, "/document/v1/", {"bucketSpace": "default"})
    assert default == ["id:m:music::a"]
    h = Harness(config())
    h.add(0, "id:m:music::a", title="t")
    global_, _ = _visit_all(h, "/document/v1/", {"bucketSpace": "global"})
    assert global_ == []


def test_visit_as_json_lines() -> None:
    h = Harness(config())
    h.add(0, "id:m:music::a", title="t")

    async def body(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/document/v1/", headers={"Accept": "application/jsonl"})

    response = h.run(body)
    assert response.headers["content-type"] == "application/jsonl"
    assert [orjson.loads(line) for line in response.content.splitlines()] == [
        {"put": "id:m:music::a", "fields": {"title": "t"}},
        {"sessionStats": {"documentCount": 1}},
        {"continuation": {"percentFinished": 100.0}},
    ]


def test_format_tensors_rerenders_tensor_fields() -> None:
    h = Harness(config())
    dense = {"type": "tensor<float>(x[2])", "values": [1.0, 2.0]}
    h.add(_primary("id:m:music::one"), "id:m:music::one", embedding=dense)

    async def body(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [
            await client.get("/document/v1/m/music/docid/one?format.tensors=long"),
            await client.get("/document/v1/m/music/docid/?format.tensors=short-value"),
            await client.get("/document/v1/m/music/docid/one?format.tensors=hexagonal"),
        ]

    long_form, visited, bad = h.run(body)
    assert long_form.json()["fields"]["embedding"] == {
        "type": "tensor<float>(x[2])",
        "cells": [{"address": {"x": "0"}, "value": 1.0}, {"address": {"x": "1"}, "value": 2.0}],
    }
    assert visited.json()["documents"][0]["fields"]["embedding"] == [1.0, 2.0]
    assert bad.status_code == 400


def test_update_by_selection_updates_every_visited_document() -> None:
    h = Harness(config())
    for doc_id in ("id:m:music::a", "id:m:music::b"):
        h.add(_primary(doc_id), doc_id, title="old")

    async def body(client: httpx.AsyncClient) -> httpx.Response:
        return await client.put(
            "/document/v1/m/music/docid/",
            params={"selection": "true", "cluster": "music_content"},
            json={"fields": {"title": {"assign": "new"}}},
        )

    response = h.run(body)
    assert response.json() == {"pathId": "/document/v1/m/music/docid/", "documentCount": 2}
    titles = [d["title"] for n in h.nodes.values() for d in n.documents.values()]
    assert titles == ["new", "new"]


def test_a_cluster_without_document_api_answers_404() -> None:
    h = Harness(replace(config(), containers=(ContainerClusterConfig("feed", document_api=False),)))
    h.runtime.cluster = "feed"

    async def body(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        return (
            await client.get("/document/v1/m/music/docid/one"),
            await client.get("/search/", params={"yql": "select * from sources * where true"}),
        )

    document, search = h.run(body)
    assert document.status_code == 404
    assert "<document-api>" in document.json()["message"]
    assert search.status_code == 200
