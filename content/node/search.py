"""Search over this node's documents: one index per document type, kept in step.

This is the one module that meets `content.matching` (the matcher and ranker). It
feeds every applied change to the index of the document's type, rebuilds a type's
index from the document store when its schema changes (a new index object is built
and swapped in; nothing is changed in place), and turns match results (local ids)
into `SearchReply` hits (document ids), merged over the requested document types.

It is also a flush target of the document database: each flush snapshots every
type's index at the flush's serial (`content.matching.snapshot`). At the first config
after a start, a type whose snapshot matches the document store's (same serial, same
schema, intact) is loaded from it, and the changes the log replay made since are
applied to it again, in log order, as they were the first time; otherwise it is
rebuilt from the document store, which is never wrong, only slower.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeGuard, runtime_checkable

import orjson

from content.docstore import Change, DocumentStore
from content.matching import DocumentTypeIndex, IndexSnapshotError, TypeIndexFlush
from content.matching.snapshot import snapshot_name
from content.node.documents import Recovered
from content.storage import Directory
from content.types import SerialNum
from vespid.config import SchemaConfig
from vespid.errors import VespidError
from vespid.messages import OrderBy, SearchHit, SearchReply, SearchRequest

log = logging.getLogger(__name__)


class MatchHit(Protocol):
    """What the matcher returns per hit."""

    @property
    def lid(self) -> int: ...
    @property
    def relevance(self) -> float: ...
    @property
    def sort_values(self) -> Sequence[Any]: ...
    @property
    def match_features(self) -> dict[str, Any] | None: ...
    @property
    def summary_features(self) -> dict[str, Any] | None: ...
    @property
    def rank_features(self) -> dict[str, Any] | None: ...


class MatchResult(Protocol):
    """The matcher's answer for one document type."""

    @property
    def hits(self) -> Sequence[MatchHit]: ...
    @property
    def total_count(self) -> int: ...


class TypeIndex(Protocol):
    """The search index of one document type (`content.matching.DocumentTypeIndex`)."""

    def put(self, lid: int, fields: dict[str, Any]) -> None:
        """Index ``fields`` as ``lid``, replacing what ``lid`` had."""

    def remove(self, lid: int) -> None: ...
    def search(self, request: SearchRequest) -> MatchResult: ...


@runtime_checkable
class PersistentTypeIndex(TypeIndex, Protocol):
    """A type index that can be snapshotted at a flush and loaded at start."""

    @property
    def document_count(self) -> int: ...
    @property
    def unflushed_bytes(self) -> int: ...
    def start_flush(self, serial: SerialNum) -> TypeIndexFlush | None: ...
    def load(self, directory: Directory, serial: SerialNum) -> None: ...


IndexFactory = Callable[[SchemaConfig], TypeIndex]


def doctype_of(doc_id: str) -> str:
    """The document type of a (validated) document id: ``id:ns:TYPE:...``."""
    return doc_id.split(":", 3)[2]


class SearchIndexes:
    """The indexes of the document types this node serves."""

    def __init__(
        self,
        store: DocumentStore,
        snapshots: Directory,
        recovered: Recovered,
        factory: IndexFactory = DocumentTypeIndex,
    ) -> None:
        self._store = store
        self._factory = factory
        self._schemas: dict[str, SchemaConfig] = {}
        self._indexes: dict[str, TypeIndex] = {}
        self._persists: dict[type, bool] = {}
        """Per index class, whether it is a `PersistentTypeIndex`: a runtime protocol
        check costs tens of µs, and `unflushed_bytes` is asked after every write."""
        self._counts: dict[str, int] = {}
        self._snapshots = snapshots
        self._recovered: Recovered | None = recovered
        """Set until the first config: which snapshot serial the store loaded, and the
        changes its log replay made since."""
        self.loaded: dict[str, bool] = {}
        """Per document type: whether its index was loaded from a snapshot (else built)."""

    def configure(self, schemas: Mapping[str, SchemaConfig]) -> None:
        """Serve exactly ``schemas``; (re)build the index of each new or changed one."""
        changed = {s.name for name, s in schemas.items() if self._schemas.get(name) != s}
        recovered, self._recovered = self._recovered, None
        if recovered is not None:
            changed -= self._load(changed, schemas, self._snapshots, recovered)
        if changed:
            self._build(changed, schemas)
        for name in set(self._indexes) - set(schemas):
            del self._indexes[name], self._counts[name]
        self._schemas = dict(schemas)

    @property
    def unflushed_bytes(self) -> int:
        """Memory of the index writes since the last flush."""
        indexes = self._indexes.values()
        return sum(i.unflushed_bytes for i in indexes if self._persistent(i))

    def _persistent(self, index: TypeIndex) -> TypeGuard[PersistentTypeIndex]:
        kind = type(index)
        known = self._persists.get(kind)
        if known is None:
            known = self._persists[kind] = isinstance(index, PersistentTypeIndex)
        return known

    def start_flush(self, serial: SerialNum) -> SearchFlush:
        """Take every type's index as it is now (the state after record ``serial``)."""
        taken: dict[str, TypeIndexFlush | None] = {}
        for name, index in self._indexes.items():
            taken[name] = index.start_flush(serial) if self._persistent(index) else None
        return SearchFlush(self._snapshots, taken)

    def on_change(self, change: Change, fields: dict[str, Any] | None = None) -> None:
        """Apply one document store change to its type's index (``fields``: the
        document decoded, when the writer has it)."""
        current = change.current
        if current is None:
            return
        doctype = doctype_of(current.id)
        index = self._indexes.get(doctype)
        if index is not None:
            self._counts[doctype] += _apply(index, change, fields)

    def document_count(self, doctype: str) -> int:
        """Live documents of ``doctype`` in its index."""
        return self._counts.get(doctype, 0)

    def search(self, request: SearchRequest) -> SearchReply:
        """Match and rank in each requested type this node serves, and merge the best hits.

        A query may name schemas of other content clusters (``sources *`` over an
        application with several); those are skipped here.
        """
        names = [n for n in request.schemas or sorted(self._indexes) if n in self._indexes]
        hits: list[SearchHit] = []
        total = 0
        for name in names:
            result = self._indexes[name].search(request)
            total += result.total_count
            hits.extend(self._to_hits(name, result.hits))
        hits.sort(key=_sort_key(request.order_by))
        wanted = hits[: request.offset + request.hits]
        documents = sum(self._counts[n] for n in names)
        return SearchReply(tuple(wanted), total_count=total, documents=documents)

    def _to_hits(self, schema: str, hits: Iterable[MatchHit]) -> Iterable[SearchHit]:
        for hit in hits:
            entry = self._store.by_lid(hit.lid)
            if entry is None:
                continue
            yield SearchHit(
                id=entry.id,
                relevance=hit.relevance,
                schema=schema,
                sort_values=tuple(hit.sort_values),
                match_features=hit.match_features or None,
                summary_features=hit.summary_features or None,
                rank_features=hit.rank_features,
            )

    def _load(
        self,
        doctypes: set[str],
        schemas: Mapping[str, SchemaConfig],
        snapshots: Directory,
        recovered: Recovered,
    ) -> set[str]:
        """Load the indexes of ``doctypes`` that have a usable snapshot; return those."""
        loaded: set[str] = set()
        for name in sorted(doctypes):
            if not snapshots.exists(snapshot_name(name)):
                log.info("search index of %s has no snapshot, building it", name)
                continue
            started = time.monotonic()
            index = self._factory(schemas[name])
            if not isinstance(index, PersistentTypeIndex):
                continue
            try:
                index.load(snapshots, recovered.serial)
            except IndexSnapshotError as e:
                log.info("search index of %s not loaded, rebuilding it: %s", name, e)
                continue
            replayed = [
                c for c in recovered.changes if c.current and doctype_of(c.current.id) == name
            ]
            for change in replayed:
                _apply(index, change, None)
            self._indexes[name] = index
            self._counts[name] = index.document_count
            self.loaded[name] = True
            loaded.add(name)
            log.info(
                "loaded search index of %s from its snapshot at serial %d in %.1f s: "
                "%d documents, %d log records applied again",
                name,
                recovered.serial,
                time.monotonic() - started,
                index.document_count,
                len(replayed),
            )
        return loaded

    def _build(self, doctypes: set[str], schemas: Mapping[str, SchemaConfig]) -> None:
        fresh = {name: self._factory(schemas[name]) for name in doctypes}
        counts = dict.fromkeys(doctypes, 0)
        for entry in self._store.entries():
            if entry.lid is None or entry.data is None:
                continue
            doctype = doctype_of(entry.id)
            if doctype in fresh:
                document = orjson.loads(entry.data)
                counts[doctype] += _index(fresh[doctype], entry.lid, document, entry.id)
        self._indexes.update(fresh)
        self._counts.update(counts)
        self.loaded.update(dict.fromkeys(fresh, False))
        log.info("indexed %s", ", ".join(f"{n}: {counts[n]} documents" for n in sorted(fresh)))


class SearchFlush:
    """The search side's part of one flush: every type's snapshot, written in a thread."""

    def __init__(self, snapshots: Directory, taken: dict[str, TypeIndexFlush | None]) -> None:
        self._snapshots = snapshots
        self._taken = taken

    def write(self) -> None:
        """Write each type's snapshot; drop the stale one of a type that has none."""
        for name, flush in self._taken.items():
            if flush is None:
                self._snapshots.delete(snapshot_name(name))
            else:
                flush.write(self._snapshots)

    def finish(self) -> None:
        """Serve the fused text segments."""
        for flush in self._taken.values():
            if flush is not None:
                flush.install()


def _apply(index: TypeIndex, change: Change, fields: dict[str, Any] | None) -> int:
    """Apply one store change to ``index``; return the change in its document count."""
    current, previous = change.current, change.previous
    assert current is not None, "ignored operations change nothing"
    delta = 0
    if previous is not None and previous.lid is not None:
        delta -= 1
        if previous.lid != current.lid:
            index.remove(previous.lid)
    if current.lid is not None and current.data is not None:
        document = orjson.loads(current.data) if fields is None else fields
        delta += _index(index, current.lid, document, current.id)
    return delta


def _index(index: TypeIndex, lid: int, fields: dict[str, Any], doc_id: str) -> int:
    """Index one document; 1 when it went in, 0 when the index refused its values.

    A stored value the index cannot take (a document fed before its field changed
    type) must not stop the node: the document stays stored and readable, it is only
    left out of search, and that is logged.
    """
    try:
        index.put(lid, fields)
    except (ValueError, TypeError, VespidError) as e:
        log.warning("document %s is stored but not searchable: %s", doc_id, e)
        index.remove(lid)
        return 0
    return 1


def _sort_key(order_by: Sequence[OrderBy]) -> Callable[[SearchHit], Any]:
    if not order_by:
        return lambda hit: -hit.relevance
    ascending = tuple(o.ascending for o in order_by)

    def compare(a: SearchHit, b: SearchHit) -> int:
        for up, x, y in zip(ascending, a.sort_values, b.sort_values, strict=False):
            order = _compare_values(x, y)
            if order:
                return order if up else -order
        return 0

    return functools.cmp_to_key(compare)


def _compare_values(x: Any, y: Any) -> int:
    """Order two sort values; a missing value (None) sorts last."""
    if x == y:
        return 0
    if x is None or y is None:
        return 1 if x is None else -1
    return -1 if x < y else 1
