"""The in-memory document store: the newest version of each document, by id and by lid.

Each document id has one entry: a live document (local id, timestamp, fields as
compact JSON bytes) or a tombstone (timestamp only). An operation older than the
stored entry is ignored — replicas converge on the newest timestamp whatever the
order operations arrive in. Entries are immutable; a snapshot copies the references.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from content.docstore.lids import LidAllocator
from content.types import LocalDocId


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document version, or a tombstone when ``lid`` and ``data`` are None."""

    id: str
    timestamp: int
    lid: LocalDocId | None
    data: bytes | None
    """The fields as compact JSON (canonical values), None for a tombstone."""
    bucket: int
    """The id bits of the document's full bucket (58 used bits): its bucket at any
    number of distribution bits, computed once when it was written."""

    @property
    def removed(self) -> bool:
        """Whether this entry is a tombstone."""
        return self.data is None


@dataclass(frozen=True, slots=True)
class Change:
    """What an operation did: the entry before it and after it.

    ``current`` is None when the operation was older than ``previous`` and was ignored.
    """

    previous: StoredDocument | None
    current: StoredDocument | None


class DocumentStore:
    """Documents and tombstones by id, live documents also by local id."""

    def __init__(self) -> None:
        self._entries: dict[str, StoredDocument] = {}
        self._by_lid: list[StoredDocument | None] = []
        self._lids = LidAllocator()
        self._removed: dict[str, None] = {}
        """The ids of tombstones (an ordered set): pruning looks at these only, not at
        every document, because it runs on the event loop at each flush."""

    def __len__(self) -> int:
        """Number of live documents."""
        return self._lids.used

    @property
    def tombstone_count(self) -> int:
        """Number of tombstones kept."""
        return len(self._removed)

    @property
    def lid_limit(self) -> int:
        """One more than the highest local id in use or free."""
        return self._lids.limit

    def get(self, doc_id: str) -> StoredDocument | None:
        """The entry for ``doc_id`` (a tombstone too), or None."""
        return self._entries.get(doc_id)

    def by_lid(self, lid: int) -> StoredDocument | None:
        """The live document with local id ``lid``, or None."""
        return self._by_lid[lid] if 0 <= lid < len(self._by_lid) else None

    def entries(self) -> Iterator[StoredDocument]:
        """Every entry, live and removed, in no particular order."""
        return iter(self._entries.values())

    def copy_entries(self) -> list[StoredDocument]:
        """A stable list of every entry (for a snapshot taken while writes go on)."""
        return list(self._entries.values())

    def put(self, doc_id: str, timestamp: int, data: bytes, bucket: int) -> Change:
        """Store ``data`` as the version of ``doc_id`` (in ``bucket``) at ``timestamp``."""
        previous = self._entries.get(doc_id)
        if previous is not None and previous.timestamp >= timestamp:
            return Change(previous, None)
        if previous is not None and previous.lid is not None:
            lid = previous.lid
        else:
            lid = self._lids.allocate()
        return self._install(previous, StoredDocument(doc_id, timestamp, lid, data, bucket))

    def remove(self, doc_id: str, timestamp: int, bucket: int) -> Change:
        """Replace ``doc_id`` with a tombstone at ``timestamp`` (also when it is missing)."""
        previous = self._entries.get(doc_id)
        if previous is not None and previous.timestamp >= timestamp:
            return Change(previous, None)
        if previous is not None and previous.lid is not None:
            self._lids.release(previous.lid)
        return self._install(previous, StoredDocument(doc_id, timestamp, None, None, bucket))

    def restore_all(self, entries: list[StoredDocument]) -> None:
        """Fill an empty store with ``entries`` at their own local ids (loading a
        snapshot): what `restore` does for each, in bulk.

        Raises:
            ValueError: when the store is not empty, or an id or local id repeats.
        """
        if self._entries:
            raise ValueError("restore_all needs an empty store")
        by_id = {e.id: e for e in entries}
        if len(by_id) != len(entries):
            raise ValueError("a document id appears twice")
        live = [e for e in entries if e.lid is not None]
        self._lids.reserve_all([e.lid for e in live if e.lid is not None])
        self._by_lid = [None] * self._lids.limit
        for entry in live:
            assert entry.lid is not None
            self._by_lid[entry.lid] = entry
        self._removed = {e.id: None for e in entries if e.data is None}
        self._entries = by_id

    def prune_tombstones(self, older_than: int) -> list[StoredDocument]:
        """Forget tombstones with a timestamp below ``older_than``; return them."""
        entries = self._entries
        doomed = [entries[i] for i in self._removed if entries[i].timestamp < older_than]
        for entry in doomed:
            del entries[entry.id], self._removed[entry.id]
        return doomed

    def _install(self, previous: StoredDocument | None, current: StoredDocument) -> Change:
        if previous is not None and previous.lid is not None and previous.lid != current.lid:
            self._by_lid[previous.lid] = None
        if current.lid is not None:
            if current.lid >= len(self._by_lid):
                self._by_lid.extend([None] * (current.lid + 1 - len(self._by_lid)))
            self._by_lid[current.lid] = current
        if previous is not None and previous.removed:
            del self._removed[previous.id]
        if current.removed:
            self._removed[current.id] = None
        self._entries[current.id] = current
        return Change(previous, current)
