"""Errors shared between processes, and the codes they travel as.

A content node that fails a request answers with ``{"code": CODE, "message": ...}``;
the container turns the code back into the same exception class through
:func:`error_from_code` and from there into Vespa's HTTP answer. Each class binds its
code with :func:`_register` (kazoo's pattern), so both sides agree by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

E = TypeVar("E", bound="VespidError")


class VespidError(Exception):
    """Root of Vespid's shared errors."""

    code: ClassVar[str] = "INTERNAL_ERROR"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_BY_CODE: dict[str, type[VespidError]] = {}


def _register(cls: type[E]) -> type[E]:
    _BY_CODE[cls.code] = cls
    return cls


_register(VespidError)


@_register
class InvalidDocumentError(VespidError):
    """A document or update does not fit its document type."""

    code = "INVALID_DOCUMENT"
    http_status = 400


@_register
class InvalidDocumentIdError(InvalidDocumentError):
    """A document id is not of the form id:<namespace>:<type>:[n=|g=]:<user-specified>."""

    code = "INVALID_DOCUMENT_ID"


@_register
class UnknownDocumentTypeError(VespidError):
    """No schema of the application defines the document type."""

    code = "UNKNOWN_DOCUMENT_TYPE"
    http_status = 400


@_register
class DocumentNotFoundError(VespidError):
    """The document does not exist."""

    code = "NOT_FOUND"
    http_status = 404


@_register
class ConditionNotMetError(VespidError):
    """A test-and-set condition did not hold; nothing was written."""

    code = "CONDITION_NOT_MET"
    http_status = 412


@_register
class InvalidQueryError(VespidError):
    """A query the content node cannot run (unknown field, bad input)."""

    code = "INVALID_QUERY"
    http_status = 400


@_register
class OverloadError(VespidError):
    """The node is busy; the client should retry later."""

    code = "OVERLOAD"
    http_status = 429


@_register
class InsufficientStorageError(VespidError):
    """The node is out of disk or memory for writes."""

    code = "INSUFFICIENT_STORAGE"
    http_status = 507


@_register
class WrongDistributionError(VespidError):
    """The node is not the primary for the document's bucket under its cluster state."""

    code = "WRONG_DISTRIBUTION"
    http_status = 409


@_register
class NodeNotReadyError(VespidError):
    """The node has no config yet, or is still replaying its transaction log."""

    code = "NOT_READY"
    http_status = 503


def error_from_code(code: str, message: str) -> VespidError:
    """Return the exception for a wire ``code``; unknown codes give a plain VespidError."""
    cls: Callable[[str], VespidError] = _BY_CODE.get(code, VespidError)
    return cls(message)


def error_to_json(error: VespidError) -> dict[str, str]:
    """Return the wire form of ``error``."""
    return {"code": error.code, "message": error.message}
