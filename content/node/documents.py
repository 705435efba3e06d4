"""The durable document database: transaction log + document store + bucket database.

Every write is appended to the transaction log, applied to the document store and the
bucket database at once (readers see it), and acknowledged when the caller has awaited
`durable` for its serial. `open` loads the newest snapshot and replays the log tail;
`flush` writes a snapshot and prunes the log behind it: a delta of the entries written
since the previous flush, or a full snapshot once the deltas hold half as many entries
as the store (`content.docstore.snapshot`), so a flush costs about what was written
since the last one rather than the whole store. The node registers a
listener to keep its search indexes in step with every applied change, and a *flush
target* so that each flush also snapshots the search side at the same serial; the log is
pruned only once every target has written. A flush starts when the log has grown by
``flush_bytes`` since the last one, or when the targets hold more than
``memory_budget`` bytes of unflushed writes in memory.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from content.bucketdb import BucketDatabase, bucket_at, full_bucket
from content.docstore import (
    SNAPSHOT_NAME,
    Change,
    DocumentStore,
    StoredDocument,
    load_snapshot,
    write_delta,
    write_snapshot,
)
from content.errors import ContentError
from content.node import operations
from content.storage import Directory
from content.tlog import DEFAULT_SEGMENT_BYTES, GroupCommitter, TransactionLog
from content.types import SerialNum
from vespid.bucket import BucketId
from vespid.document import DocumentId

log = logging.getLogger(__name__)

ChangeListener = Callable[[Change, "dict[str, Any] | None"], None]
"""Called with each applied change and, when the writer has it, the decoded document."""


@dataclass(frozen=True, slots=True)
class StorageOptions:
    """Knobs of the document database."""

    segment_bytes: int = DEFAULT_SEGMENT_BYTES
    """Size at which a transaction log segment is closed and a new one started."""
    flush_bytes: int = 64 << 20
    """Log bytes written since the last snapshot that trigger a flush."""
    memory_budget: int = 512 << 20
    """Unflushed in-memory bytes of the flush targets (the text indexes' memory parts)
    that trigger a flush."""
    tombstone_ttl: float = 14 * 24 * 3600.0
    """Seconds a tombstone is kept so replicas can learn of the remove (Vespa: 2 weeks)."""
    distribution_bits: int = 16

    def __post_init__(self) -> None:
        if self.flush_bytes <= 0 or self.memory_budget <= 0 or self.tombstone_ttl < 0:
            raise ValueError(
                "flush_bytes and memory_budget must be positive and tombstone_ttl not negative"
            )


class FlushJob(Protocol):
    """A flush target's part of one flush, holding its state at the flush's serial."""

    def write(self) -> None:
        """Write the snapshot files (runs in a worker thread)."""

    def finish(self) -> None:
        """Back on the event loop once written: switch to what was written."""


class FlushTarget(Protocol):
    """In-memory state that is snapshotted with every flush (the search indexes)."""

    @property
    def unflushed_bytes(self) -> int:
        """Memory held by writes since the last flush."""
        ...

    def start_flush(self, serial: SerialNum) -> FlushJob:
        """Take the state after record ``serial``, now, without waiting."""
        ...


@dataclass(frozen=True, slots=True)
class Recovered:
    """What opening the database restored, for flush targets that load their own snapshots."""

    serial: SerialNum
    """The serial of the document store snapshot loaded (0: none)."""
    changes: list[Change]
    """What the log replay after it changed, in log order (ignored operations left out)."""


class DocumentDatabase:
    """Documents with timestamps and tombstones, by id, by local id and by bucket."""

    def __init__(
        self,
        snapshots: Directory,
        tlog: TransactionLog,
        store: DocumentStore,
        options: StorageOptions,
        clock: Callable[[], float],
        full_snapshot: bool = False,
        delta_entries: int = 0,
    ) -> None:
        self._snapshots = snapshots
        self.tlog = tlog
        self.store = store
        self.options = options
        self.buckets = self._bucket_database()
        self._clock = clock
        self._committer = GroupCommitter(tlog)
        self._listeners: list[ChangeListener] = []
        self._targets: list[FlushTarget] = []
        self.recovered = Recovered(SerialNum(0), [])
        self._last_timestamp = 0
        self._flushed_bytes = 0
        self._flush_task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        self._full_snapshot = full_snapshot
        """Whether a full snapshot exists (the first flush writes one)."""
        self._delta_entries = delta_entries
        """Entries in the deltas written since the full snapshot."""
        self._dirty: dict[str, None] = {}
        """Ids written since the last flush (an ordered set): what the next delta holds."""
        self._last_timestamp = max((e.timestamp for e in store.entries()), default=0)

    @classmethod
    def open(
        cls,
        snapshots: Directory,
        log_directory: Directory,
        options: StorageOptions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> DocumentDatabase:
        """Load the snapshot, validate the log and replay the records after the snapshot.

        Raises:
            SnapshotCorruptionError, TlogCorruptionError: when stored data is damaged.
        """
        options = options or StorageOptions()
        store = DocumentStore()
        snapshot = load_snapshot(snapshots)
        flushed = SerialNum(0)
        if snapshot is not None:
            flushed = snapshot.serial
            store.restore_all(snapshot.entries)
        tlog = TransactionLog.open(log_directory, flushed, options.segment_bytes)
        full = snapshots.exists(SNAPSHOT_NAME)
        deltas = 0 if snapshot is None else snapshot.delta_entries
        database = cls(snapshots, tlog, store, options, clock, full, deltas)
        replayed = database._replay(flushed)
        database.recovered = Recovered(flushed, database.recovered.changes)
        log.info(
            "document database opened: %d documents, %d tombstones, %d log records replayed",
            len(store),
            store.tombstone_count,
            replayed,
        )
        return database

    def add_listener(self, listener: ChangeListener) -> None:
        """Call ``listener`` with every change applied from now on."""
        self._listeners.append(listener)

    @property
    def snapshots(self) -> Directory:
        """Where snapshots are written (flush targets write theirs there too)."""
        return self._snapshots

    def add_flush_target(self, target: FlushTarget) -> None:
        """Snapshot ``target`` with every flush from now on."""
        self._targets.append(target)

    def next_timestamp(self) -> int:
        """A fresh timestamp: microseconds now, strictly above every earlier one."""
        self._last_timestamp = max(int(self._clock() * 1_000_000), self._last_timestamp + 1)
        return self._last_timestamp

    def start(self) -> None:
        """Start group commit (needs a running event loop)."""
        self._committer.start()

    def put(
        self,
        op: str,
        doc_id: DocumentId,
        data: bytes,
        timestamp: int,
        fields: dict[str, Any] | None = None,
    ) -> tuple[SerialNum, Change]:
        """Log and apply a put (or an update's result); await `durable` before acking.

        ``data`` is the encoded document; ``fields`` the same decoded, when at hand.
        """
        text = str(doc_id)
        serial = self.tlog.append(timestamp, operations.encode_write(op, text, data))
        change = self.store.put(text, timestamp, data, full_bucket(doc_id))
        return serial, self._apply(change, fields)

    def remove(self, doc_id: DocumentId, timestamp: int) -> tuple[SerialNum, Change]:
        """Log and apply a remove; await `durable` before acking."""
        text = str(doc_id)
        serial = self.tlog.append(timestamp, operations.encode_remove(text))
        change = self.store.remove(text, timestamp, full_bucket(doc_id))
        return serial, self._apply(change, None)

    async def durable(self, serial: SerialNum) -> None:
        """Return once the record ``serial`` is synced; may start a flush.

        Raises:
            TlogWriteError: the log cannot be written.
        """
        await self._committer.durable(serial)
        if self._flush_task is None and self._flush_due():
            self._flush_task = asyncio.get_running_loop().create_task(self._background_flush())

    async def flush(self) -> SerialNum:
        """Write a snapshot of everything logged so far, then prune the log behind it."""
        async with self._flush_lock:
            return await self._flush()

    async def _flush(self) -> SerialNum:
        await self._committer.durable(self.tlog.last_serial)
        # From here to taking the entries nothing awaits: they are exactly the state
        # after record `serial` (a put racing in later waits for the next flush).
        serial = self.tlog.last_serial
        horizon = int((self._clock() - self.options.tombstone_ttl) * 1_000_000)
        for entry in self.store.prune_tombstones(horizon):
            self.buckets.drop(self._bucket(entry), entry.id)
        dirty, self._dirty = self._dirty, {}
        stored = len(self.store) + self.store.tombstone_count
        full = not self._full_snapshot or 2 * (self._delta_entries + len(dirty)) >= stored
        if full:
            entries = self.store.copy_entries()
        else:
            entries = [e for i in dirty if (e := self.store.get(i)) is not None]
        jobs = [target.start_flush(serial) for target in self._targets]
        appended = self.tlog.appended_bytes
        try:
            write = write_snapshot if full else write_delta
            await asyncio.to_thread(write, self._snapshots, serial, entries)
        except BaseException:
            self._dirty = dirty | self._dirty  # not written: the next flush must write them
            raise
        self._full_snapshot = self._full_snapshot or full
        self._delta_entries = 0 if full else self._delta_entries + len(entries)
        for job in jobs:
            await asyncio.to_thread(job.write)
            job.finish()
        pruned = await asyncio.to_thread(self.tlog.prune, serial)
        self._flushed_bytes = appended
        kind = "full snapshot" if full else "delta"
        log.info(
            "flushed a %s of %d entries at serial %d; pruned %d log segments",
            kind,
            len(entries),
            serial,
            pruned,
        )
        return serial

    async def aclose(self) -> None:
        """Finish a running flush, sync the log and close it."""
        if self._flush_task is not None:
            await self._flush_task
        await self._committer.aclose()
        await asyncio.to_thread(self.tlog.close)

    def rebucket(self, distribution_bits: int) -> None:
        """Rebuild the bucket database for a cluster using ``distribution_bits`` bits."""
        if distribution_bits == self.options.distribution_bits:
            return
        self.options = dataclasses.replace(self.options, distribution_bits=distribution_bits)
        self.buckets = self._bucket_database()

    def _bucket_database(self) -> BucketDatabase:
        """A bucket database of every stored entry, at the current distribution bits."""
        rows = ((e.bucket, e.id, e.timestamp, e.removed) for e in self.store.entries())
        buckets = BucketDatabase()
        buckets.load(self.options.distribution_bits, rows)
        return buckets

    def _replay(self, flushed: SerialNum) -> int:
        count = 0
        for record in self.tlog.replay(flushed):
            where = f"transaction log record {record.serial}"
            operation = operations.decode(record.payload, where)
            bucket = full_bucket(operation.id)
            if operation.fields is None:
                change = self.store.remove(operation.id, record.timestamp, bucket)
            else:
                change = self.store.put(operation.id, record.timestamp, operation.fields, bucket)
            if self._apply(change, None).current is not None:
                self.recovered.changes.append(change)
            self._last_timestamp = max(self._last_timestamp, record.timestamp)
            count += 1
        return count

    def _apply(self, change: Change, fields: dict[str, Any] | None) -> Change:
        current = change.current
        if current is not None:
            self._dirty[current.id] = None
            self._track(current)
            for listener in self._listeners:
                listener(change, fields)
        return change

    def _track(self, entry: StoredDocument) -> None:
        self.buckets.set(self._bucket(entry), entry.id, entry.timestamp, entry.removed)

    def _bucket(self, entry: StoredDocument) -> BucketId:
        return bucket_at(entry.bucket, self.options.distribution_bits)

    @property
    def flush_target_bytes(self) -> int:
        """Memory the flush targets hold in writes since the last flush."""
        return sum(t.unflushed_bytes for t in self._targets)

    def _flush_due(self) -> bool:
        if self.tlog.appended_bytes - self._flushed_bytes >= self.options.flush_bytes:
            return True
        return self.flush_target_bytes >= self.options.memory_budget

    async def _background_flush(self) -> None:
        try:
            await self.flush()
        except (OSError, ContentError) as e:
            log.error("flush failed, the log keeps growing until one succeeds: %s", e)
        finally:
            self._flush_task = None
