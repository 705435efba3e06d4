"""The config API long poll and serviceconverge, in-process."""

from __future__ import annotations

import asyncio
import time

import httpx

from configserver.session import SessionManager
from tests.unit.configserver.test_http_deploy import (
    BASE,
    INSTANCE_URL,
    PACKAGE,
    TENANT,
    ZIP,
    new_manager,
    serve,
)
from tests.unit.configserver.test_session_manager import deploy

CONFIG = BASE + "/config/v1/default/default"


def test_nothing_active_is_404() -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get(CONFIG + "/node")

    response = serve(scenario)
    assert response.status_code == 404
    assert response.json()["error-code"] == "NOT_FOUND"


def test_newer_generation_answers_at_once() -> None:
    manager = new_manager()
    generation = deploy(manager)

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get(CONFIG + "/content", params={"generation": generation - 1})

    response = serve(scenario, manager)
    assert response.status_code == 200
    assert response.json() == {
        "generation": generation,
        "config": {"generation": generation, "clusters": [], "schemas": []},
    }


def test_unknown_kind_is_404() -> None:
    manager = new_manager()
    deploy(manager)

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get(CONFIG + "/nope")

    assert serve(scenario, manager).status_code == 404


def test_same_generation_waits_for_timeout() -> None:
    manager = new_manager()
    generation = deploy(manager)

    async def scenario(client: httpx.AsyncClient) -> tuple[httpx.Response, float]:
        start = time.monotonic()
        params = {"generation": str(generation), "timeout": "0.3"}
        response = await client.get(CONFIG + "/node", params=params)
        return response, time.monotonic() - start

    response, elapsed = serve(scenario, manager)
    assert response.json()["generation"] == generation
    assert 0.25 <= elapsed < 5


def test_long_poll_wakes_on_activation() -> None:
    manager = new_manager()
    first = deploy(manager)

    async def scenario(client: httpx.AsyncClient) -> tuple[int, float]:
        params = {"generation": str(first), "timeout": "20"}
        poll = asyncio.create_task(client.get(CONFIG + "/container", params=params))
        await asyncio.sleep(0.1)
        assert not poll.done()
        start = time.monotonic()
        deployed = await client.post(TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP)
        assert deployed.status_code == 200
        response = await poll
        return response.json()["generation"], time.monotonic() - start

    generation, elapsed = serve(scenario, manager)
    assert generation > first
    assert elapsed < 5


def test_bad_parameters_are_400() -> None:
    manager = new_manager()
    deploy(manager)

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get(CONFIG + "/node", params={"generation": "x"})

    assert serve(scenario, manager).status_code == 400


def fake_services(generations: dict[int, int]) -> httpx.AsyncClient:
    """Services on localhost answering /state/v1/config with the given generation per port."""

    def handler(request: httpx.Request) -> httpx.Response:
        port = request.url.port or 80
        if port not in generations:
            raise httpx.ConnectError("connection refused", request=request)
        body = {"config": {"generation": generations[port], "applyOnRestart": False}}
        return httpx.Response(200, json=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def converge(manager: SessionManager, generations: dict[int, int]) -> httpx.Response:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get(INSTANCE_URL + "/serviceconverge")

    return serve(scenario, manager, fake_services(generations))


def test_serviceconverge() -> None:
    manager = new_manager()
    generation = deploy(manager)
    partial = converge(manager, {8080: generation})
    assert partial.status_code == 200
    body = partial.json()
    assert body["services"][0] == {
        "clusterName": "default",
        "host": "localhost",
        "port": 8080,
        "type": "container",
        "url": INSTANCE_URL + "/serviceconverge/localhost:8080",
        "currentGeneration": generation,
    }
    assert body["services"][1]["currentGeneration"] == -1
    assert body["converged"] is False
    assert body["wantedGeneration"] == generation
    done = converge(manager, {8080: generation, 30000: generation}).json()
    assert done["converged"] is True
    assert done["currentGeneration"] == generation
    assert done["url"] == INSTANCE_URL + "/serviceconverge"
    assert list(done) == ["services", "url", "currentGeneration", "wantedGeneration", "converged"]


def test_serviceconverge_of_one_service() -> None:
    manager = new_manager()
    generation = deploy(manager)
    url = INSTANCE_URL + "/serviceconverge/localhost:8080"

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [await client.get(url), await client.get(url.replace("8080", "9999"))]

    found, missing = serve(scenario, manager, fake_services({8080: generation}))
    assert found.json() == {
        "url": url,
        "host": "localhost",
        "port": 8080,
        "currentGeneration": generation,
        "wantedGeneration": generation,
        "converged": True,
    }
    assert missing.status_code == 404


def test_serviceconverge_without_application_is_404() -> None:
    assert converge(new_manager(), {}).status_code == 404


def test_application_list_and_get() -> None:
    manager = new_manager()
    generation = deploy(manager)

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [
            await client.get(TENANT + "/application/"),
            await client.get(TENANT + "/application/default"),
            await client.get(INSTANCE_URL),
            await client.get(TENANT + "/application/other"),
        ]

    listing, short, long, missing = serve(scenario, manager)
    assert listing.json() == [INSTANCE_URL]
    assert short.json()["generation"] == generation
    assert long.json() == short.json()
    assert missing.status_code == 404
