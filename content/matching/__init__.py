"""Matching on the content node: the per-document-type index the node calls.

The node creates one :class:`DocumentTypeIndex` per schema and calls:

- ``DocumentTypeIndex(schema: vespid.config.SchemaConfig)``
- ``put(lid: int, fields: Mapping[str, Any]) -> None`` — canonical field values
  (docs/internals.md "Document values"); replaces what ``lid`` had;
- ``remove(lid: int) -> None``;
- ``search(request: vespid.messages.SearchRequest) -> MatchResult`` — ``hits``
  (:class:`RankedHit`: lid, relevance, sort_values, match_features,
  summary_features; the best ``offset + hits``, by relevance or ``order_by``),
  ``total_count`` (documents matched) and ``document_count``;
  raises `vespid.errors.InvalidQueryError` for unknown fields or rank profiles;
- ``document_count`` — live documents;
- ``hnsw_indexes`` — the `content.hnsw.HnswIndex` of each tensor field with
  ``index: hnsw`` (kept in step with put/remove);
- ``start_flush(serial)`` / ``load(directory, serial)`` — a snapshot of the whole
  search side at a log serial, written and loaded by `content.matching.snapshot`;
  ``unflushed_bytes`` — memory written since the last flush (for the memory budget).
"""

from __future__ import annotations

from content.matching.document_type_index import DocumentTypeIndex, MatchResult, RankedHit
from content.matching.snapshot import IndexSnapshotError, TypeIndexFlush

__all__ = [
    "DocumentTypeIndex",
    "IndexSnapshotError",
    "MatchResult",
    "RankedHit",
    "TypeIndexFlush",
]
