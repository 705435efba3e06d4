"""The one exception → HTTP table of the content node.

Shared errors (`vespid.errors`) answer with their class's status and
``{"code", "message"}``, which the container turns back into the same class.
Internal storage errors answer 500 (507 when the disk is full) with the same shape;
anything else is logged with its traceback and answered with a generic 500.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Awaitable, Callable, Mapping

import orjson
from starlette.requests import Request
from starlette.responses import Response

from content.errors import ContentError, TlogWriteError
from vespid.errors import InsufficientStorageError, VespidError, error_to_json

log = logging.getLogger(__name__)

Handler = Callable[[Request, Exception], Awaitable[Response]]


def error_response(error: VespidError) -> Response:
    """The answer for a shared error."""
    body = orjson.dumps(error_to_json(error))
    return Response(body, status_code=error.http_status, media_type="application/json")


async def _vespid_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, VespidError)
    return error_response(exc)


async def _content_error(_: Request, exc: Exception) -> Response:
    log.error("%s", exc)
    if isinstance(exc, TlogWriteError) and exc.cause.errno == errno.ENOSPC:
        return error_response(InsufficientStorageError(str(exc)))
    return error_response(VespidError(str(exc)))


async def _unexpected(_: Request, exc: Exception) -> Response:
    log.error("unexpected error", exc_info=exc)
    return error_response(VespidError("Internal error in the content node"))


EXCEPTION_HANDLERS: Mapping[type[Exception], Handler] = {
    VespidError: _vespid_error,
    ContentError: _content_error,
    Exception: _unexpected,
}
"""Starlette resolves these along the exception's MRO."""
