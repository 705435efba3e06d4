"""Application endpoints: list, get, and serviceconverge.

serviceconverge asks every service of the active application for the generation it
runs (``GET /state/v1/config``) and says whether all have reached the active one; the
vespa CLI also finds the container endpoints there (WIRE.md "Deploy API").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from configserver.errors import NotFoundError
from configserver.http.deploy import TENANT_PREFIX, application_url, checked_name
from configserver.http.responses import json_response
from configserver.session import SessionManager
from vespid.config import NodeAgentConfig, ServiceConfig

INSTANCE_SUFFIX = "/environment/{environment}/region/{region}/instance/{instance}"
VESPA_MODEL_VERSION = "8.0.0"


async def service_generation(client: httpx.AsyncClient, service: ServiceConfig) -> int:
    """Return the generation ``service`` reports, or -1 when it does not answer."""
    url = f"http://{service.host}:{service.port}/state/v1/config"
    try:
        response = await client.get(url)
        generation = response.json()["config"]["generation"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return -1
    return generation if isinstance(generation, int) else -1


def _names(request: Request) -> tuple[str, str]:
    tenant = checked_name(request.path_params["tenant"], "tenant")
    application = checked_name(request.path_params["application"], "application")
    return tenant, application


def application_routes(
    manager: SessionManager, client: Callable[[], httpx.AsyncClient]
) -> list[Route]:
    """Return the application routes; ``client()`` gives the client that polls services."""

    async def list_applications(request: Request) -> Response:
        tenant = checked_name(request.path_params["tenant"], "tenant")
        names = await run_in_threadpool(manager.store.applications, tenant)
        return json_response([application_url(request, tenant, name) for name in names])

    async def get_or_delete_application(request: Request) -> Response:
        tenant, application = _names(request)
        if request.method == "DELETE":
            await run_in_threadpool(manager.delete_application, tenant, application)
            return json_response({"message": f"Application '{tenant}.{application}' deleted"})
        generation = await run_in_threadpool(manager.active_generation, tenant, application)
        if generation is None:
            raise NotFoundError(f"Application '{tenant}.{application}' has no active session.")
        return json_response(
            {
                "generation": generation,
                "applicationPackageFileReference": f"session-{generation}",
                "modelVersions": [VESPA_MODEL_VERSION],
            }
        )

    async def active_services(request: Request) -> tuple[int, tuple[ServiceConfig, ...]]:
        tenant, application = _names(request)
        result = await run_in_threadpool(manager.active_result, tenant, application)
        if result is None:
            raise NotFoundError(f"Application '{tenant}.{application}' has no active session.")
        return result.session_id, NodeAgentConfig.from_json(result.configs["node"]).services

    async def service_converge(request: Request) -> Response:
        wanted, services = await active_services(request)
        host_port: str = request.path_params["host_port"]
        service = next((s for s in services if f"{s.host}:{s.port}" == host_port), None)
        if service is None:
            raise NotFoundError(f"No service on {host_port} in the active application.")
        current = await service_generation(client(), service)
        return json_response(
            {
                "url": str(request.url.replace(query="")),
                "host": service.host,
                "port": service.port,
                "currentGeneration": current,
                "wantedGeneration": wanted,
                "converged": current >= wanted,
            }
        )

    async def serviceconverge(request: Request) -> Response:
        wanted, services = await active_services(request)
        generations = await asyncio.gather(*(service_generation(client(), s) for s in services))
        url = str(request.url.replace(query=""))
        statuses: list[dict[str, Any]] = [
            {
                "clusterName": s.cluster,
                "host": s.host,
                "port": s.port,
                "type": s.kind,
                "url": f"{url}/{s.host}:{s.port}",
                "currentGeneration": g,
            }
            for s, g in zip(services, generations, strict=True)
        ]
        current = min(generations, default=wanted)
        return json_response(
            {
                "services": statuses,
                "url": url,
                "currentGeneration": current,
                "wantedGeneration": wanted,
                "converged": current >= wanted,
            }
        )

    application = TENANT_PREFIX + "/application/{application}"
    return [
        Route(TENANT_PREFIX + "/application/", list_applications, methods=["GET"]),
        Route(TENANT_PREFIX + "/application", list_applications, methods=["GET"]),
        Route(application, get_or_delete_application, methods=["GET", "DELETE"]),
        Route(application + INSTANCE_SUFFIX, get_or_delete_application, methods=["GET", "DELETE"]),
        Route(application + INSTANCE_SUFFIX + "/serviceconverge", serviceconverge, methods=["GET"]),
        Route(
            application + INSTANCE_SUFFIX + "/serviceconverge/{host_port}",
            service_converge,
            methods=["GET"],
        ),
    ]
