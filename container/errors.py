"""The container's errors: bad queries, bad parameters, and failures talking to content nodes.

Every class here has exactly one entry in `container.http.errors`, which turns it into
Vespa's answer for the API that raised it (search: ``errors`` list with a numeric code;
document/v1: ``{"pathId", "message"}``). Errors that content nodes send back travel as
`vespid.errors` classes and are mapped in the same table.
"""

from __future__ import annotations


class ContainerError(Exception):
    """Root of the container's own errors."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class YqlSyntaxError(ContainerError):
    """YQL (or simple-query) text that does not parse.

    Carries the character ``position`` (0-based) and its ``line``/``column`` (1-based),
    what the parser ``expected`` there and what it ``found``.
    """

    def __init__(self, text: str, position: int, expected: str, found: str) -> None:
        self.position = position
        self.line = text.count("\n", 0, position) + 1
        self.column = position - (text.rfind("\n", 0, position) + 1) + 1
        self.expected = expected
        self.found = found
        super().__init__(f"query:L{self.line}:{self.column}: expected {expected}, got {found}")


class InvalidQueryParameterError(ContainerError):
    """A /search/ request parameter with a value Vespa would refuse (error code 4)."""

    def __init__(self, name: str, value: object, reason: str) -> None:
        self.name = name
        self.value = value
        super().__init__(f"Could not set '{name}' to '{value}': {reason}")


class IllegalQueryError(ContainerError):
    """A query that parses but cannot be run, e.g. an unknown source (error code 3)."""


class NoConfigError(ContainerError):
    """The container has not received its config yet; it answers 503."""


class BackendCommunicationError(ContainerError):
    """No content node of a cluster could be reached (search error code 10)."""


class DispatchTimeoutError(ContainerError):
    """Content nodes did not answer within the request's timeout (code 12, 504)."""


class BadDocumentRequestError(ContainerError):
    """A document/v1 request that is malformed: bad path, JSON or parameter (400)."""


class UnknownClusterError(BadDocumentRequestError):
    """A document/v1 request names a content cluster the application does not have."""


class NullQueryError(ContainerError):
    """A /search/ request without `yql` or `query` (Vespa's error code 1, "Null query")."""


class ApiNotServedError(ContainerError):
    """The container cluster does not serve this API (no `<search>` / `<document-api>`)."""
