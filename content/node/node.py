"""The content node: document operations, search, summaries and visiting over its data.

`ContentNode` composes the document database (log, store, buckets) with the search
indexes and the current config. It assigns timestamps, refuses work until the first
config arrives, and answers each `vespid.messages` request with its reply. Writes are
acknowledged (the coroutine returns) only once their log record is synced.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from content.bucketdb import BucketEntry
from content.docstore import Change, StoredDocument
from content.matching import DocumentTypeIndex
from content.node import operations
from content.node.conditions import check_condition, parse_visit_selection, selected
from content.node.documents import DocumentDatabase
from content.node.search import IndexFactory, SearchIndexes, doctype_of
from content.node.values import updated
from content.node.views import FieldSet, summary
from content.node.visit import page
from content.types import SerialNum
from vespid.config import ContentConfig, SchemaConfig
from vespid.document import DocumentId
from vespid.errors import NodeNotReadyError, UnknownDocumentTypeError, VespidError
from vespid.messages import (
    DocsumReply,
    DocsumRequest,
    GetReply,
    GetRequest,
    PutRequest,
    RemoveRequest,
    SearchReply,
    SearchRequest,
    UpdateRequest,
    VisitedDocument,
    VisitReply,
    VisitRequest,
    WriteReply,
)

log = logging.getLogger(__name__)


class ContentNode:
    """One content node of ``cluster`` with ``distribution_key``, over ``database``."""

    def __init__(
        self,
        database: DocumentDatabase,
        cluster: str,
        distribution_key: int,
        index_factory: IndexFactory | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database = database
        self.cluster = cluster
        self.distribution_key = distribution_key
        self._indexes = SearchIndexes(
            database.store,
            database.snapshots,
            database.recovered,
            DocumentTypeIndex if index_factory is None else index_factory,
        )
        self._schemas: dict[str, SchemaConfig] = {}
        self.generation: int | None = None
        self._clock = clock
        database.add_listener(self._indexes.on_change)
        database.add_flush_target(self._indexes)

    def apply_config(self, config: ContentConfig) -> None:
        """Serve the document types ``config`` gives this node's cluster."""
        cluster = config.cluster(self.cluster)
        types = () if cluster is None else tuple(t.name for t in cluster.document_types)
        schemas = {name: s for name in types if (s := config.schema(name)) is not None}
        if cluster is not None:
            self.database.rebucket(cluster.distribution_bits)
        self._indexes.configure(schemas)
        self._schemas = schemas
        self.generation = config.generation
        log.info("config generation %d: serving %s", config.generation, ", ".join(schemas) or "-")

    @property
    def search_side_loaded(self) -> dict[str, bool]:
        """Per document type: whether its search index was loaded from a snapshot at
        start (True) or built from the document store (False)."""
        return dict(self._indexes.loaded)

    async def put(self, request: PutRequest) -> WriteReply:
        """Store a whole document, if its condition (when given) holds."""
        return await self._acked(*self._apply_put(request))

    async def update(self, request: UpdateRequest) -> WriteReply:
        """Apply a partial update; create the document first when ``create`` is set."""
        return await self._acked(*self._apply_update(request))

    async def remove(self, request: RemoveRequest) -> WriteReply:
        """Remove a document, leaving a tombstone."""
        return await self._acked(*self._apply_remove(request))

    async def write_batch(
        self, requests: Sequence[PutRequest | UpdateRequest | RemoveRequest]
    ) -> list[WriteReply | VespidError]:
        """Apply writes in order; answer them all once one group commit covers them.

        Each write is applied (logged, stored, indexed) as it would be alone, in batch
        order, and then one wait for the last one's log record covers them all (a sync
        writes every record before it): no task or future per write. A write refused
        with a `VespidError` (condition not met, unknown type) gets that error in its
        place; a storage failure fails the whole batch, with nothing acknowledged.
        """
        replies: list[WriteReply | VespidError] = []
        last: SerialNum | None = None
        for request in requests:
            try:
                serial, reply = self._apply(request)
            except VespidError as e:
                replies.append(e)
                continue
            replies.append(reply)
            last = last if serial is None else serial
        if last is not None:
            await self.database.durable(last)
        return replies

    def get(self, request: GetRequest) -> GetReply:
        """The document's fields in ``field_set``."""
        doc_id, schema = self._resolve(request.id)
        current = self._live(str(doc_id))
        if current is None:
            return GetReply(found=False)
        fields = FieldSet.parse(request.field_set).select(schema, _fields(current))
        return GetReply(found=True, fields=fields, timestamp=current.timestamp)

    def search(self, request: SearchRequest) -> SearchReply:
        """Match and rank over this node's documents."""
        self._require_config()
        return self._indexes.search(request)

    def docsum(self, request: DocsumRequest) -> DocsumReply:
        """Summary fields of the given documents; missing ones are left out."""
        self._require_config()
        summaries: dict[str, dict[str, Any]] = {}
        for doc_id in request.ids:
            current = self._live(doc_id)
            schema = self._schemas.get(doctype_of(doc_id))
            if current is not None and schema is not None:
                summaries[doc_id] = summary(schema, _fields(current), request.summary)
        return DocsumReply(summaries)

    def visit(self, request: VisitRequest) -> VisitReply:
        """A page of documents in bucket order, and the token to continue."""
        self._require_config()
        if request.schema is not None and request.schema not in self._schemas:
            raise UnknownDocumentTypeError(f"Document type '{request.schema}' is not served here")
        tree = parse_visit_selection(request.selection)
        field_set = FieldSet.parse(request.field_set)
        now = self._clock()

        def accept(entry: BucketEntry) -> bool:
            if request.schema is not None and doctype_of(entry.id) != request.schema:
                return False
            if entry.removed and not request.include_removes:
                return False
            current = None if entry.removed else self._live(entry.id)
            return selected(tree, entry.id, None if current is None else _fields(current), now)

        entries, continuation = page(
            self.database.buckets, request.continuation, request.wanted_document_count, accept
        )
        documents = tuple(self._visited(e.id, field_set) for e in entries)
        return VisitReply(documents, continuation)

    async def flush(self) -> None:
        """Write snapshots and prune the transaction log now."""
        await self.database.flush()

    async def aclose(self) -> None:
        """Sync and close the storage."""
        await self.database.aclose()

    def _apply(
        self, request: PutRequest | UpdateRequest | RemoveRequest
    ) -> tuple[SerialNum | None, WriteReply]:
        if isinstance(request, PutRequest):
            return self._apply_put(request)
        if isinstance(request, UpdateRequest):
            return self._apply_update(request)
        return self._apply_remove(request)

    def _apply_put(self, request: PutRequest) -> tuple[SerialNum, WriteReply]:
        """Log and apply a put; its reply may be given once the serial is durable."""
        doc_id, _ = self._resolve(request.id)
        self._check(request.condition, doc_id, request.create)
        return self._log_write(operations.PUT, doc_id, request.fields)

    def _apply_update(self, request: UpdateRequest) -> tuple[SerialNum | None, WriteReply]:
        """Log and apply an update; no serial when there was nothing to update."""
        doc_id, schema = self._resolve(request.id)
        self._check(request.condition, doc_id, request.create)
        current = self._live(str(doc_id))
        if current is None and not request.create:
            return None, WriteReply(found=False)
        base = None if current is None else _fields(current)
        fields = updated(schema, base, request.fields)
        serial, reply = self._log_write(operations.UPDATE, doc_id, fields)
        return serial, WriteReply(found=current is not None, timestamp=reply.timestamp)

    def _apply_remove(self, request: RemoveRequest) -> tuple[SerialNum, WriteReply]:
        doc_id, _ = self._resolve(request.id)
        self._check(request.condition, doc_id, create=False)
        timestamp = self.database.next_timestamp()
        serial, change = self.database.remove(doc_id, timestamp)
        return serial, WriteReply(found=_was_live(change), timestamp=timestamp)

    def _log_write(
        self, op: str, doc_id: DocumentId, fields: dict[str, Any]
    ) -> tuple[SerialNum, WriteReply]:
        timestamp = self.database.next_timestamp()
        data = operations.encode_fields(fields)
        serial, change = self.database.put(op, doc_id, data, timestamp, fields)
        return serial, WriteReply(found=_was_live(change), timestamp=timestamp)

    async def _acked(self, serial: SerialNum | None, reply: WriteReply) -> WriteReply:
        """``reply`` once the log record ``serial`` (if any) is synced."""
        if serial is not None:
            await self.database.durable(serial)
        return reply

    def _visited(self, doc_id: str, field_set: FieldSet) -> VisitedDocument:
        current = self._live(doc_id)
        schema = self._schemas.get(doctype_of(doc_id))
        if current is None or schema is None:
            return VisitedDocument(doc_id, removed=True)
        return VisitedDocument(doc_id, field_set.select(schema, _fields(current)))

    def _check(self, condition: str | None, doc_id: DocumentId, create: bool) -> None:
        if not condition:
            return
        current = self._live(str(doc_id))
        fields = None if current is None else _fields(current)
        check_condition(condition, doc_id, fields, create, self._clock())

    def _resolve(self, text: str) -> tuple[DocumentId, SchemaConfig]:
        """The parsed id (its text is the store's key) and the schema of its type."""
        self._require_config()
        doc_id = DocumentId.parse(text)
        schema = self._schemas.get(doc_id.doctype)
        if schema is None:
            raise UnknownDocumentTypeError(
                f"Document type '{doc_id.doctype}' is not in content cluster '{self.cluster}'"
            )
        return doc_id, schema

    def _live(self, doc_id: str) -> StoredDocument | None:
        entry = self.database.store.get(doc_id)
        return None if entry is None or entry.removed else entry

    def _require_config(self) -> None:
        if self.generation is None:
            raise NodeNotReadyError("The content node has not received its config yet")


def _fields(entry: StoredDocument) -> dict[str, Any]:
    assert entry.data is not None, "tombstones have no fields"
    fields: dict[str, Any] = orjson.loads(entry.data)
    return fields


def _was_live(change: Change) -> bool:
    return change.previous is not None and not change.previous.removed
