"""The /document/v1/ endpoint: methods and URL parameters → `container.docapi` calls.

GET of a document path reads the document, GET of a visit path visits; POST puts;
PUT updates; DELETE removes (on a visit path with ``selection`` and ``cluster``, PUT and
DELETE update or remove every selected document, a page per request);
OPTIONS answers 204 with ``Allow``; other methods 405. ``dryRun``, ``tracelevel``,
``slices``/``sliceId``, ``bucketSpace`` and ``format.tensors`` are honoured; others (``route``,
``concurrency``, ``stream``...) are accepted and ignored. A visit asked for with
``Accept: application/jsonl`` answers in Vespa's JSON-lines form.

Deviation: ``wantedDocumentCount`` defaults to 100 rather than Vespa's documented 1;
Vespa's own visits fill a page for a while before answering, which gives pages of
many documents in practice, and this matches that better than one document per page.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from container.docapi import (
    DEFAULT_TIMEOUT,
    MAX_WANTED,
    DocumentAnswer,
    DocumentParams,
    DocumentPath,
    VisitParams,
    parse_document_path,
    read_body,
    resolve_cluster,
)
from container.errors import BadDocumentRequestError, InvalidQueryParameterError
from container.http.errors import DOCUMENT_CONTENT_TYPE, path_id
from container.http.runtime import ContainerRuntime
from container.query import Parameters, parse_timeout
from container.render import reformat_tensors
from vespid.config import ContainerConfig, ContentClusterConfig
from vespid.document import TENSOR_FORMATS, DocumentId, validate_update

ALLOWED = "GET,POST,PUT,DELETE"
DEFAULT_WANTED = 100


async def document_endpoint(request: Request) -> Response:
    """Dispatch on method and path form."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOWED})
    if request.method not in ALLOWED.split(","):
        body = {"pathId": path_id(request), "message": f"'{request.method}' not allowed"}
        return _json(DocumentAnswer(405, body), {"Allow": ALLOWED})
    runtime: ContainerRuntime = request.app.state.runtime
    config = runtime.require_api("document_api")
    path = parse_document_path(request.scope["path"])
    if not path.is_visit:
        started = time.perf_counter()
        answer = await _single(request, runtime, config, path)
        runtime.state.record(
            f"document.{request.method.lower()}.latency", time.perf_counter() - started
        )
        return _json(answer)
    answer = await _visit(request, runtime, config, path)
    if request.method == "GET" and "application/jsonl" in request.headers.get("accept", ""):
        return _json_lines(answer)
    return _json(answer)


async def _single(
    request: Request, runtime: ContainerRuntime, config: ContainerConfig, path: DocumentPath
) -> DocumentAnswer:
    params = _document_params(request)
    doc_id = path.document_id
    pid = path_id(request)
    api = runtime.documents
    if request.method == "GET":
        return await api.get(config, pid, doc_id, params)
    if request.method == "DELETE":
        return await api.remove(config, pid, doc_id, params)
    body = read_body(await request.body(), request.headers.get("content-encoding"))
    if request.method == "POST":
        return await api.put(config, pid, doc_id, body, params)
    return await api.update(config, pid, doc_id, body, params)


async def _visit(
    request: Request, runtime: ContainerRuntime, config: ContainerConfig, path: DocumentPath
) -> DocumentAnswer:
    params = _visit_params(request)
    cluster = resolve_cluster(config, path.doctype, request.query_params.get("cluster"))
    if request.method == "GET":
        answer = await runtime.visitor.visit(path_id(request), path, cluster, params)
        _reformat_visited(config, answer, _tensor_format(Parameters(dict(request.query_params))))
        return answer
    if not params.selection or "cluster" not in request.query_params:
        raise BadDocumentRequestError("Must specify 'selection' and 'cluster' at '/document/v1/'")
    pid = path_id(request)
    if request.method == "DELETE":
        return await runtime.visitor.remove_selected(pid, path, cluster, params)
    if request.method == "PUT":
        update = await _selected_update(request, config, cluster, path.doctype)
        return await runtime.visitor.update_selected(pid, path, cluster, params, update)
    raise BadDocumentRequestError(f"{request.method} of a visit path is not supported")


async def _selected_update(
    request: Request,
    config: ContainerConfig,
    cluster: ContentClusterConfig,
    doctype: str | None,
) -> dict[str, dict[str, Any]]:
    """The update body validated per document type it may hit: the path's, else the cluster's."""
    body = read_body(await request.body(), request.headers.get("content-encoding"))
    names = [doctype] if doctype is not None else [t.name for t in cluster.document_types]
    update: dict[str, dict[str, Any]] = {}
    for name in names:
        schema = config.schema(name)
        if schema is not None:
            update[name] = validate_update(schema, body.fields)
    return update


_NO_PARAMS = DocumentParams()
"""A document operation's parameters when the URL has none (most of a feed's)."""


def _document_params(request: Request) -> DocumentParams:
    if not request.scope.get("query_string"):
        return _NO_PARAMS
    query = Parameters(dict(request.query_params))
    create = query.values.get("create")
    return DocumentParams(
        timeout=_timeout(request),
        condition=query.text("condition"),
        create=None if create is None else query.boolean("create"),
        cluster=query.text("cluster"),
        field_set=query.text("fieldSet"),
        tensor_format=_tensor_format(query),
        dry_run=query.boolean("dryRun"),
        trace_level=query.integer("tracelevel", 0, 0, 10),
    )


def _visit_params(request: Request) -> VisitParams:
    query = Parameters(dict(request.query_params))
    slices = query.integer("slices", 1, 1, 1 << 16)
    return VisitParams(
        selection=query.text("selection"),
        wanted_document_count=query.integer("wantedDocumentCount", DEFAULT_WANTED, 1, MAX_WANTED),
        continuation=query.text("continuation"),
        field_set=query.text("fieldSet", "[document]") or "[document]",
        include_removes=query.boolean("includeRemoves"),
        timeout=_timeout(request),
        slices=slices,
        slice_id=query.integer("sliceId", 0, 0, slices - 1),
        bucket_space=_bucket_space(query),
    )


def _tensor_format(query: Parameters) -> str:
    form = query.text("format.tensors", "short") or "short"
    if form not in TENSOR_FORMATS:
        raise BadDocumentRequestError(
            f"Tensor format '{form}' is not one of " + ", ".join(TENSOR_FORMATS)
        )
    return form


def _bucket_space(query: Parameters) -> str | None:
    space = query.text("bucketSpace")
    if space not in (None, "default", "global"):
        raise BadDocumentRequestError(f"Bucket space '{space}' is not 'default' or 'global'")
    return space


def _timeout(request: Request) -> float:
    raw = request.query_params.get("timeout")
    if raw is None:
        return DEFAULT_TIMEOUT
    try:
        return parse_timeout("timeout", raw)
    except InvalidQueryParameterError as e:
        raise BadDocumentRequestError(e.message) from None


def _reformat_visited(config: ContainerConfig, answer: DocumentAnswer, form: str) -> None:
    if form == "short":
        return
    for document in answer.body["documents"]:
        if "fields" not in document:
            continue
        schema = config.schema(DocumentId.parse(document["id"]).doctype)
        if schema is not None:
            document["fields"] = reformat_tensors(schema, document["fields"], form)


def _json_lines(answer: DocumentAnswer) -> Response:
    """A visit page as Vespa's JSONL: one line per document, then stats and continuation."""
    lines = []
    for document in answer.body["documents"]:
        if "remove" in document:
            lines.append({"remove": document["remove"]})
        else:
            lines.append({"put": document["id"], "fields": document["fields"]})
    lines.append({"sessionStats": {"documentCount": answer.body["documentCount"]}})
    if "continuation" in answer.body:
        lines.append({"continuation": {"token": answer.body["continuation"]}})
    else:
        lines.append({"continuation": {"percentFinished": 100.0}})
    content = b"".join(orjson.dumps(line) + b"\n" for line in lines)
    return Response(content, answer.status, media_type="application/jsonl")


def _json(answer: DocumentAnswer, headers: dict[str, Any] | None = None) -> Response:
    return Response(
        orjson.dumps(answer.body),
        answer.status,
        headers=headers,
        media_type=DOCUMENT_CONTENT_TYPE,
    )
