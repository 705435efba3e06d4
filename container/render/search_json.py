"""Vespa's default JSON result format for /search/ (WIRE.md, "/search/ default JSON").

Compact JSON, keys in Vespa's order: optional ``trace``, optional ``timing``, then
``root`` with ``id`` ("toplevel"), ``relevance``, ``fields.totalCount``, ``coverage``,
``errors`` and ``children``. Each child has ``id``, ``relevance``, ``source`` and
``fields`` (``sddocname``, ``documentid``, the summary fields, ``matchfeatures``,
``summaryfeatures``).

The HTTP status follows Vespa's rule: 200 when there is no error or when hits were
still returned; otherwise it comes from the first error's code.

>>> from container.dispatch import SearchResult, Coverage
>>> status, body = render_search(SearchResult(total_count=0, coverage=Coverage(results=1,
...     results_full=1, nodes=1, nodes_queried=1)))
>>> status, body.decode()[:60]
(200, '{"root":{"id":"toplevel","relevance":1.0,"fields":{"totalCou')
"""

from __future__ import annotations

from typing import Any

import orjson

from container.dispatch import Coverage, ResultHit, SearchError, SearchResult

_STATUS_BY_CODE = {0: 503, 10: 503, 12: 504, 1: 400, 3: 400, 4: 400, 17: 400,
                   14: 401, 15: 403, 16: 404, 18: 500, 19: 507}  # fmt: skip
"""Vespa's HTTP status for a result whose first error has this code (500 otherwise)."""

CONTENT_TYPE = "application/json; charset=utf-8"


def render_search(result: SearchResult) -> tuple[int, bytes]:
    """The HTTP status and body for ``result``."""
    document: dict[str, Any] = {}
    if result.trace:
        document["trace"] = {"children": [{"message": m} for m in result.trace]}
    if result.timing is not None:
        document["timing"] = result.timing
    document["root"] = _root(result)
    return http_status(result), orjson.dumps(document)


def http_status(result: SearchResult) -> int:
    """200 unless there are errors and no hits; then the first error's status."""
    if not result.errors or result.hits:
        return 200
    return _STATUS_BY_CODE.get(result.errors[0].code, 500)


def _root(result: SearchResult) -> dict[str, Any]:
    root: dict[str, Any] = {
        "id": "toplevel",
        "relevance": 1.0,
        "fields": {"totalCount": result.total_count},
    }
    if result.coverage is not None:
        root["coverage"] = _coverage(result.coverage)
    if result.errors:
        root["errors"] = [_error(e) for e in result.errors]
    if result.hits:
        root["children"] = [_hit(h) for h in result.hits]
    return root


def _coverage(coverage: Coverage) -> dict[str, Any]:
    data: dict[str, Any] = {"coverage": coverage.percent, "documents": coverage.documents}
    if not coverage.full:
        data["degraded"] = {
            "match-phase": False,
            "timeout": coverage.timed_out,
            "adaptive-timeout": False,
            "non-ideal-state": False,
        }
    data.update(
        full=coverage.full,
        nodes=coverage.nodes,
        results=coverage.results,
        resultsFull=coverage.results_full,
    )
    return data


def _error(error: SearchError) -> dict[str, Any]:
    data: dict[str, Any] = {"code": error.code, "summary": error.summary}
    if error.source is not None:
        data["source"] = error.source
    data["message"] = error.message
    return data


def _hit(hit: ResultHit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "relevance": hit.relevance,
        "source": hit.source,
        "fields": hit.fields,
    }
