"""Shared set-up for content node tests: a schema, its config, a brute-force index."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from content.node import ContentNode, DocumentDatabase, StorageOptions
from content.storage import RamDirectory
from vespid.config import (
    ContentClusterConfig,
    ContentConfig,
    ContentNodeConfig,
    DocumentSummaryConfig,
    DocumentTypeRef,
    FieldConfig,
    SchemaConfig,
)
from vespid.messages import SearchRequest, item_from_json
from vespid.messages.query import TermItem, TrueItem

MUSIC = SchemaConfig(
    name="music",
    fields=(
        FieldConfig("title", "string", index=True, summary=True),
        FieldConfig("year", "int", attribute=True, summary=True),
        FieldConfig("tags", "array<string>", attribute=True),
        FieldConfig("title_copy", "string", summary=True, in_document=False, source="title"),
    ),
    document_summaries=(DocumentSummaryConfig("short", ("year", "title_copy")),),
)


def content_config(generation: int = 1, schema: SchemaConfig = MUSIC) -> ContentConfig:
    cluster = ContentClusterConfig(
        "music",
        document_types=(DocumentTypeRef(schema.name),),
        nodes=(ContentNodeConfig(0, "localhost", 19100),),
    )
    return ContentConfig(generation, clusters=(cluster,), schemas=(schema,))


@dataclass
class ScanHit:
    lid: int
    relevance: float
    sort_values: tuple[Any, ...] = ()
    match_features: dict[str, Any] | None = None
    summary_features: dict[str, Any] | None = None
    rank_features: dict[str, Any] | None = None


@dataclass
class ScanResult:
    hits: list[ScanHit]
    total_count: int


@dataclass
class ScanIndex:
    """A brute-force index: keeps every document and scans it for true and word terms."""

    schema: SchemaConfig
    docs: dict[int, dict[str, Any]] = field(default_factory=dict)

    def put(self, lid: int, fields: dict[str, Any]) -> None:
        self.docs[lid] = fields

    def remove(self, lid: int) -> None:
        del self.docs[lid]

    def search(self, request: SearchRequest) -> ScanResult:
        query = item_from_json(request.query)
        lids = sorted(lid for lid, fields in self.docs.items() if _matches(query, fields))
        hits = [ScanHit(lid, 1.0 / (1 + lid)) for lid in lids]
        return ScanResult(hits[: request.offset + request.hits], len(hits))


def _matches(query: object, fields: dict[str, Any]) -> bool:
    if isinstance(query, TrueItem):
        return True
    if isinstance(query, TermItem):
        return query.term.lower() in str(fields.get(query.field, "")).lower().split()
    raise AssertionError(f"ScanIndex cannot evaluate {query!r}")


@dataclass
class Storage:
    """A node's two directories, in RAM."""

    snapshots: RamDirectory = field(default_factory=RamDirectory)
    tlog: RamDirectory = field(default_factory=RamDirectory)

    def crash(self, rng: random.Random | None = None) -> Storage:
        """What a power loss leaves; with ``rng``, unsynced tails are torn at random."""
        return Storage(self.snapshots.crash(rng), self.tlog.crash(rng))


class Indexes:
    """Records the indexes a node builds, so tests can inspect them."""

    def __init__(self) -> None:
        self.built: list[ScanIndex] = []

    def __call__(self, schema: SchemaConfig) -> ScanIndex:
        index = ScanIndex(schema)
        self.built.append(index)
        return index


def open_node(
    storage: Storage,
    options: StorageOptions | None = None,
    indexes: Indexes | None = None,
    clock: Callable[[], float] = time.time,
) -> ContentNode:
    database = DocumentDatabase.open(storage.snapshots, storage.tlog, options, clock)
    database.start()
    node = ContentNode(database, "music", 0, indexes or Indexes())
    node.apply_config(content_config())
    return node
