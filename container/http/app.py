"""The container's ASGI app: /search/, /document/v1/, status pages and the state API.

/document/v1 is what a feed's every document crosses, so `DocumentFront` serves it as
a bare ASGI app in front of Starlette (as the content node serves its ops): Starlette's
middleware stack and router cost about a sixth of a put's CPU in the container. The
endpoint, its `Request` and the one error table are the same either way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from container.docapi import PREFIX
from container.http.document import document_endpoint
from container.http.errors import ERROR_TABLE, error_response, handle_error
from container.http.runtime import ContainerRuntime
from container.http.search import search_endpoint
from vespid.runtime import state_routes
from vespid.runtime.state import VESPA_COMPATIBLE_VERSION

Hook = Callable[[ContainerRuntime], Awaitable[None]]
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


HANDLERS = [
    {
        "id": "com.yahoo.search.handler.SearchHandler",
        "class": "com.yahoo.search.handler.SearchHandler",
        "bundle": "container-search-and-docproc",
        "serverBindings": ["http://*/search/*"],
    },
    {
        "id": "com.yahoo.document.restapi.resource.DocumentV1ApiHandler",
        "class": "com.yahoo.document.restapi.resource.DocumentV1ApiHandler",
        "bundle": "vespaclient-container-plugin",
        "serverBindings": ["http://*/document/v1/*", "http://*/document/v1/*/"],
    },
]
"""The request handlers, named as Vespa names them: ``vespa visit`` looks for a class
ending in ``DocumentV1ApiHandler`` bound to ``/document/v1/`` before it visits."""


async def application_status(request: Request) -> Response:
    """``/ApplicationStatus`` and ``/``: 200 with the handlers once configured, else 503."""
    runtime: ContainerRuntime = request.app.state.runtime
    config = runtime.require_config()
    body = {
        "application": {
            "vespa": {"version": VESPA_COMPATIBLE_VERSION},
            "meta": {"generation": config.generation},
        },
        "handlers": HANDLERS,
    }
    return Response(orjson.dumps(body), media_type="application/json")


async def status_html(request: Request) -> Response:
    """``/status.html``: 200 while the process runs (load balancer check)."""
    return Response("<title>OK</title>\n", media_type="text/html")


class DocumentFront:
    """The container's ASGI app: /document/v1 served directly, the rest by Starlette."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve /document/v1 here and anything else (lifespan included) with Starlette."""
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        scope["app"] = self.app  # what Starlette sets: the endpoint finds the runtime there
        request = Request(scope, receive)
        try:
            response = await document_endpoint(request)
        except Exception as e:  # noqa: BLE001 - the top of a request: the error table answers
            response = error_response(request, e)
        await response(scope, receive, send)


def create_app(
    runtime: ContainerRuntime,
    on_start: Hook | None = None,
    on_stop: Hook | None = None,
) -> DocumentFront:
    """The app; ``on_start``/``on_stop`` run in its lifespan (config subscription)."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if on_start is not None:
            await on_start(runtime)
        try:
            yield
        finally:
            if on_stop is not None:
                await on_stop(runtime)

    routes = [
        Route("/search/", search_endpoint, methods=["GET", "POST"]),
        Route("/search", search_endpoint, methods=["GET", "POST"]),
        Route("/ApplicationStatus", application_status, methods=["GET", "HEAD"]),
        Route("/", application_status, methods=["GET", "HEAD"]),
        Route("/status.html", status_html, methods=["GET", "HEAD"]),
        *state_routes(runtime.state),
    ]
    handlers: dict[Any, ErrorHandler] = dict.fromkeys(ERROR_TABLE, handle_error)
    handlers[Exception] = handle_error
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.state.runtime = runtime
    return DocumentFront(app)
