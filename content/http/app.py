"""The content node's HTTP API: ``POST /internal/v1/{op}`` and the state API.

Each op decodes its `vespid.messages` request from the JSON body, calls the node and
answers with the reply's JSON. Until the node has replayed its log and applied its
first config, ops answer 503 ``NOT_READY`` and ``/state/v1/health`` says
``initializing``.

The ops are the node's hot path (every put of a feed), so `InternalApi` serves them
as a bare ASGI app in front of Starlette, which serves everything else (state API,
lifespan, 404/405). Starlette's middleware, routing and request objects cost about
100 µs per call, a third of a put's CPU. Errors still go through the one table of
`content.http.errors`, resolved along the exception's MRO as Starlette resolves it.

Writes — ``put``, ``update``, ``remove`` and ``batch`` (many of them, acknowledged
after one group commit; the container's way to feed) — count against the node's
limit of pending writes (`content.http.overload`) and are refused with 429
``OVERLOAD`` beyond it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from content.errors import TlogWriteError
from content.http.errors import EXCEPTION_HANDLERS, Handler
from content.http.overload import DEFAULT_MAX_PENDING_WRITES, PendingWrites
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
    WriteBatchReply,
    WriteBatchRequest,
    WriteOperation,
    WriteOutcome,
    WriteReply,
)
from vespid.runtime import ServiceState, state_routes

Call = Callable[[ContentNode, Any, PendingWrites], Awaitable[Any]]


class NodeHolder(Protocol):
    """What the app serves: the node once it is ready, and the process's state."""

    state: ServiceState

    @property
    def node(self) -> ContentNode | None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def _single_write(
    gate: PendingWrites, write: Callable[[], Awaitable[WriteReply]]
) -> WriteReply:
    if not gate.admit(1):
        raise gate.refusal()
    try:
        return await write()
    finally:
        gate.release(1)


async def _put(node: ContentNode, request: PutRequest, gate: PendingWrites) -> Any:
    return await _single_write(gate, lambda: node.put(request))


async def _update(node: ContentNode, request: UpdateRequest, gate: PendingWrites) -> Any:
    return await _single_write(gate, lambda: node.update(request))


async def _remove(node: ContentNode, request: RemoveRequest, gate: PendingWrites) -> Any:
    return await _single_write(gate, lambda: node.remove(request))


async def _batch(node: ContentNode, request: WriteBatchRequest, gate: PendingWrites) -> Any:
    """Apply the admitted prefix of the batch; refuse the rest for overload."""
    admitted = gate.admit(len(request.operations))
    try:
        replies = await node.write_batch([_single(o) for o in request.operations[:admitted]])
    finally:
        gate.release(admitted)
    refused = gate.refusal()
    outcomes = [_outcome(r) for r in replies]
    outcomes += [_outcome(refused)] * (len(request.operations) - admitted)
    return WriteBatchReply(tuple(outcomes))


def _single(operation: WriteOperation) -> PutRequest | UpdateRequest | RemoveRequest:
    """The single op's request for one operation of a batch."""
    o = operation
    if o.op == "put":
        return PutRequest(o.id, o.fields or {}, o.condition, o.create)
    if o.op == "update":
        return UpdateRequest(o.id, o.fields or {}, o.condition, o.create)
    return RemoveRequest(o.id, o.condition)


def _outcome(reply: WriteReply | VespidError) -> WriteOutcome:
    if isinstance(reply, VespidError):
        return WriteOutcome(code=reply.code, message=reply.message)
    return WriteOutcome(reply.found, reply.timestamp)


async def _get(node: ContentNode, request: GetRequest, _: PendingWrites) -> Any:
    return node.get(request)


async def _search(node: ContentNode, request: SearchRequest, _: PendingWrites) -> Any:
    return node.search(request)


async def _docsum(node: ContentNode, request: DocsumRequest, _: PendingWrites) -> Any:
    return node.docsum(request)


async def _visit(node: ContentNode, request: VisitRequest, _: PendingWrites) -> Any:
    return node.visit(request)


_OPS: dict[str, tuple[type[Any], Call, type[VespidError]]] = {
    "put": (PutRequest, _put, InvalidDocumentError),
    "update": (UpdateRequest, _update, InvalidDocumentError),
    "remove": (RemoveRequest, _remove, InvalidDocumentError),
    "batch": (WriteBatchRequest, _batch, InvalidDocumentError),
    "get": (GetRequest, _get, InvalidDocumentError),
    "search": (SearchRequest, _search, InvalidQueryError),
    "docsum": (DocsumRequest, _docsum, InvalidQueryError),
    "visit": (VisitRequest, _visit, InvalidQueryError),
}
"""Per op: the request class, the call, and the error for a malformed request body."""


class InternalApi:
    """The ASGI app of a content node: the ops served directly, the rest by Starlette."""

    def __init__(
        self, holder: NodeHolder, fallback: Starlette, writes: PendingWrites | None = None
    ) -> None:
        self._holder = holder
        self._fallback = fallback
        self._writes = writes or PendingWrites()
        self._paths = {f"{INTERNAL_PREFIX}/{op}": op for op in _OPS}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve ``POST`` to an op's path here and anything else with Starlette."""
        op = self._paths.get(scope["path"]) if scope["type"] == "http" else None
        if op is None:
            await self._fallback(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _respond(send, 405, b"Method Not Allowed", [(b"allow", b"POST")])
            return
        started = time.perf_counter()
        request = await _body(receive)
        if request is None:
            return  # the client went away: nobody to answer
        try:
            body = await call_op(self._holder, op, request, self._writes)
        except Exception as e:  # noqa: BLE001 - the top of a request: the error table answers
            response = await _handler(e)(Request(scope), e)
            await response(scope, receive, send)
            return
        self._holder.state.record(f"content.{op}.latency", time.perf_counter() - started)
        await _respond(send, 200, body, [(b"content-type", b"application/json")])


async def call_op(holder: NodeHolder, op: str, body: bytes, writes: PendingWrites) -> bytes:
    """Decode ``body`` as the request of ``op``, run it on the node, return the reply JSON.

    Raises:
        VespidError: a malformed body (the op's error class), a node not ready, the
            node's own refusal, or a single write refused for overload (``writes``).
        ContentError: storage failed; a failed log write also marks the node down.
    """
    message_type, call, malformed = _OPS[op]
    try:
        message = message_type.from_json(orjson.loads(body))
    except (orjson.JSONDecodeError, ValueError, TypeError) as e:
        raise malformed(f"Malformed {op} request: {e}") from e
    node = holder.node
    if node is None:
        raise NodeNotReadyError("The content node is starting: replaying or awaiting config")
    try:
        reply = await call(node, message, writes)
    except TlogWriteError:
        holder.state.status, holder.state.message = "down", "transaction log write failed"
        raise
    return orjson.dumps(reply.to_json())


async def _body(receive: Receive) -> bytes | None:
    """The request body; None when the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    length = (b"content-length", b"%d" % len(body))
    await send({"type": "http.response.start", "status": status, "headers": [*headers, length]})
    await send({"type": "http.response.body", "body": body})


def _handler(error: Exception) -> Handler:
    """The table's handler for ``error``: the first entry along its MRO."""
    for cls in type(error).__mro__:
        handler = EXCEPTION_HANDLERS.get(cls)
        if handler is not None:
            return handler
    raise error


def create_app(
    holder: NodeHolder, max_pending_writes: int = DEFAULT_MAX_PENDING_WRITES
) -> InternalApi:
    """The ASGI app of a content node; its lifespan starts and stops ``holder``.

    Writes beyond ``max_pending_writes`` not yet durable are refused (`PendingWrites`).
    """

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await holder.start()
        try:
            yield
        finally:
            await holder.stop()

    fallback = Starlette(
        routes=state_routes(holder.state),
        exception_handlers=dict(EXCEPTION_HANDLERS),
        lifespan=lifespan,
    )
    return InternalApi(holder, fallback, PendingWrites(max_pending_writes))
