"""The config server's Starlette application: deploy API, config API, status and state.

:func:`build_app` wires the route groups over one SessionManager; the process entry
point (configserver.server) gives it the ZooKeeper-backed manager, tests a RAM one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from configserver.http.applications import VESPA_MODEL_VERSION, application_routes
from configserver.http.config_api import ActivationSignal, config_routes
from configserver.http.content import content_routes
from configserver.http.deploy import DeployOptions, deploy_routes
from configserver.http.errors import exception_handlers
from configserver.http.responses import json_response
from configserver.http.tenants import tenant_routes
from configserver.session import SessionManager
from vespid.runtime import ServiceState, state_routes

SERVICE_POLL_TIMEOUT = 2.0
"""Seconds serviceconverge waits for one service's /state/v1/config."""


async def application_status(_: Request) -> Response:
    """``/ApplicationStatus``: 200 once the server runs (pyvespa polls it)."""
    return json_response({"application": {"vespa": {"version": VESPA_MODEL_VERSION}}})


async def status_html(_: Request) -> Response:
    """``/status.html``: 200 once the server runs (``vespa status deploy`` polls it)."""
    return HTMLResponse("<html><body>OK</body></html>")


def build_app(
    manager: SessionManager,
    *,
    state: ServiceState | None = None,
    options: DeployOptions | None = None,
    http_client: httpx.AsyncClient | None = None,
) -> Starlette:
    """Return the config server's ASGI app over ``manager``.

    ``http_client`` polls services for serviceconverge (one with a short timeout is
    made at start-up when None). ``state`` is what /state/v1 reports; it turns "up"
    when the app has started.
    """
    state = state or ServiceState()
    options = options or DeployOptions()
    signal = ActivationSignal()
    clients: list[httpx.AsyncClient] = []

    def poller() -> httpx.AsyncClient:
        return http_client or clients[0]

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        signal.bind(asyncio.get_running_loop())
        manager.store.add_activation_listener(signal.notify)
        if http_client is None:
            clients.append(httpx.AsyncClient(timeout=SERVICE_POLL_TIMEOUT))
        state.status = "up"
        try:
            yield
        finally:
            state.status = "down"
            for client in clients:
                await client.aclose()

    routes: list[BaseRoute] = [
        Route("/ApplicationStatus", application_status, methods=["GET"]),
        Route("/status.html", status_html, methods=["GET"]),
        *state_routes(state),
        *tenant_routes(manager),
        *deploy_routes(manager, options),
        *content_routes(manager, options),
        *application_routes(manager, poller),
        *config_routes(manager, signal),
    ]
    return Starlette(routes=routes, exception_handlers=exception_handlers(), lifespan=lifespan)
