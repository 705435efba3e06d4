"""In-process fake content nodes speaking the `vespid.messages` protocol, for container tests.

Each `FakeContentNode` is a Starlette app holding documents in a dict. It matches a
small part of the query tree (true, term, equals, range, and/or/not) with plain
Python, ranks by the numeric field ``score`` (1.0 when absent), and can be told to
fail an op with a `vespid.errors` class. `FakeNetwork` is a
`container.dispatch.ContentTransport` that routes ``host:port`` to those apps, or fails
like a dead node or a node that does not answer in time would.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vespid.errors import VespidError, error_to_json
from vespid.messages import (
    INTERNAL_PREFIX,
    AndItem,
    DocsumReply,
    DocsumRequest,
    EqualsItem,
    GetReply,
    GetRequest,
    Item,
    NotItem,
    OrItem,
    PutRequest,
    RangeItem,
    RemoveRequest,
    SearchHit,
    SearchReply,
    SearchRequest,
    TermItem,
    TrueItem,
    UpdateRequest,
    VisitedDocument,
    VisitReply,
    VisitRequest,
    WriteBatchReply,
    WriteBatchRequest,
    WriteOutcome,
    WriteReply,
    item_from_json,
)


def matches(item: Item, fields: dict[str, Any]) -> bool:
    """The fake's matching: enough of the tree for the container's tests."""
    match item:
        case TrueItem():
            return True
        case TermItem(field, term):
            return term.lower() in str(fields.get(field, "")).lower().split()
        case EqualsItem(field, value):
            return bool(fields.get(field) == value)
        case RangeItem(field, lower, upper, include_lower, include_upper):
            number = fields.get(field)
            if not isinstance(number, int | float):
                return False
            above = lower is None or number > lower or (include_lower and number == lower)
            below = upper is None or number < upper or (include_upper and number == upper)
            return above and below
        case AndItem(children):
            return all(matches(c, fields) for c in children)
        case OrItem(children):
            return any(matches(c, fields) for c in children)
        case NotItem(positive, negatives):
            return matches(positive, fields) and not any(matches(n, fields) for n in negatives)
    return False


class FakeContentNode:
    """One fake node: documents by id, requests seen, and failures to inject."""

    def __init__(self, key: int) -> None:
        self.key = key
        self.documents: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, Any]] = []
        self.failures: dict[str, VespidError] = {}
        self.app = Starlette(
            routes=[Route(f"{INTERNAL_PREFIX}/{{op}}", self._op, methods=["POST"])]
        )

    async def _op(self, request: Request) -> Response:
        op = request.path_params["op"]
        data = orjson.loads(await request.body())
        if op in self.failures:
            error = self.failures[op]
            return Response(orjson.dumps(error_to_json(error)), error.http_status)
        handler = getattr(self, f"_{op}")
        reply = handler(data)
        return Response(orjson.dumps(reply.to_json()), media_type="application/json")

    def _put(self, data: Any) -> WriteReply:
        request = PutRequest.from_json(data)
        self.requests.append(("put", request))
        found = request.id in self.documents
        self.documents[request.id] = dict(request.fields)
        return WriteReply(found=found)

    def _update(self, data: Any) -> WriteReply:
        request = UpdateRequest.from_json(data)
        self.requests.append(("update", request))
        if request.id not in self.documents and not request.create:
            return WriteReply(found=False)
        fields = self.documents.setdefault(request.id, {})
        for name, ops in request.fields.items():
            for op in ops:
                if "assign" in op:
                    fields[name] = op["assign"]
        return WriteReply(found=True)

    def _remove(self, data: Any) -> WriteReply:
        request = RemoveRequest.from_json(data)
        self.requests.append(("remove", request))
        return WriteReply(found=self.documents.pop(request.id, None) is not None)

    def _batch(self, data: Any) -> WriteBatchReply:
        """Each operation as its single op would run, failing as ``failures`` says."""
        request = WriteBatchRequest.from_json(data)
        self.requests.append(("batch", request))
        outcomes = []
        for operation in request.operations:
            error = self.failures.get(operation.op)
            if error is not None:
                outcomes.append(WriteOutcome(code=error.code, message=error.message))
                continue
            reply = getattr(self, f"_{operation.op}")(operation.to_json())
            outcomes.append(WriteOutcome(reply.found, reply.timestamp))
        return WriteBatchReply(tuple(outcomes))

    def _get(self, data: Any) -> GetReply:
        request = GetRequest.from_json(data)
        self.requests.append(("get", request))
        fields = self.documents.get(request.id)
        return GetReply(found=fields is not None, fields=fields)

    def _search(self, data: Any) -> SearchReply:
        request = SearchRequest.from_json(data)
        self.requests.append(("search", request))
        tree = item_from_json(request.query)
        matched = [(i, f) for i, f in sorted(self.documents.items()) if matches(tree, f)]
        hits = [
            SearchHit(
                id=doc_id,
                relevance=float(fields.get("score", 1.0)),
                schema=doc_id.split(":")[2],
                sort_values=tuple(fields.get(k.field) for k in request.order_by),
                match_features={"score": fields["score"]} if "score" in fields else None,
            )
            for doc_id, fields in matched
        ]
        hits.sort(key=lambda h: -h.relevance)
        return SearchReply(tuple(hits[: request.hits]), len(matched), len(self.documents))

    def _docsum(self, data: Any) -> DocsumReply:
        request = DocsumRequest.from_json(data)
        self.requests.append(("docsum", request))
        return DocsumReply({i: self.documents[i] for i in request.ids if i in self.documents})

    def _visit(self, data: Any) -> VisitReply:
        request = VisitRequest.from_json(data)
        self.requests.append(("visit", request))
        ids = sorted(i for i in self.documents if i > request.continuation)
        page = ids[: request.wanted_document_count]
        more = len(ids) > len(page)
        documents = tuple(VisitedDocument(i, self.documents[i]) for i in page)
        return VisitReply(documents, page[-1] if more else "")


class FakeNetwork:
    """Routes calls by port to fake nodes; ``down`` ports refuse, ``slow`` ports time out."""

    def __init__(self, nodes: dict[int, FakeContentNode]) -> None:
        self.nodes = nodes
        self.transports = {port: httpx.ASGITransport(n.app) for port, n in nodes.items()}
        self.down: set[int] = set()
        self.slow: set[int] = set()

    async def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        """Answer as the node at ``url``'s port would (`ContentTransport.post`)."""
        request = httpx.Request("POST", url, content=body)
        port = request.url.port or 80
        if port in self.slow:
            raise TimeoutError("no answer in time")
        if port in self.down or port not in self.transports:
            raise ConnectionError("connection refused")
        response = await self.transports[port].handle_async_request(request)
        return response.status_code, await response.aread()

    async def aclose(self) -> None:
        """Nothing to close."""
