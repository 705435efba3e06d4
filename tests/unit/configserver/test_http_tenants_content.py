"""Tenant endpoints, session and application content, application delete."""

from __future__ import annotations

import httpx

from tests.unit.configserver.test_http_deploy import BASE, INSTANCE_URL, TENANT, ZIP, serve
from tests.unit.configserver.test_session_manager import SERVICES, make_zip

TENANTS = BASE + "/application/v2/tenant/"
PACKAGE = make_zip({"services.xml": SERVICES, "schemas/music.sd": b"schema music {}"})


def test_tenant_lifecycle() -> None:
    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [
            await client.put(TENANTS + "music"),
            await client.put(TENANTS + "music"),
            await client.get(TENANTS + "music"),
            await client.get(TENANTS),
            await client.delete(TENANTS + "music"),
            await client.get(TENANTS + "music"),
            await client.post(TENANTS + "nobody/session", content=PACKAGE, headers=ZIP),
        ]

    created, again, got, listed, deleted, gone, deploy = serve(scenario)
    assert created.json() == {"message": "Tenant music created."}
    assert again.status_code == 400
    assert again.json()["message"] == "There already exists a tenant 'music'"
    assert got.json() == {"message": "Tenant 'music' exists."}
    assert listed.json() == {"tenants": ["default", "music"]}
    assert deleted.json() == {"message": "Tenant music deleted."}
    assert gone.status_code == 404
    assert deploy.status_code == 404
    assert deploy.json()["message"] == "Tenant 'nobody' was not found."


def test_tenant_with_application_cannot_be_deleted() -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        await client.post(TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP)
        return await client.delete(TENANTS + "default")

    response = serve(scenario)
    assert response.status_code == 400
    assert "has active applications: default.default" in response.json()["message"]


def test_session_content_before_prepare() -> None:
    content = TENANT + "/session/1/content/"

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        await client.post(TENANT + "/session", content=PACKAGE, headers=ZIP)
        return [
            await client.get(content),
            await client.get(content, params={"recursive": "true"}),
            await client.get(content + "schemas/music.sd"),
            await client.put(content + "schemas/extra.sd", content=b"schema extra {}"),
            await client.delete(content + "schemas/music.sd"),
            await client.get(content + "schemas/"),
            await client.delete(content + "schemas"),
            await client.get(content + "nothing.txt"),
            await client.put(TENANT + "/session/1/prepared"),
            await client.put(content + "late.txt", content=b"x"),
        ]

    (listing, recursive, read, put, delete, after, not_empty, missing, _, late) = serve(scenario)
    assert listing.json() == [content + "schemas/", content + "services.xml"]
    assert recursive.json() == [
        content + "schemas/",
        content + "schemas/music.sd",
        content + "services.xml",
    ]
    assert read.content == b"schema music {}"
    assert put.json() == {"prepared": TENANT + "/session/1/prepared"}
    assert delete.json() == {"prepared": TENANT + "/session/1/prepared"}
    assert after.json() == [content + "schemas/extra.sd"]
    assert not_empty.status_code == 400
    assert not_empty.json()["message"] == "File 'schemas' is not an empty directory"
    assert missing.status_code == 404
    assert late.status_code == 412


def test_application_content_and_delete() -> None:
    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        await client.post(TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP)
        return [
            await client.get(INSTANCE_URL + "/content/services.xml"),
            await client.delete(INSTANCE_URL),
            await client.get(BASE + "/config/v1/default/default/node"),
            await client.delete(INSTANCE_URL),
            await client.post(TENANT + "/prepareandactivate", content=PACKAGE, headers=ZIP),
        ]

    content, deleted, config, again, redeploy = serve(scenario)
    assert content.content == SERVICES
    assert deleted.json() == {"message": "Application 'default.default' deleted"}
    assert config.status_code == 404
    assert again.status_code == 404
    assert redeploy.status_code == 200
    assert redeploy.json()["session-id"] == "2"
