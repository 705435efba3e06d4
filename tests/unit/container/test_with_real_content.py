"""The container against a real content node (in process, storage under tmp_path).

Guards the container ↔ content contract (docs/internals.md) from both sides: documents
fed through /document/v1 are found by /search/ with YQL, text ranking and
nearestNeighbor, read back, updated, visited and removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from container.dispatch import ContentClient
from container.http import ContainerRuntime, create_app
from content.http import NodeService, create_app as content_app
from content.settings import Settings as ContentSettings
from vespid.config import (
    ContainerConfig,
    ContentClusterConfig,
    ContentConfig,
    ContentNodeConfig,
    DocumentTypeRef,
    FieldConfig,
    FieldsetConfig,
    InputConfig,
    RankProfileConfig,
    SchemaConfig,
)
from vespid.runtime import ConfigSubscriber

SCHEMA = SchemaConfig(
    "music",
    fields=(
        FieldConfig("title", "string", index=True, summary=True, enable_bm25=True),
        FieldConfig("year", "int", attribute=True, summary=True, fast_search=True),
        FieldConfig("embedding", "tensor<float>(x[2])", attribute=True, summary=True),
    ),
    fieldsets=(FieldsetConfig("default", ("title",)),),
    rank_profiles=(
        RankProfileConfig("default"),
        RankProfileConfig("bm25", first_phase="bm25(title)"),
        RankProfileConfig(
            "closeness",
            inputs=(InputConfig("q", "tensor<float>(x[2])"),),
            first_phase="closeness(field, embedding)",
        ),
    ),
)
CLUSTER = ContentClusterConfig(
    "music_content",
    document_types=(DocumentTypeRef("music"),),
    nodes=(ContentNodeConfig(0, "localhost", 19100),),
)
DOCS = {
    "a": {"title": "love me do", "year": 1962, "embedding": [1.0, 0.0]},
    "b": {"title": "all you need is love love", "year": 1967, "embedding": [0.0, 1.0]},
    "c": {"title": "help", "year": 1965, "embedding": [0.7, 0.7]},
}

Body = Callable[[httpx.AsyncClient], Awaitable[Any]]


class _Node:
    """Routes the container's content calls to the in-process node app."""

    def __init__(self, service: NodeService) -> None:
        self.transport = httpx.ASGITransport(content_app(service))

    async def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        request = httpx.Request("POST", url, content=body)
        response = await self.transport.handle_async_request(request)
        return response.status_code, await response.aread()

    async def aclose(self) -> None:
        """Nothing to close."""


def _run(tmp_path: Path, body: Body) -> Any:
    async def config_api(request: httpx.Request) -> httpx.Response:
        if int(request.url.params["generation"]) >= 1:
            await asyncio.Event().wait()
        config = ContentConfig(1, clusters=(CLUSTER,), schemas=(SCHEMA,))
        return httpx.Response(200, json={"generation": 1, "config": config.to_json()})

    async def main() -> Any:
        transport = httpx.MockTransport(config_api)
        service = NodeService(
            ContentSettings(19100, "music_content", 0, tmp_path, ("http://config",)),
            lambda s: ConfigSubscriber(
                s.config_servers, "content", ContentConfig, transport=transport
            ),
        )
        await service.start()
        for _ in range(1000):
            if service.state.status == "up":
                break
            await asyncio.sleep(0.01)
        runtime = ContainerRuntime(ContentClient(transport=_Node(service)))
        await runtime.apply(ContainerConfig(1, content_clusters=(CLUSTER,), schemas=(SCHEMA,)))
        app = httpx.ASGITransport(create_app(runtime), raise_app_exceptions=False)
        try:
            async with httpx.AsyncClient(transport=app, base_url="http://container") as client:
                for key, fields in DOCS.items():
                    response = await client.post(
                        f"/document/v1/m/music/docid/{key}", json={"fields": fields}
                    )
                    assert response.status_code == 200, response.text
                return await body(client)
        finally:
            await runtime.aclose()
            await service.stop()

    return asyncio.run(main())


def _ids(result: httpx.Response) -> list[str]:
    assert result.status_code == 200, result.text
    return [hit["id"].split("::")[1] for hit in result.json()["root"].get("children", [])]


def test_search_ranks_filters_and_sorts_what_was_fed(tmp_path: Path) -> None:
    async def body(client: httpx.AsyncClient) -> dict[str, list[str]]:
        def search(**params: Any) -> Awaitable[httpx.Response]:
            return client.get("/search/", params=params)

        return {
            "all": _ids(await search(yql="select * from music where true")),
            "bm25": _ids(
                await search(yql="select * from music where title contains 'love'", ranking="bm25")
            ),
            "sorted": _ids(
                await search(yql="select * from music where year > 1962 order by year desc")
            ),
            "nn": _ids(
                await search(
                    yql="select * from music where {targetHits: 1}nearestNeighbor(embedding, q)",
                    ranking="closeness",
                    **{"input.query(q)": "[1, 0]"},
                )
            ),
            "user": _ids(await search(yql="select * from music where userQuery()", query="help")),
            "equal": _ids(await search(yql="select * from music where year contains '1965'")),
            "in": _ids(await search(yql="select * from music where year in (1962, 1967)")),
        }

    found = _run(tmp_path, body)
    assert sorted(found["all"]) == ["a", "b", "c"]
    assert found["bm25"] == ["b", "a"]
    assert found["sorted"] == ["b", "c"]
    assert found["nn"] == ["a"]
    assert found["user"] == ["c"]
    assert found["equal"] == ["c"]
    assert sorted(found["in"]) == ["a", "b"]


def test_documents_read_update_visit_and_remove(tmp_path: Path) -> None:
    async def body(client: httpx.AsyncClient) -> list[Any]:
        url = "/document/v1/m/music/docid/a"
        got = (await client.get(url)).json()
        await client.put(url, json={"fields": {"year": {"assign": 1963}}})
        updated = (await client.get(url)).json()["fields"]["year"]
        visited = (await client.get("/document/v1/m/music/docid/")).json()["documentCount"]
        await client.delete(url)
        missing = (await client.get(url)).status_code
        return [got, updated, visited, missing]

    got, updated, visited, missing = _run(tmp_path, body)
    assert got["fields"]["title"] == "love me do"
    assert got["fields"]["embedding"] == {"type": "tensor<float>(x[2])", "values": [1.0, 0.0]}
    assert (updated, visited, missing) == (1963, 3, 404)
