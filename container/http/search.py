"""The /search/ endpoint: GET with URL parameters, POST with a JSON or form body.

Form bodies are ``application/x-www-form-urlencoded`` (curl ``--data-urlencode``);
multipart forms are not accepted.

Parameters from the body are read first and URL parameters override them, as Vespa
does when both are present (pyvespa puts some parameters in the URL of a POST).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import Response

from container.docapi import decode_content
from container.errors import InvalidQueryParameterError
from container.http.runtime import ContainerRuntime
from container.query import SearchQuery, build_search_query, flatten
from container.render import CONTENT_TYPE, reformat_tensors, render_search
from container.yql import render_item


async def request_parameters(request: Request) -> dict[str, Any]:
    """Every parameter of a /search/ request, flattened to dotted names."""
    params: dict[str, Any] = {}
    if request.method == "POST":
        params.update(await _body_parameters(request))
    params.update(request.query_params.items())
    return params


async def _body_parameters(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = decode_content(await request.body(), request.headers.get("content-encoding"))
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise InvalidQueryParameterError(
            "body", raw[:100].decode(errors="replace"), str(e)
        ) from None
    if not isinstance(data, dict):
        raise InvalidQueryParameterError("body", type(data).__name__, "expected a JSON object")
    return flatten(data)


async def search_endpoint(request: Request) -> Response:
    """Run one query and render Vespa's result JSON."""
    runtime: ContainerRuntime = request.app.state.runtime
    started = time.perf_counter()
    config = runtime.require_api("search")
    query = build_search_query(await request_parameters(request), config)
    result = await runtime.searcher.search(query, config)
    if query.tensor_format != "short":
        for hit in result.hits:
            schema = config.schema(hit.schema)
            if schema is not None:
                hit.fields = reformat_tensors(schema, hit.fields, query.tensor_format)
    if query.trace_level > 0:
        result.trace[:0] = _query_trace(query, config.generation)
    status, body = render_search(result)
    runtime.state.record("search.latency", time.perf_counter() - started)
    return Response(body, status, media_type=CONTENT_TYPE)


def _query_trace(query: SearchQuery, generation: int) -> list[str]:
    return [
        f"Query parsed to: {render_item(query.tree)}",
        f"Searching schemas {', '.join(query.schemas)} with rank profile '{query.ranking}' "
        f"(config generation {generation}), hits {query.hits}, offset {query.offset}, "
        f"timeout {query.timeout:g}s",
    ]
