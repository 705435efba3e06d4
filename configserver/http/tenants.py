"""Tenant endpoints: list, get, create (PUT) and delete, with Vespa's messages.

``default`` always exists. A tenant with active applications cannot be deleted.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from configserver.http.deploy import TENANT_PREFIX, checked_name
from configserver.http.responses import json_response
from configserver.session import SessionManager


def tenant_routes(manager: SessionManager) -> list[Route]:
    """Return the tenant routes over ``manager``."""

    async def list_tenants(_: Request) -> Response:
        return json_response({"tenants": await run_in_threadpool(manager.store.tenants)})

    async def tenant(request: Request) -> Response:
        name = checked_name(request.path_params["tenant"], "tenant")
        if request.method == "PUT":
            await run_in_threadpool(manager.create_tenant, name)
            return json_response({"message": f"Tenant {name} created."})
        if request.method == "DELETE":
            await run_in_threadpool(manager.delete_tenant, name)
            return json_response({"message": f"Tenant {name} deleted."})
        await run_in_threadpool(manager.require_tenant, name)
        return json_response({"message": f"Tenant '{name}' exists."})

    return [
        Route("/application/v2/tenant/", list_tenants, methods=["GET"]),
        Route(TENANT_PREFIX, tenant, methods=["GET", "PUT", "DELETE"]),
    ]
