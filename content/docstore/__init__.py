"""The document store: every document's newest version, tombstones, and local ids.

`DocumentStore` is the in-memory writer; `snapshot` serializes it to immutable bytes
and reads those back (Tantivy's writer / serializer / reader split).
"""

from __future__ import annotations

from content.docstore.lids import LidAllocator
from content.docstore.snapshot import (
    SNAPSHOT_NAME,
    Snapshot,
    delta_name,
    load_snapshot,
    read_snapshot,
    serialize_snapshot,
    write_delta,
    write_snapshot,
)
from content.docstore.store import Change, DocumentStore, StoredDocument

__all__ = [
    "SNAPSHOT_NAME",
    "Change",
    "DocumentStore",
    "LidAllocator",
    "Snapshot",
    "StoredDocument",
    "delta_name",
    "load_snapshot",
    "read_snapshot",
    "serialize_snapshot",
    "write_delta",
    "write_snapshot",
]
