"""Container ↔ content node messages: the requests and answers of the content node's API.

A content node serves ``POST /internal/v1/<op>`` for each op below, with the request
dataclass as compact JSON body and the reply dataclass as answer. Failures answer with
a non-200 status and ``{"code": "<ErrorCode>", "message": "..."}`` (see
`vespid.errors`). Document fields travel in Vespa's document JSON, already validated
against the schema by the container.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vespid.config._codec import from_data, to_data

INTERNAL_PREFIX = "/internal/v1"
"""URL prefix of the content node's API; ``{INTERNAL_PREFIX}/put`` and so on."""


class _Message:
    def to_json(self) -> dict[str, Any]:
        """Return the message as JSON-compatible data."""
        data: dict[str, Any] = to_data(self)
        return data

    @classmethod
    def from_json(cls, data: Any) -> Any:
        """Build the message from :meth:`to_json` output; raises ValueError if malformed."""
        return from_data(cls, data)


@dataclass(frozen=True, slots=True)
class PutRequest(_Message):
    """Store a whole document, replacing any earlier version (op ``put``)."""

    id: str
    fields: dict[str, Any]
    condition: str | None = None
    """A test-and-set condition in Vespa's document selection language."""
    create: bool = False
    """With a condition: create the document if it does not exist."""


@dataclass(frozen=True, slots=True)
class UpdateRequest(_Message):
    """Apply partial updates to fields (op ``update``): ``{"f": {"assign": v}}``."""

    id: str
    fields: dict[str, Any]
    condition: str | None = None
    create: bool = False
    """Create the document from the update if it does not exist (upsert)."""


@dataclass(frozen=True, slots=True)
class RemoveRequest(_Message):
    """Remove a document (op ``remove``)."""

    id: str
    condition: str | None = None


@dataclass(frozen=True, slots=True)
class WriteReply(_Message):
    """Answer to put, update and remove: whether the document existed before."""

    found: bool = True
    timestamp: int = 0


WRITE_OPS = ("put", "update", "remove")
"""The operations a `WriteBatchRequest` may carry."""


@dataclass(frozen=True, slots=True)
class WriteOperation:
    """One put, update or remove of a batch: the fields of the single op's request.

    ``fields`` is the document (put) or the canonical update (update); None for a remove.
    """

    op: str
    id: str
    fields: dict[str, Any] | None = None
    condition: str | None = None
    create: bool = False

    def to_json(self) -> dict[str, Any]:
        """The operation as JSON-compatible data; defaults are left out."""
        data: dict[str, Any] = {"op": self.op, "id": self.id}
        if self.fields is not None:
            data["fields"] = self.fields
        if self.condition is not None:
            data["condition"] = self.condition
        if self.create:
            data["create"] = True
        return data

    @classmethod
    def from_json(cls, data: Any) -> WriteOperation:
        """Read `to_json` output; raises ValueError if malformed."""
        if not isinstance(data, dict):
            raise ValueError(f"expected an operation object, got {data!r}")
        op, doc_id = data.get("op"), data.get("id")
        fields, condition = data.get("fields"), data.get("condition")
        create = data.get("create", False)
        if op not in WRITE_OPS:
            raise ValueError(f"op: expected one of {', '.join(WRITE_OPS)}, got {op!r}")
        if not isinstance(doc_id, str):
            raise ValueError(f"id: expected a string, got {doc_id!r}")
        if (op == "remove") != (fields is None) or not isinstance(fields, dict | None):
            raise ValueError(f"fields: expected an object for a {op} only, got {fields!r}")
        if not isinstance(condition, str | None) or not isinstance(create, bool):
            raise ValueError(f"condition/create: expected a string and a bool, got {data!r}")
        return cls(op, doc_id, fields, condition, create)


@dataclass(frozen=True, slots=True)
class WriteBatchRequest:
    """Puts, updates and removes applied in order and acknowledged together (op ``batch``).

    The node applies every operation, then answers once one group commit has made all
    of them durable; each operation gets its own outcome, as if sent alone.
    """

    operations: tuple[WriteOperation, ...]

    def to_json(self) -> dict[str, Any]:
        """The batch as JSON-compatible data (hand-written: this is the feed's hot path)."""
        return {"operations": [o.to_json() for o in self.operations]}

    @classmethod
    def from_json(cls, data: Any) -> WriteBatchRequest:
        """Read `to_json` output; raises ValueError if malformed."""
        operations = data.get("operations") if isinstance(data, dict) else None
        if not isinstance(operations, list):
            raise ValueError(f"operations: expected a list, got {operations!r}")
        return cls(tuple(map(WriteOperation.from_json, operations)))


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What happened to one operation of a batch: a `WriteReply`, or an error's code."""

    found: bool = True
    timestamp: int = 0
    code: str | None = None
    """The `vespid.errors` code when the operation failed (nothing was written)."""
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        """``{"found", "timestamp"}``, or ``{"code", "message"}`` for a failure."""
        if self.code is not None:
            return {"code": self.code, "message": self.message}
        return {"found": self.found, "timestamp": self.timestamp}

    @classmethod
    def from_json(cls, data: Any) -> WriteOutcome:
        """Read `to_json` output; raises ValueError if malformed."""
        if not isinstance(data, dict):
            raise ValueError(f"expected an outcome object, got {data!r}")
        code = data.get("code")
        if code is not None:
            return cls(code=str(code), message=str(data.get("message", "")))
        found, timestamp = data.get("found", True), data.get("timestamp", 0)
        if not isinstance(found, bool) or not isinstance(timestamp, int):
            raise ValueError(f"expected found and timestamp, got {data!r}")
        return cls(found, timestamp)


@dataclass(frozen=True, slots=True)
class WriteBatchReply:
    """Answer to a batch: one outcome per operation, in the request's order."""

    outcomes: tuple[WriteOutcome, ...]

    def to_json(self) -> dict[str, Any]:
        """The reply as JSON-compatible data."""
        return {"outcomes": [o.to_json() for o in self.outcomes]}

    @classmethod
    def from_json(cls, data: Any) -> WriteBatchReply:
        """Read `to_json` output; raises ValueError if malformed."""
        outcomes = data.get("outcomes") if isinstance(data, dict) else None
        if not isinstance(outcomes, list):
            raise ValueError(f"outcomes: expected a list, got {outcomes!r}")
        return cls(tuple(map(WriteOutcome.from_json, outcomes)))


@dataclass(frozen=True, slots=True)
class GetRequest(_Message):
    """Fetch one document by id (op ``get``)."""

    id: str
    field_set: str = "[document]"
    """Vespa field set: `[document]`, `[all]`, `[id]`, `<type>:[document]` or `<type>:f1,f2`."""


@dataclass(frozen=True, slots=True)
class GetReply(_Message):
    """Answer to get: the document's fields when found."""

    found: bool
    fields: dict[str, Any] | None = None
    timestamp: int = 0


@dataclass(frozen=True, slots=True)
class OrderBy(_Message):
    """One `order by` key: an attribute, ascending or descending."""

    field: str
    ascending: bool = True


@dataclass(frozen=True, slots=True)
class SearchRequest(_Message):
    """Match and rank over this node's active buckets (op ``search``).

    ``query`` is a query tree in `vespid.messages.query` JSON form. ``inputs`` maps an
    input name (`q` for `query(q)`) to a number or a tensor in Vespa's JSON forms.
    The node returns its best ``offset + hits`` hits.
    """

    schemas: tuple[str, ...]
    query: dict[str, Any]
    ranking: str = "default"
    inputs: dict[str, Any] | None = None
    hits: int = 10
    offset: int = 0
    order_by: tuple[OrderBy, ...] = ()
    timeout: float = 10.0
    """Seconds the node may spend before answering with what it has."""
    trace_level: int = 0
    list_features: bool = False
    """`ranking.listFeatures`: give each hit the rank features Vespa dumps (``rank_features``)."""


@dataclass(frozen=True, slots=True)
class SearchHit(_Message):
    """One hit from a node: the document, its relevance and what ranking exposed."""

    id: str
    relevance: float
    schema: str
    sort_values: tuple[Any, ...] = ()
    """The `order by` key values, for the container's merge."""
    match_features: dict[str, Any] | None = None
    summary_features: dict[str, Any] | None = None
    rank_features: dict[str, Any] | None = None
    """With ``list_features``: feature name → value (the hit's ``rankfeatures``)."""


@dataclass(frozen=True, slots=True)
class SearchReply(_Message):
    """Answer to search: the node's top hits and how much it searched."""

    hits: tuple[SearchHit, ...]
    total_count: int
    documents: int
    """Active documents this node searched (Vespa's coverage.documents)."""
    degraded: bool = False
    trace: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocsumRequest(_Message):
    """Fetch summary fields of the final hits (op ``docsum``)."""

    ids: tuple[str, ...]
    summary: str = "default"


@dataclass(frozen=True, slots=True)
class DocsumReply(_Message):
    """Answer to docsum: summary fields per document id (missing ids are left out)."""

    summaries: dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class VisitRequest(_Message):
    """Visit this node's documents in bucket order (op ``visit``).

    ``continuation`` is the opaque token from the previous reply; empty starts afresh.
    """

    schema: str | None = None
    selection: str | None = None
    field_set: str = "[document]"
    wanted_document_count: int = 100
    continuation: str = ""
    include_removes: bool = False


@dataclass(frozen=True, slots=True)
class VisitedDocument(_Message):
    """A visited document, or a tombstone when ``removed``."""

    id: str
    fields: dict[str, Any] | None = None
    removed: bool = False


@dataclass(frozen=True, slots=True)
class VisitReply(_Message):
    """Answer to visit: a page of documents and the token to continue, '' when done."""

    documents: tuple[VisitedDocument, ...]
    continuation: str = ""
