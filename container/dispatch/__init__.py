"""Dispatch: the container's only network client, to content nodes.

`ContentClient` sends `vespid.messages` requests; `WriteBatcher` coalesces concurrent
writes into batch requests; `SearchDispatcher` scatters queries,
merges hits and fetches summaries; `result` holds what the renderer needs.
"""

from __future__ import annotations

from container.dispatch.batcher import WriteBatcher
from container.dispatch.client import ContentClient, ContentTransport, KeepAliveTransport
from container.dispatch.merge import merge_hits
from container.dispatch.result import (
    BACKEND_COMMUNICATION_ERROR,
    ILLEGAL_QUERY,
    INTERNAL_SERVER_ERROR,
    INVALID_QUERY_PARAMETER,
    NO_BACKENDS_IN_SERVICE,
    NOT_FOUND,
    NULL_QUERY,
    TIMEOUT,
    Coverage,
    ResultHit,
    SearchError,
    SearchResult,
)
from container.dispatch.search import SearchDispatcher

__all__ = [
    "BACKEND_COMMUNICATION_ERROR",
    "ILLEGAL_QUERY",
    "INTERNAL_SERVER_ERROR",
    "INVALID_QUERY_PARAMETER",
    "NOT_FOUND",
    "NO_BACKENDS_IN_SERVICE",
    "NULL_QUERY",
    "TIMEOUT",
    "ContentClient",
    "ContentTransport",
    "Coverage",
    "KeepAliveTransport",
    "ResultHit",
    "SearchDispatcher",
    "SearchError",
    "SearchResult",
    "WriteBatcher",
    "merge_hits",
]
