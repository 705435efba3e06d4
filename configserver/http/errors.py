"""The config server's one exception → HTTP table, and the Starlette handlers built from it.

Bodies are Vespa's deploy-API error JSON, ``{"error-code": ..., "message": ...}``. The
table is looked up along the exception's MRO (Starlette does the same with handlers), so
a new error class either gets its own entry or deliberately inherits its parent's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from configserver.errors import (
    ActivationConflictError,
    BadRequestError,
    ConfigServerError,
    InvalidApplicationPackageError,
    MethodNotAllowedError,
    NotFoundError,
    PreconditionFailedError,
    SettingsError,
    ZooKeeperNotInstalledError,
    ZooKeeperStartError,
    ZooKeeperUnavailableError,
)
from configserver.http.responses import json_response

log = logging.getLogger(__name__)

ERROR_TABLE: Mapping[type[ConfigServerError], tuple[int, str]] = {
    ConfigServerError: (500, "INTERNAL_SERVER_ERROR"),
    BadRequestError: (400, "BAD_REQUEST"),
    SettingsError: (400, "BAD_REQUEST"),
    InvalidApplicationPackageError: (400, "INVALID_APPLICATION_PACKAGE"),
    NotFoundError: (404, "NOT_FOUND"),
    MethodNotAllowedError: (405, "METHOD_NOT_ALLOWED"),
    ActivationConflictError: (409, "ACTIVATION_CONFLICT"),
    PreconditionFailedError: (412, "PRECONDITION_FAILED"),
    ZooKeeperNotInstalledError: (500, "INTERNAL_SERVER_ERROR"),
    ZooKeeperStartError: (500, "INTERNAL_SERVER_ERROR"),
    ZooKeeperUnavailableError: (503, "INTERNAL_SERVER_ERROR"),
}
"""Exception class → (HTTP status, Vespa error-code)."""


def status_and_code(error_class: type[ConfigServerError]) -> tuple[int, str]:
    """Return the table entry for ``error_class``, resolved along its MRO."""
    for cls in error_class.__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    raise LookupError(f"{error_class.__name__} is not a ConfigServerError")


def error_response(status: int, code: str, message: str) -> Response:
    """Return Vespa's deploy-API error JSON."""
    return json_response({"error-code": code, "message": message}, status_code=status)


async def _domain_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConfigServerError)
    status, code = status_and_code(type(exc))
    if status >= 500:
        log.error("Request failed: %s", exc.message)
    return error_response(status, code, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        status, code = status_and_code(NotFoundError)
        return error_response(status, code, f"Nothing at path '{request.url.path}'")
    if exc.status_code == 405:
        status, code = status_and_code(MethodNotAllowedError)
        response = error_response(status, code, f"Method '{request.method}' is not supported")
        response.headers.update(exc.headers or {})
        return response
    return error_response(exc.status_code, "BAD_REQUEST", exc.detail)


async def _unexpected(_: Request, exc: Exception) -> Response:
    log.error("Unexpected error", exc_info=exc)
    return error_response(500, "INTERNAL_SERVER_ERROR", f"{type(exc).__name__}: {exc}")


Handler = Callable[[Request, Exception], Awaitable[Response]]


def exception_handlers() -> dict[type[Exception] | int, Handler]:
    """Return the handlers to give ``Starlette(exception_handlers=...)``."""
    handlers: dict[type[Exception] | int, Handler] = dict.fromkeys(ERROR_TABLE, _domain_error)
    handlers[HTTPException] = _http_error
    handlers[Exception] = _unexpected
    return handlers
