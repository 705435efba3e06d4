"""The content node's HTTP API through httpx's ASGI transport, with real storage and index."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

import content.errors
from content.http import NodeService, create_app
from content.http.errors import EXCEPTION_HANDLERS
from content.settings import Settings
from tests.unit.content.test_node_support import Storage, content_config
from vespid.config import ContentConfig, FieldConfig, SchemaConfig
from vespid.messages import (
    GetRequest,
    PutRequest,
    RemoveRequest,
    SearchRequest,
    UpdateRequest,
    VisitRequest,
    item_to_json,
)
from vespid.messages.query import TermItem
from vespid.runtime import ConfigSubscriber, ServiceState

DOC = "id:ns:music::one"


class ConfigServer:
    """Answers config long polls: at once when newer config exists, else when one appears."""

    def __init__(self) -> None:
        self.config: ContentConfig | None = None
        self._changed = asyncio.Event()

    def publish(self, config: ContentConfig) -> None:
        self.config = config
        self._changed.set()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        after = int(request.url.params["generation"])
        while self.config is None or self.config.generation <= after:
            self._changed.clear()
            await self._changed.wait()
        body = {"generation": self.config.generation, "config": self.config.to_json()}
        return httpx.Response(200, json=body)


Client = Callable[[str, Any], Awaitable[httpx.Response]]


async def wait_for(service: NodeService, status: str) -> None:
    for _ in range(500):
        if service.state.status == status:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"status stayed {service.state.status!r}, not {status!r}")


@asynccontextmanager
async def serving(
    tmp_path: Path,
    server: ConfigServer,
    storage: Storage | None = None,
    max_pending_writes: int = 4096,
) -> AsyncIterator[tuple[NodeService, Client]]:
    settings = Settings(19100, "music", 0, tmp_path, ("http://config",))
    transport = httpx.MockTransport(server.handle)

    def subscribe(s: Settings) -> ConfigSubscriber[ContentConfig]:
        return ConfigSubscriber(s.config_servers, "content", ContentConfig, transport=transport)

    if storage is None:
        service = NodeService(settings, subscribe)
    else:
        service = NodeService(settings, subscribe, lambda _: (storage.snapshots, storage.tlog))
    app = create_app(service, max_pending_writes)
    await service.start()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://node"
    ) as client:

        async def post(op: str, body: Any) -> httpx.Response:
            data = body.to_json() if hasattr(body, "to_json") else body
            return await client.post(f"/internal/v1/{op}", json=data)

        try:
            yield service, post
        finally:
            await service.stop()


def test_the_api_end_to_end_with_restart(tmp_path: Path) -> None:
    async def run() -> None:
        server = ConfigServer()
        async with serving(tmp_path, server) as (service, post):
            assert service.state.status == "initializing"
            not_ready = await post("get", GetRequest(DOC))
            assert not_ready.status_code == 503
            assert not_ready.json()["code"] == "NOT_READY"
            server.publish(content_config())
            await wait_for(service, "up")
            put = await post("put", PutRequest(DOC, {"title": "love me do", "year": 1962}))
            assert put.status_code == 200
            assert put.json()["found"] is False
            update = UpdateRequest(DOC, {"year": {"increment": 1}})
            assert (await post("update", update)).json()["found"] is True
            await post("put", PutRequest("id:ns:music::two", {"title": "help"}))
            await post("remove", RemoveRequest("id:ns:music::two"))
            query = item_to_json(TermItem("title", "love"))
            hits = (await post("search", SearchRequest(("music",), query))).json()
            assert [h["id"] for h in hits["hits"]] == [DOC]
            assert hits["documents"] == 1
            summaries = (await post("docsum", {"ids": [DOC]})).json()["summaries"]
            assert summaries[DOC]["year"] == 1963
        async with serving(tmp_path, server) as (service, post):
            await wait_for(service, "up")
            got = (await post("get", GetRequest(DOC))).json()
            assert got["fields"] == {"title": "love me do", "year": 1963}
            visited = (await post("visit", VisitRequest(include_removes=True))).json()
            assert {d["id"] for d in visited["documents"]} == {DOC, "id:ns:music::two"}

    asyncio.run(run())


def test_errors_have_codes_and_statuses(tmp_path: Path) -> None:
    async def run() -> None:
        server = ConfigServer()
        server.publish(content_config())
        async with serving(tmp_path, server) as (service, post):
            await wait_for(service, "up")
            cases = [
                ("put", {"fields": {}}, 400, "INVALID_DOCUMENT"),
                ("search", {"schemas": "x"}, 400, "INVALID_QUERY"),
                ("get", GetRequest("id:ns:books::1"), 400, "UNKNOWN_DOCUMENT_TYPE"),
                ("get", GetRequest("not-an-id"), 400, "INVALID_DOCUMENT_ID"),
                ("put", PutRequest(DOC, {}, condition="music.x >"), 400, "INVALID_DOCUMENT"),
                ("put", PutRequest(DOC, {}, condition="true"), 412, "CONDITION_NOT_MET"),
            ]
            for op, body, status, code in cases:
                response = await post(op, body)
                assert (response.status_code, response.json()["code"]) == (status, code), op
                assert response.json()["message"]

    asyncio.run(run())


def test_a_failed_log_write_answers_500_and_takes_the_node_down(tmp_path: Path) -> None:
    async def run() -> None:
        server = ConfigServer()
        server.publish(content_config())
        storage = Storage()
        async with serving(tmp_path, server, storage) as (service, post):
            await wait_for(service, "up")
            assert (await post("put", PutRequest(DOC, {"title": "a"}))).status_code == 200
            storage.tlog.fail("sync", "tlog-")
            failed = await post("put", PutRequest(DOC, {"title": "b"}))
            assert (failed.status_code, failed.json()["code"]) == (500, "INTERNAL_ERROR")
            assert "injected sync failure" in failed.json()["message"]
            assert service.state.status == "down"
            refused = await post("remove", RemoveRequest(DOC))
            assert refused.status_code == 500

    asyncio.run(run())


def test_a_config_that_cannot_be_applied_is_reported_and_the_next_one_is(tmp_path: Path) -> None:
    async def run() -> None:
        server = ConfigServer()
        broken = SchemaConfig(
            "music", (FieldConfig("v", "tensor<float>(x[oops])", attribute=True),)
        )
        server.publish(content_config(1, broken))
        async with serving(tmp_path, server) as (service, _):
            for _ in range(500):
                if service.state.message:
                    break
                await asyncio.sleep(0.01)
            assert "config generation 1 not applied" in service.state.message
            assert service.state.status == "initializing"
            server.publish(content_config(2))
            await wait_for(service, "up")
            assert (service.state.generation, service.state.message) == (2, "")

    asyncio.run(run())


def test_storage_that_cannot_be_opened_reports_down(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "documents.snapshot").write_bytes(b"garbage" * 10)

    async def run() -> None:
        async with serving(tmp_path, ConfigServer()) as (service, _):
            await wait_for(service, "down")
            assert "bad snapshot header" in service.state.message

    asyncio.run(run())


def test_every_content_error_has_a_handler() -> None:
    classes = [
        c
        for _, c in inspect.getmembers(content.errors, inspect.isclass)
        if issubclass(c, Exception)
    ]
    for cls in classes:
        assert any(issubclass(cls, handled) for handled in EXCEPTION_HANDLERS), cls
    assert content.errors.ContentError in EXCEPTION_HANDLERS


@pytest.mark.parametrize(
    "op", ["put", "update", "remove", "batch", "get", "search", "docsum", "visit"]
)
def test_every_op_rejects_a_body_that_is_not_json(tmp_path: Path, op: str) -> None:
    async def run() -> int:
        server = ConfigServer()
        server.publish(content_config())
        async with serving(tmp_path, server) as (service, _):
            await wait_for(service, "up")
            transport = httpx.ASGITransport(app=create_app(service))
            async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
                response = await client.post(f"/internal/v1/{op}", content=b"{not json")
                return response.status_code
        raise AssertionError("not served")

    assert asyncio.run(run()) == 400


def test_ops_answer_only_post_and_unknown_paths_are_not_found(tmp_path: Path) -> None:
    async def run() -> tuple[int, str, int, int]:
        server = ConfigServer()
        server.publish(content_config())
        async with serving(tmp_path, server) as (service, _):
            await wait_for(service, "up")
            transport = httpx.ASGITransport(app=create_app(service))
            async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
                wrong_method = await client.get("/internal/v1/put")
                unknown = await client.post("/internal/v1/explode", content=b"{}")
                health = await client.get("/state/v1/health")
                return (
                    wrong_method.status_code,
                    wrong_method.headers["allow"],
                    unknown.status_code,
                    health.status_code,
                )
        raise AssertionError("not served")

    assert asyncio.run(run()) == (405, "POST", 404, 200)


def test_an_unexpected_error_answers_a_generic_500(tmp_path: Path) -> None:
    class Exploding:
        state = ServiceState()

        @property
        def node(self) -> Any:
            raise RuntimeError("boom")

        async def start(self) -> None:
            """Nothing to start."""

        async def stop(self) -> None:
            """Nothing to stop."""

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(Exploding()))
        async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
            return await client.post("/internal/v1/get", json=GetRequest(DOC).to_json())

    response = asyncio.run(run())
    assert (response.status_code, response.json()["code"]) == (500, "INTERNAL_ERROR")
    assert "boom" not in response.text
