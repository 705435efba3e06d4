"""Config subscription and the state API, against in-process ASGI apps."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vespid.config import ContentConfig
from vespid.runtime import ConfigSubscriber, ServiceState, follow_config, state_routes


class _StopError(Exception):
    pass


class _ConfigServer:
    """An in-process config API answering as docs/internals.md says."""

    def __init__(self) -> None:
        self.active: ContentConfig | None = None
        self.polls: list[str] = []

    async def handle(self, request: Request) -> Response:
        self.polls.append(request.url.netloc)
        if request.url.netloc == "down:19071":
            raise httpx.ConnectError("refused")
        if self.active is None:
            return JSONResponse({"error-code": "NOT_FOUND", "message": "no app"}, 404)
        return JSONResponse({"generation": self.active.generation, "config": self.active.to_json()})


def _subscriber(server: _ConfigServer, urls: list[str]) -> ConfigSubscriber[ContentConfig]:
    app = Starlette(routes=[Route("/config/v1/default/default/content", server.handle)])

    async def no_sleep(_: float) -> None:
        await asyncio.sleep(0)
        if server.active is None and len(server.polls) > 2:
            server.active = ContentConfig(7)

    return ConfigSubscriber(
        urls, "content", ContentConfig, sleep=no_sleep, transport=httpx.ASGITransport(app)
    )


def test_subscriber_waits_through_404_until_an_application_is_active() -> None:
    server = _ConfigServer()
    sub = _subscriber(server, ["http://cs:19071"])
    config = asyncio.run(sub.next_config())
    assert config == ContentConfig(7)
    assert len(server.polls) >= 3


def test_subscriber_fails_over_to_the_next_config_server() -> None:
    server = _ConfigServer()
    server.active = ContentConfig(3)
    sub = _subscriber(server, ["http://down:19071", "http://up:19071"])
    assert asyncio.run(sub.next_config(1)).generation == 3
    assert server.polls[-1] == "up:19071"


def test_follow_config_applies_generations_in_order() -> None:
    server = _ConfigServer()
    server.active = ContentConfig(2)
    sub = _subscriber(server, ["http://cs:19071"])
    applied: list[int] = []

    async def apply(config: ContentConfig) -> None:
        applied.append(config.generation)
        assert server.active is not None
        server.active = ContentConfig(server.active.generation + 1)
        if len(applied) == 3:
            raise _StopError

    with pytest.raises(_StopError):
        asyncio.run(follow_config(sub, apply))
    assert applied == [2, 3, 4]


def test_health_is_pretty_printed_like_vespa_and_config_reports_generation() -> None:
    state = ServiceState(clock=lambda: 1700000000.0)
    app = Starlette(routes=state_routes(state))

    async def get(path: str) -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://t"
        ) as client:
            return await client.get(path)

    assert '"code" : "initializing"' in asyncio.run(get("/state/v1/health")).text
    state.status, state.generation = "up", 12
    state.record("queries", 0.5)
    health = asyncio.run(get("/state/v1/health"))
    assert '"code" : "up"' in health.text
    assert json.loads(health.text)["metrics"]["values"][0]["name"] == "queries"
    config = asyncio.run(get("/state/v1/config")).json()
    assert config["config"]["generation"] == 12
    assert "vespid_config_generation 12" in asyncio.run(get("/prometheus/v1/values")).text
