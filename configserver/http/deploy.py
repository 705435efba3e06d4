"""The session endpoints of the deploy API: create, prepared, active, prepareandactivate.

Answers follow Vespa's ApplicationApiHandler and SessionCreateHandler byte for byte in
shape (compact JSON, ``log`` first, ``session-id`` as a string); see
shared/conformance/WIRE.md "Deploy API".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from configserver.errors import BadRequestError
from configserver.http.archive import ArchiveLimits
from configserver.http.responses import json_response
from configserver.http.upload import read_upload
from configserver.session import PrepareResult, SessionManager

TENANT_PREFIX = "/application/v2/tenant/{tenant}"
_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
_APPLICATION_URL = re.compile(r"/application/v2/tenant/([^/]+)/application/([^/]+)")


@dataclass(frozen=True, slots=True)
class DeployOptions:
    """Knobs of the deploy endpoints."""

    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    max_body_bytes: int = 128 * 1024 * 1024


def checked_name(value: str, what: str) -> str:
    """Return ``value`` if it is a legal tenant or application name, else BadRequestError."""
    if not _NAME.fullmatch(value):
        raise BadRequestError(
            f"Invalid {what} name '{value}': expected 1-256 letters, digits, '_' or '-'."
        )
    return value


def base_url(request: Request) -> str:
    """Return ``scheme://host:port`` as the client addressed this server."""
    return f"{request.url.scheme}://{request.url.netloc}"


def application_url(request: Request, tenant: str, application: str) -> str:
    """Return the long-form URL of an application's default instance."""
    return (
        f"{base_url(request)}/application/v2/tenant/{tenant}/application/{application}"
        "/environment/prod/region/default/instance/default"
    )


def _session_url(request: Request, tenant: str, session_id: int) -> str:
    return f"{base_url(request)}/application/v2/tenant/{tenant}/session/{session_id}"


def _tenant(request: Request) -> str:
    return checked_name(request.path_params["tenant"], "tenant")


def _application_param(request: Request, params: dict[str, Any] | None = None) -> str:
    name = request.query_params.get("applicationName") or (params or {}).get("applicationName")
    return checked_name(str(name or "default"), "application")


def _change_actions(result: PrepareResult) -> dict[str, Any]:
    return {"configChangeActions": result.change_actions}


def deploy_routes(manager: SessionManager, options: DeployOptions) -> list[Route]:
    """Return the routes of the session endpoints over ``manager``."""

    async def create(request: Request) -> Response:
        tenant = _tenant(request)
        source = request.query_params.get("from")
        if source is not None:
            session_id = await run_in_threadpool(_clone, manager, tenant, source)
        else:
            upload = await read_upload(request, options.limits, options.max_body_bytes)
            application = _application_param(request, upload.params)
            session_id = await run_in_threadpool(manager.create, tenant, upload.files, application)
        url = _session_url(request, tenant, session_id)
        return json_response(
            {
                "log": [],
                "tenant": tenant,
                "session-id": str(session_id),
                "prepared": f"{url}/prepared",
                "content": f"{url}/content/",
                "message": f"Session {session_id} for tenant '{tenant}' created.",
            }
        )

    async def prepared(request: Request) -> Response:
        tenant = _tenant(request)
        session_id: int = request.path_params["session_id"]
        if request.method == "PUT":
            result = await run_in_threadpool(manager.prepare, tenant, session_id)
        else:
            result = await run_in_threadpool(manager.prepared, tenant, session_id)
        return json_response(
            {
                "log": [e.to_json() for e in result.log],
                "tenant": tenant,
                "session-id": str(session_id),
                "activate": f"{_session_url(request, tenant, session_id)}/active",
                "message": f"Session {session_id} for tenant '{tenant}' prepared.",
                **_change_actions(result),
            }
        )

    async def active(request: Request) -> Response:
        tenant = _tenant(request)
        session_id: int = request.path_params["session_id"]
        record = await run_in_threadpool(manager.activate, tenant, session_id)
        return json_response(
            {
                "tenant": tenant,
                "session-id": str(session_id),
                "message": f"Session {session_id} for tenant '{tenant}' activated.",
                "url": application_url(request, tenant, record.application),
            }
        )

    async def prepare_and_activate(request: Request) -> Response:
        tenant = _tenant(request)
        upload = await read_upload(request, options.limits, options.max_body_bytes)
        application = _application_param(request, upload.params)
        session_id = await run_in_threadpool(manager.create, tenant, upload.files, application)
        result = await run_in_threadpool(manager.prepare, tenant, session_id)
        await run_in_threadpool(manager.activate, tenant, session_id)
        return json_response(
            {
                "log": [e.to_json() for e in result.log],
                "message": f"Session {session_id} for tenant '{tenant}' prepared and activated.",
                "session-id": str(session_id),
                "activated": True,
                "tenant": tenant,
                "url": application_url(request, tenant, application),
                **_change_actions(result),
            }
        )

    async def activate_prepared(request: Request) -> Response:
        tenant = _tenant(request)
        session_id: int = request.path_params["session_id"]
        record = await run_in_threadpool(manager.activate, tenant, session_id)
        name = f"{tenant}.{record.application}.default"
        return json_response({"message": f"Session {session_id} for {name} activated"})

    session = TENANT_PREFIX + "/session/{session_id:int}"
    return [
        Route(TENANT_PREFIX + "/session", create, methods=["POST"]),
        Route(session + "/prepared", prepared, methods=["PUT", "GET"]),
        Route(session + "/active", active, methods=["PUT"]),
        Route(TENANT_PREFIX + "/prepareandactivate", prepare_and_activate, methods=["POST"]),
        Route(
            TENANT_PREFIX + "/prepareandactivate/{session_id:int}",
            activate_prepared,
            methods=["PUT"],
        ),
    ]


def _clone(manager: SessionManager, tenant: str, source: str) -> int:
    """Create a session from the files of the active session of the application at ``source``."""
    match = _APPLICATION_URL.search(urlparse(source).path)
    if match is None:
        raise BadRequestError(
            f"Parameter 'from' must be the URL of an application, got '{source}'."
        )
    from_tenant = checked_name(match.group(1), "tenant")
    application = checked_name(match.group(2), "application")
    return manager.clone(from_tenant, application, tenant)
