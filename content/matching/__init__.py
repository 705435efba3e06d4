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
  ``index: hnsw`` (kept in step with put/remove), for the node to persist.
"""

from __future__ import annotations

from content.matching.document_type_index import DocumentTypeIndex, MatchResult, RankedHit

__all__ = ["DocumentTypeIndex", "MatchResult", "RankedHit"]
