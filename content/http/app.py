"""The content node's HTTP API: ``POST /internal/v1/{op}`` and the state API.

Each op decodes its `vespid.messages` request from the JSON body, calls the node and
answers with the reply's JSON. Until the node has replayed its log and applied its
first config, ops answer 503 ``NOT_READY`` and ``/state/v1/health`` says
``initializing``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from content.errors import TlogWriteError
from content.http.errors import EXCEPTION_HANDLERS
from content.node import ContentNode
from vespid.errors import InvalidDocumentError, InvalidQueryError, NodeNotReadyError, VespidError
from vespid.messages import (
    INTERNAL_PREFIX,
    DocsumRequest,
    GetRequest,
    PutRequest,
    RemoveRequest,
    SearchRequest,
    UpdateRequest,
    VisitRequest,
)
from vespid.runtime import ServiceState, state_routes

Call = Callable[[ContentNode, Any], Awaitable[Any]]


class NodeHolder(Protocol):
    """What the app serves: the node once it is ready, and the process's state."""

    state: ServiceState

    @property
    def node(self) -> ContentNode | None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def _put(node: ContentNode, request: PutRequest) -> Any:
    return await node.put(request)


async def _update(node: ContentNode, request: UpdateRequest) -> Any:
    return await node.update(request)


async def _remove(node: ContentNode, request: RemoveRequest) -> Any:
    return await node.remove(request)


async def _get(node: ContentNode, request: GetRequest) -> Any:
    return node.get(request)


async def _search(node: ContentNode, request: SearchRequest) -> Any:
    return node.search(request)


async def _docsum(node: ContentNode, request: DocsumRequest) -> Any:
    return node.docsum(request)


async def _visit(node: ContentNode, request: VisitRequest) -> Any:
    return node.visit(request)


_OPS: dict[str, tuple[type[Any], Call, type[VespidError]]] = {
    "put": (PutRequest, _put, InvalidDocumentError),
    "update": (UpdateRequest, _update, InvalidDocumentError),
    "remove": (RemoveRequest, _remove, InvalidDocumentError),
    "get": (GetRequest, _get, InvalidDocumentError),
    "search": (SearchRequest, _search, InvalidQueryError),
    "docsum": (DocsumRequest, _docsum, InvalidQueryError),
    "visit": (VisitRequest, _visit, InvalidQueryError),
}
"""Per op: the request class, the call, and the error for a malformed request body."""


def _endpoint(holder: NodeHolder, op: str) -> Callable[[Request], Awaitable[Response]]:
    message_type, call, malformed = _OPS[op]
    metric = f"content.{op}.latency"

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        try:
            message = message_type.from_json(orjson.loads(await request.body()))
        except (orjson.JSONDecodeError, ValueError, TypeError) as e:
            raise malformed(f"Malformed {op} request: {e}") from e
        node = holder.node
        if node is None:
            raise NodeNotReadyError("The content node is starting: replaying or awaiting config")
        try:
            reply = await call(node, message)
        except TlogWriteError:
            holder.state.status, holder.state.message = "down", "transaction log write failed"
            raise
        holder.state.record(metric, time.perf_counter() - started)
        return Response(orjson.dumps(reply.to_json()), media_type="application/json")

    return endpoint


def create_app(holder: NodeHolder) -> Starlette:
    """The ASGI app of a content node; its lifespan starts and stops ``holder``."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await holder.start()
        try:
            yield
        finally:
            await holder.stop()

    routes = [
        Route(f"{INTERNAL_PREFIX}/{op}", _endpoint(holder, op), methods=["POST"]) for op in _OPS
    ]
    return Starlette(
        routes=routes + state_routes(holder.state),
        exception_handlers=dict(EXCEPTION_HANDLERS),
        lifespan=lifespan,
    )
