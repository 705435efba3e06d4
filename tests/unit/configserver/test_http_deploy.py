"""The deploy API through the Starlette app in-process (httpx ASGI transport), RAM store."""

from __future__ import annotations

import asyncio
import io
import tarfile
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import orjson
import pytest

from configserver.http import build_app
from configserver.session import MemorySessionStore, SessionManager
from tests.unit.configserver.test_session_manager import (
    SERVICES,
    counting_ports,
    make_zip,
    tiny_derive,
)

T = TypeVar("T")
BASE = "http://cfg:19071"
TENANT = BASE + "/application/v2/tenant/default"
INSTANCE_URL = TENANT + "/application/default/environment/prod/region/default/instance/default"
ZIP = {"Content-Type": "application/zip"}
PACKAGE = make_zip({"services.xml": SERVICES, "warnings.txt": b"Deprecated thing"})


def new_manager() -> SessionManager:
    return SessionManager(MemorySessionStore(), tiny_derive, counting_ports(), clock=lambda: 2.0)


def serve(
    scenario: Callable[[httpx.AsyncClient], Awaitable[T]],
    manager: SessionManager | None = None,
    services: httpx.AsyncClient | None = None,
) -> T:
    """Run ``scenario`` against a started app (lifespan included)."""

    async def main() -> T:
        app = build_app(manager or new_manager(), http_client=services)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
                return await scenario(client)

    return asyncio.run(main())


def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.request(method, url, **kwargs)

    return serve(scenario)


def test_prepareandactivate_answers_like_vespa() -> None:
    response = call("POST", TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == orjson.dumps(
        {
            "log": [{"time": 2000, "level": "WARNING", "message": "Deprecated thing"}],
            "message": "Session 1 for tenant 'default' prepared and activated.",
            "session-id": "1",
            "activated": True,
            "tenant": "default",
            "url": INSTANCE_URL,
            "configChangeActions": {"restart": [], "refeed": [], "reindex": []},
        }
    )


def test_prepareandactivate_tar_gz() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("app/services.xml")
        info.size = len(SERVICES)
        archive.addfile(info, io.BytesIO(SERVICES))
    headers = {"Content-Type": "application/x-gzip"}
    response = call(
        "POST", TENANT + "/prepareandactivate", content=buffer.getvalue(), headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["session-id"] == "1"


def test_prepareandactivate_multipart() -> None:
    files = {
        "prepareParams": ("prepareParams", b'{"applicationName":"music"}', "application/json"),
        "applicationPackage": ("app.zip", PACKAGE, "application/zip"),
    }
    response = call("POST", TENANT + "/prepareandactivate", files=files)
    assert response.status_code == 200, response.text
    assert response.json()["url"] == INSTANCE_URL.replace(
        "application/default", "application/music"
    )


def test_multipart_package_without_its_type() -> None:
    files = {"applicationPackage": ("app.zip", PACKAGE, "application/octet-stream")}
    response = call("POST", TENANT + "/prepareandactivate", files=files)
    assert response.status_code == 200, response.text


def test_three_step_deploy() -> None:
    async def scenario(client: httpx.AsyncClient) -> list[dict[str, Any]]:
        created = await client.post(TENANT + "/session", content=PACKAGE, headers=ZIP)
        prepared = await client.put(TENANT + "/session/1/prepared")
        again = await client.get(TENANT + "/session/1/prepared")
        active = await client.put(TENANT + "/session/1/active")
        assert again.json() == prepared.json()
        return [r.json() for r in (created, prepared, active)]

    created, prepared, active = serve(scenario)
    assert created == {
        "log": [],
        "tenant": "default",
        "session-id": "1",
        "prepared": TENANT + "/session/1/prepared",
        "content": TENANT + "/session/1/content/",
        "message": "Session 1 for tenant 'default' created.",
    }
    assert list(prepared) == [
        "log",
        "tenant",
        "session-id",
        "activate",
        "message",
        "configChangeActions",
    ]
    assert prepared["activate"] == TENANT + "/session/1/active"
    assert prepared["message"] == "Session 1 for tenant 'default' prepared."
    assert active == {
        "tenant": "default",
        "session-id": "1",
        "message": "Session 1 for tenant 'default' activated.",
        "url": INSTANCE_URL,
    }


def test_activate_through_prepareandactivate_put() -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        await client.post(TENANT + "/session", content=PACKAGE, headers=ZIP)
        await client.put(TENANT + "/session/1/prepared")
        return await client.put(TENANT + "/prepareandactivate/1")

    response = serve(scenario)
    assert response.status_code == 200
    assert response.json() == {"message": "Session 1 for default.default.default activated"}


def test_session_from_active_application() -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        await client.post(TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP)
        return await client.post(TENANT + "/session", params={"from": INSTANCE_URL})

    response = serve(scenario)
    assert response.status_code == 200, response.text
    assert response.json()["session-id"] == "2"


def test_activation_conflict_is_409() -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        await client.post(TENANT + "/session", content=PACKAGE, headers=ZIP)
        await client.put(TENANT + "/session/1/prepared")
        await client.post(TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP)
        return await client.put(TENANT + "/session/1/active")

    response = serve(scenario)
    assert response.status_code == 409
    assert response.json()["error-code"] == "ACTIVATION_CONFLICT"


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        ({}, PACKAGE, "Request contains no Content-Type header"),
        (ZIP, b"", "Request contains no data"),
        (
            {"Content-Type": "text/plain"},
            PACKAGE,
            "Request contains invalid Content-Type header (text/plain), "
            "only '[application/zip, application/x-gzip]' are supported",
        ),
    ],
)
def test_bad_requests(headers: dict[str, str], body: bytes, message: str) -> None:
    response = call("POST", TENANT + "/prepareandactivate", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"error-code": "BAD_REQUEST", "message": message}


def test_invalid_package_is_400() -> None:
    body = make_zip({"hosts.xml": b"<hosts/>"})
    response = call("POST", TENANT + "/prepareandactivate", content=body, headers=ZIP)
    assert response.status_code == 400
    assert response.json()["error-code"] == "INVALID_APPLICATION_PACKAGE"
    assert "missing services.xml" in response.json()["message"]


def test_unknown_session_is_404() -> None:
    response = call("PUT", TENANT + "/session/7/prepared")
    assert response.status_code == 404
    assert response.json()["error-code"] == "NOT_FOUND"


def test_unknown_path_and_wrong_method() -> None:
    missing = call("GET", BASE + "/nothing/here")
    assert missing.status_code == 404
    assert missing.json() == {
        "error-code": "NOT_FOUND",
        "message": "Nothing at path '/nothing/here'",
    }
    wrong = call("GET", TENANT + "/prepareandactivate")
    assert wrong.status_code == 405
    assert wrong.json() == {
        "error-code": "METHOD_NOT_ALLOWED",
        "message": "Method 'GET' is not supported",
    }


def test_invalid_tenant_name() -> None:
    response = call(
        "POST", BASE + "/application/v2/tenant/a..b/session", content=PACKAGE, headers=ZIP
    )
    assert response.status_code == 400
    assert "Invalid tenant name" in response.json()["message"]


@pytest.mark.parametrize("path", ["/ApplicationStatus", "/status.html", "/state/v1/version"])
def test_liveness(path: str) -> None:
    assert call("GET", BASE + path).status_code == 200
    assert call("HEAD", BASE + path).status_code == 200


def test_health_is_up_once_started() -> None:
    response = call("GET", BASE + "/state/v1/health")
    assert '"code" : "up"' in response.text
