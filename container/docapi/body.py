"""document/v1 request bodies: gzip decoding, JSON parsing, and the parts Vespa reads.

A body is ``{"fields": {...}}``; other top-level keys (``put``, ``id``, ``remove``,
``create``...) are ignored, as Vespa's handler does, except ``condition`` and
``create``, which act like the URL parameters when those are absent. Bodies may be
gzip-compressed (``Content-Encoding: gzip``), as pyvespa sends bodies over 1 KiB.

>>> read_body(b'{"put": "id:a:b::c", "fields": {"x": 1}}', None).fields
{'x': 1}
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from container.errors import BadDocumentRequestError


@dataclass(frozen=True, slots=True)
class DocumentBody:
    """What a put or update body carries."""

    fields: dict[str, Any] = field(default_factory=dict)
    condition: str | None = None
    create: bool | None = None


def decode_content(raw: bytes, encoding: str | None) -> bytes:
    """The body bytes after undoing ``Content-Encoding`` (gzip or deflate)."""
    name = (encoding or "identity").strip().lower()
    try:
        if name in ("gzip", "x-gzip"):
            return gzip.decompress(raw)
        if name == "deflate":
            return zlib.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise BadDocumentRequestError(f"Could not decode the {name} request body: {e}") from None
    if name != "identity":
        raise BadDocumentRequestError(f"Unsupported Content-Encoding '{encoding}'")
    return raw


def read_body(raw: bytes, encoding: str | None) -> DocumentBody:
    """Parse a put/update body.

    Raises:
        BadDocumentRequestError: for a body that is not a JSON object with object ``fields``.
    """
    data = decode_content(raw, encoding)
    if not data.strip():
        return DocumentBody()
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise BadDocumentRequestError(f"Could not parse the document JSON: {e}") from None
    if not isinstance(parsed, dict):
        raise BadDocumentRequestError("Expected a JSON object with 'fields' as the request body")
    fields = parsed.get("fields", {})
    if not isinstance(fields, dict):
        raise BadDocumentRequestError(f"Expected 'fields' to be an object, got {fields!r}")
    condition = parsed.get("condition")
    create = parsed.get("create")
    return DocumentBody(
        fields,
        condition if isinstance(condition, str) else None,
        create if isinstance(create, bool) else None,
    )
