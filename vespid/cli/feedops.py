"""Vespa's JSON feed format, read into document operations and their /document/v1 requests.

A feed is a JSON array of operations, or operations one after another (JSONL, or
pretty-printed objects separated by whitespace)::

    {"put": "id:music:music::a", "fields": {"title": "A"}}
    {"update": "id:music:music::a", "create": true, "fields": {"year": {"assign": 2001}}}
    {"remove": "id:music:music::a"}

``"id"`` is read as ``"put"``, and ``"condition"`` is passed on as a test-and-set
condition, as Vespa's feed reader does. Each operation maps to one request, built the
way the vespa CLI builds it: ``/document/v1/<namespace>/<type>/docid/<user-specified>``
(or ``/number/<n>/`` and ``/group/<g>/``), each segment percent-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import orjson

from vespid.cli.errors import CliError
from vespid.document import DocumentId
from vespid.errors import InvalidDocumentIdError

Kind = Literal["put", "update", "remove"]
_KINDS: tuple[Kind, ...] = ("put", "update", "remove")


def _segment(text: str) -> str:
    """Escape one path segment like Go's url.PathEscape (the vespa CLI's choice)."""
    return quote(text, safe="$&+,:;=@")


def document_path(doc_id: str) -> str:
    """The /document/v1 path of a document id.

    >>> document_path("id:music:music::a head/b")
    '/document/v1/music/music/docid/a%20head%2Fb'
    >>> document_path("id:mail:mail:g=1234:1")
    '/document/v1/mail/mail/group/1234/1'

    Raises:
        CliError: when ``doc_id`` is not a valid document id.
    """
    try:
        parsed = DocumentId.parse(doc_id)
    except InvalidDocumentIdError as e:
        raise CliError(e.message) from e
    base = f"/document/v1/{_segment(parsed.namespace)}/{_segment(parsed.doctype)}"
    if parsed.number is not None:
        base += f"/number/{parsed.number}"
    elif parsed.group is not None:
        base += f"/group/{_segment(parsed.group)}"
    else:
        base += "/docid"
    return f"{base}/{_segment(parsed.user_specific)}"


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request to /document/v1."""

    method: str
    path: str
    params: dict[str, str]
    body: bytes | None


@dataclass(frozen=True, slots=True)
class Operation:
    """One document operation of a feed."""

    kind: Kind
    doc_id: str
    fields: dict[str, Any] | None = None
    create: bool = False
    condition: str | None = None

    def request(self) -> Request:
        """The /document/v1 request that performs this operation."""
        params: dict[str, str] = {}
        if self.condition is not None:
            params["condition"] = self.condition
        path = document_path(self.doc_id)
        if self.kind == "remove":
            return Request("DELETE", path, params, None)
        if self.kind == "update" and self.create:
            params["create"] = "true"
        body = _dumps({"fields": self.fields or {}})
        return Request("POST" if self.kind == "put" else "PUT", path, params, body)


def _dumps(data: Any) -> bytes:
    """JSON bytes; integers beyond 64 bits (which orjson refuses) go out as written,
    for the container to judge."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def parse_operation(obj: Any, where: str) -> Operation:
    """Read one operation object; ``where`` names it in errors ("line 3").

    Raises:
        CliError: when the object is not a feed operation.
    """
    if not isinstance(obj, dict):
        raise CliError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    kinds = [k for k in _KINDS if k in obj]
    if not kinds and "id" in obj:
        kinds, obj = ["put"], {**obj, "put": obj["id"]}
    if len(kinds) != 1:
        raise CliError(f"{where}: expected exactly one of 'put', 'update' or 'remove'")
    kind = kinds[0]
    doc_id = obj[kind]
    if not isinstance(doc_id, str):
        raise CliError(f"{where}: the document id of '{kind}' must be a string")
    fields = obj.get("fields")
    if fields is not None and not isinstance(fields, dict):
        raise CliError(f"{where}: 'fields' must be an object")
    if kind != "remove" and fields is None:
        raise CliError(f"{where}: a {kind} needs 'fields'")
    condition = obj.get("condition")
    if condition is not None and not isinstance(condition, str):
        raise CliError(f"{where}: 'condition' must be a string")
    document_path(doc_id)
    return Operation(kind, doc_id, fields, bool(obj.get("create", False)), condition)


def read_operations(text: str) -> Iterator[Operation]:
    """The operations of a feed, in order (see the module docstring for the forms).

    Raises:
        CliError: at the first operation that cannot be read, naming its line.
    """
    start = _skip_space(text, 0)
    if text.startswith("[", start):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as e:
            raise CliError(f"The feed is not a valid JSON array: {e}") from e
        for i, item in enumerate(items):
            yield parse_operation(item, f"operation {i + 1}")
        return
    decoder = json.JSONDecoder()
    pos, line, counted = start, 1, 0
    while pos < len(text):
        line += text.count("\n", counted, pos)  # only what was read since the last line
        counted = pos
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise CliError(f"line {line}: invalid JSON: {e.msg}") from e
        yield parse_operation(obj, f"line {line}")
        pos = _skip_space(text, end)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
