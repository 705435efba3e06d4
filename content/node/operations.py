"""What the transaction log records for each operation: compact JSON payloads.

``{"op": "put", "id": "...", "fields": {...}}`` for a put, the same with ``"op":
"update"`` and the whole document as the update left it for an update (so replay never
has to re-run update logic), and ``{"op": "remove", "id": "..."}`` for a remove. The
timestamp travels in the record header. Fields are the canonical JSON values of
docs/internals.md, already encoded by the caller, so a put is serialized only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from content.errors import TlogCorruptionError

PUT = "put"
UPDATE = "update"
REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class LoggedOperation:
    """A decoded log payload; ``fields`` is the encoded document, None for a remove."""

    op: str
    id: str
    fields: bytes | None


def encode_fields(fields: dict[str, Any]) -> bytes:
    """A document's fields as compact JSON, in a bytes object of exactly that size.

    orjson returns bytes whose allocation can be several times their length (about
    8 KiB for a 1 KiB document); the document store keeps these for the document's
    lifetime, so it gets a tight copy.
    """
    return bytes(memoryview(orjson.dumps(fields)))


def encode_write(op: str, doc_id: str, fields: bytes) -> bytes:
    """The payload of a put or update whose document encodes to ``fields``."""
    return b'{"op":"%s","id":%s,"fields":%s}' % (op.encode(), orjson.dumps(doc_id), fields)


def encode_remove(doc_id: str) -> bytes:
    """The payload of a remove."""
    return b'{"op":"remove","id":%s}' % orjson.dumps(doc_id)


def decode(payload: bytes, where: str) -> LoggedOperation:
    """Decode a payload; ``where`` names the record in errors.

    Raises:
        TlogCorruptionError: a payload that passed its checksum but is not an operation
            (written by a different program).
    """
    try:
        data: Any = orjson.loads(payload)
        op, doc_id = data["op"], data["id"]
        if op == REMOVE:
            return LoggedOperation(REMOVE, doc_id, None)
        if op in (PUT, UPDATE):
            return LoggedOperation(op, doc_id, encode_fields(data["fields"]))
    except (orjson.JSONDecodeError, KeyError, TypeError) as e:
        raise TlogCorruptionError(where, 0, f"not an operation: {e}") from e
    raise TlogCorruptionError(where, 0, f"unknown operation {op!r}")
