"""Buckets and their contents, with document count and checksum.

The checksum of a bucket is the sum (mod 2^64) of a 64-bit hash of each live
document's (id, timestamp): order-independent, so two replicas holding the same
versions agree on it whatever order they saw writes in. Tombstones are counted apart
and are not in the checksum.

Counts are kept current on every write. The checksum is summed when `info` asks for
it and kept until the bucket changes: writes are the hot path (every put), while
replicas compare bucket info only when the cluster state changes, so a write costs no
hashing and a bucket is hashed at most once per comparison. `load` fills the database
from a whole document store at once (a restart): it groups entries by bucket and sorts
the bucket order once.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from vespid.bucket import BucketId

_U64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class BucketInfo:
    """What replicas compare: live documents, tombstones and the checksum."""

    document_count: int = 0
    removed_count: int = 0
    checksum: int = 0


@dataclass(frozen=True, slots=True)
class BucketEntry:
    """One document's version in a bucket."""

    id: str
    timestamp: int
    removed: bool


@dataclass(slots=True)
class _Bucket:
    id: BucketId
    key: int
    """The bucket's key (`BucketId.key`), computed once: visit order sorts by it."""
    entries: dict[str, tuple[int, bool]] = field(default_factory=dict)
    documents: int = 0
    removed: int = 0
    checksum: int | None = None
    """None when not summed since the bucket last changed."""


def entry_hash(doc_id: str, timestamp: int) -> int:
    """The 64-bit hash of one (id, timestamp) pair that checksums add up."""
    digest = hashlib.blake2b(doc_id.encode(), digest_size=8, salt=timestamp.to_bytes(16, "little"))
    return int.from_bytes(digest.digest(), "little")


class BucketDatabase:
    """Per bucket: which document versions it holds, counts and checksum."""

    def __init__(self) -> None:
        self._buckets: dict[BucketId, _Bucket] = {}
        self._order: list[int] = []
        self._by_key: dict[int, BucketId] = {}

    def __len__(self) -> int:
        """Number of buckets holding at least one entry."""
        return len(self._buckets)

    def set(self, bucket: BucketId, doc_id: str, timestamp: int, removed: bool) -> None:
        """Record that ``bucket`` holds ``doc_id`` at ``timestamp`` (a tombstone if removed)."""
        state = self._buckets.get(bucket)
        if state is None:
            state = self._buckets[bucket] = _Bucket(bucket, bucket.key)
            bisect.insort(self._order, state.key)
            self._by_key[state.key] = bucket
        self._forget(state, doc_id)
        state.entries[doc_id] = (timestamp, removed)
        if removed:
            state.removed += 1
        else:
            state.documents += 1
            state.checksum = None

    def load(self, distribution_bits: int, rows: Iterable[tuple[int, str, int, bool]]) -> None:
        """Add many entries at once: ``(full bucket id bits, doc id, timestamp, removed)``.

        The database must be empty and each document id must appear once.

        Raises:
            ValueError: when the database is not empty.
        """
        if self._buckets:
            raise ValueError("load needs an empty bucket database")
        mask = (1 << distribution_bits) - 1
        states: dict[int, _Bucket] = {}
        for full, doc_id, timestamp, removed in rows:
            location = full & mask
            state = states.get(location)
            if state is None:
                bucket = BucketId(distribution_bits, full)
                state = states[location] = _Bucket(bucket, bucket.key)
            state.entries[doc_id] = (timestamp, removed)
            if removed:
                state.removed += 1
            else:
                state.documents += 1
        for state in states.values():
            self._buckets[state.id] = state
            self._by_key[state.key] = state.id
        self._order = sorted(self._by_key)

    def drop(self, bucket: BucketId, doc_id: str) -> None:
        """Forget ``doc_id`` in ``bucket`` entirely (a pruned tombstone)."""
        state = self._buckets.get(bucket)
        if state is None:
            return
        self._forget(state, doc_id)
        if not state.entries:
            del self._buckets[bucket], self._by_key[state.key]
            self._order.pop(bisect.bisect_left(self._order, state.key))

    def info(self, bucket: BucketId) -> BucketInfo:
        """Counts and checksum of ``bucket`` (zeros for an empty bucket)."""
        state = self._buckets.get(bucket)
        if state is None:
            return BucketInfo()
        if state.checksum is None:
            entries = state.entries.items()
            hashes = (entry_hash(i, ts) for i, (ts, removed) in entries if not removed)
            state.checksum = sum(hashes) & _U64
        return BucketInfo(state.documents, state.removed, state.checksum)

    def buckets(self, after: BucketId | None = None) -> Iterator[BucketId]:
        """Non-empty buckets in bucket-key order, starting after ``after`` when given."""
        start = 0 if after is None else bisect.bisect_right(self._order, after.key)
        return (self._by_key[key] for key in self._order[start:])

    def entries(self, bucket: BucketId) -> list[BucketEntry]:
        """The entries of ``bucket``, sorted by document id."""
        state = self._buckets.get(bucket)
        if state is None:
            return []
        return [BucketEntry(i, ts, rm) for i, (ts, rm) in sorted(state.entries.items())]

    def _forget(self, state: _Bucket, doc_id: str) -> None:
        old = state.entries.pop(doc_id, None)
        if old is None:
            return
        if old[1]:
            state.removed -= 1
        else:
            state.documents -= 1
            state.checksum = None
