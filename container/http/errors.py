"""The container's one exception → HTTP table, for /search/ and /document/v1/ alike.

Each exception class maps to a `Mapping`: the Vespa error code a /search/ answer
carries (rendered in Vespa's result format, status from the code) and the status a
/document/v1/ answer carries (body ``{"pathId", "message"}``). Lookup follows the
class's MRO, so a subclass without its own entry inherits its parent's
(`UnknownClusterError` answers like `BadDocumentRequestError`). Anything else is
logged with its traceback and answers 500.

Deviation: document operations that find no reachable content node answer 503
(not 500), so that feed clients retry them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson
from starlette.requests import Request
from starlette.responses import Response

from container import errors as container_errors
from container.dispatch import SearchError, SearchResult
from container.dispatch.result import (
    BACKEND_COMMUNICATION_ERROR,
    ILLEGAL_QUERY,
    INTERNAL_SERVER_ERROR,
    INVALID_QUERY_PARAMETER,
    NO_BACKENDS_IN_SERVICE,
    NOT_FOUND,
    NULL_QUERY,
    TIMEOUT,
)
from container.docapi import parse_document_path
from container.errors import BadDocumentRequestError
from container.render import CONTENT_TYPE, render_search
from vespid import errors as vespid_errors

log = logging.getLogger(__name__)

DOCUMENT_CONTENT_TYPE = "application/json; charset=UTF-8"


@dataclass(frozen=True, slots=True)
class Mapping:
    """How one exception class answers on each API."""

    search_code: int
    document_status: int


ERROR_TABLE: dict[type[Exception], Mapping] = {
    container_errors.ContainerError: Mapping(INTERNAL_SERVER_ERROR, 500),
    container_errors.YqlSyntaxError: Mapping(ILLEGAL_QUERY, 400),
    container_errors.InvalidQueryParameterError: Mapping(INVALID_QUERY_PARAMETER, 400),
    container_errors.IllegalQueryError: Mapping(ILLEGAL_QUERY, 400),
    container_errors.NullQueryError: Mapping(NULL_QUERY, 400),
    container_errors.NoConfigError: Mapping(NO_BACKENDS_IN_SERVICE, 503),
    container_errors.BackendCommunicationError: Mapping(BACKEND_COMMUNICATION_ERROR, 503),
    container_errors.DispatchTimeoutError: Mapping(TIMEOUT, 504),
    container_errors.BadDocumentRequestError: Mapping(ILLEGAL_QUERY, 400),
    container_errors.ApiNotServedError: Mapping(NOT_FOUND, 404),
    vespid_errors.VespidError: Mapping(INTERNAL_SERVER_ERROR, 500),
    vespid_errors.InvalidDocumentError: Mapping(INVALID_QUERY_PARAMETER, 400),
    vespid_errors.UnknownDocumentTypeError: Mapping(INVALID_QUERY_PARAMETER, 400),
    vespid_errors.DocumentNotFoundError: Mapping(INTERNAL_SERVER_ERROR, 404),
    vespid_errors.ConditionNotMetError: Mapping(INTERNAL_SERVER_ERROR, 412),
    vespid_errors.InvalidQueryError: Mapping(INVALID_QUERY_PARAMETER, 400),
    vespid_errors.OverloadError: Mapping(BACKEND_COMMUNICATION_ERROR, 429),
    vespid_errors.InsufficientStorageError: Mapping(INTERNAL_SERVER_ERROR, 507),
    vespid_errors.WrongDistributionError: Mapping(BACKEND_COMMUNICATION_ERROR, 503),
    vespid_errors.NodeNotReadyError: Mapping(BACKEND_COMMUNICATION_ERROR, 503),
}
"""Every exception the container answers with deliberately; see the module docstring."""


def mapping_for(error: Exception) -> Mapping | None:
    """The entry for ``error``'s class or its nearest mapped ancestor."""
    for cls in type(error).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    return None


def message_of(error: Exception) -> str:
    """The human message of a domain error."""
    message = getattr(error, "message", None)
    return message if isinstance(message, str) else str(error)


def path_id(request: Request) -> str:
    """The request path as sent (still percent-encoded), as Vespa echoes in ``pathId``."""
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path


def error_response(request: Request, error: Exception) -> Response:
    """The answer for ``error`` in the shape of the API ``request`` went to."""
    mapping = mapping_for(error)
    if mapping is None:
        log.exception("Unhandled error for %s %s", request.method, request.url.path, exc_info=error)
        mapping = Mapping(INTERNAL_SERVER_ERROR, 500)
        message = f"Internal server error: {type(error).__name__}"
    else:
        message = message_of(error)
    if request.url.path.startswith("/document/v1"):
        document = {"pathId": path_id(request), **_document_id(request), "message": message}
        return Response(
            orjson.dumps(document), mapping.document_status, media_type=DOCUMENT_CONTENT_TYPE
        )
    result = SearchResult(errors=[SearchError(mapping.search_code, message)])
    status, body = render_search(result)
    return Response(body, status, media_type=CONTENT_TYPE)


def _document_id(request: Request) -> dict[str, str]:
    """``{"id": ...}`` when the path names one document (Vespa puts it in error bodies)."""
    try:
        path = parse_document_path(request.scope["path"])
    except BadDocumentRequestError:
        return {}
    return {} if path.is_visit else {"id": str(path.document_id)}


async def handle_error(request: Request, error: Exception) -> Response:
    """Starlette exception handler for every class in the table and the catch-all."""
    return error_response(request, error)
