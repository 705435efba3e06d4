"""Document store snapshots: the serializer writes immutable bytes, the reader loads them.

Layout (little endian)::

    magic "VSPDDOC1" | serial u64 | entry count u64 | header CRC32 u32
    per entry: body length u32 | body CRC32 u32 | body
        body = timestamp u64 | lid i64 (-1: tombstone) | bucket u64 | id length u32 | id | data
    trailer: magic "VSPDEND1"

The serial says which transaction log records the snapshot already contains. A
snapshot is written with `Directory.write_atomic` (temp file, fsync, rename, fsync of
the directory), so a crash leaves the previous snapshot or this one, never a mix.

Two kinds of file share that layout. The *full* snapshot ``documents.snapshot`` holds
every entry. A *delta* ``documents-<serial, 20 digits>.delta`` holds only the entries
written since the flush before it, so a flush of a large store need not rewrite every
document (Vespa's document store likewise writes only new data; here the full snapshot
is rewritten only once the deltas hold half as many entries as the store). The state
at the newest serial is the full snapshot overlaid with each newer delta in serial
order, later entries replacing earlier ones of the same id. Deltas at or below the
full snapshot's serial are left over from a crash during cleanup and are ignored.
Tombstones pruned since the full snapshot are not recorded: loading may bring such an
old tombstone back, which only delays its pruning to the next flush.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from content.docstore.store import StoredDocument
from content.errors import SnapshotCorruptionError
from content.storage import Directory
from content.types import LocalDocId, SerialNum

SNAPSHOT_NAME = "documents.snapshot"
_DELTA_PREFIX = "documents-"
_DELTA_SUFFIX = ".delta"
_MAGIC = b"VSPDDOC1"
_TRAILER = b"VSPDEND1"
_HEADER = struct.Struct("<8sQQ")
_FRAME = struct.Struct("<II")
_BODY = struct.Struct("<QqQI")
_ENTRY_HEAD = struct.Struct("<IIQqQI")
"""An entry's frame and the fixed part of its body, read in one call."""
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a snapshot holds: the log serial it covers and the entries."""

    serial: SerialNum
    entries: list[StoredDocument]
    delta_entries: int = 0
    """Entries read from deltas newer than the full snapshot (duplicates counted)."""


def serialize_snapshot(serial: SerialNum, entries: list[StoredDocument]) -> Iterator[bytes]:
    """Yield the snapshot's bytes in chunks of about a megabyte."""
    header = _HEADER.pack(_MAGIC, serial, len(entries))
    yield header + zlib.crc32(header).to_bytes(4, "little")
    parts: list[bytes] = []
    size = 0
    for entry in entries:
        record = _encode_entry(entry)
        parts.append(record)
        size += len(record)
        if size >= _CHUNK_BYTES:
            yield b"".join(parts)
            parts, size = [], 0
    parts.append(_TRAILER)
    yield b"".join(parts)


def write_snapshot(directory: Directory, serial: SerialNum, entries: list[StoredDocument]) -> None:
    """Atomically replace the full snapshot in ``directory``, then delete the deltas it
    makes unnecessary (those at or below ``serial``)."""
    directory.write_atomic(SNAPSHOT_NAME, serialize_snapshot(serial, entries))
    for name, delta_serial in _deltas(directory):
        if delta_serial <= serial:
            directory.delete(name)


def write_delta(directory: Directory, serial: SerialNum, entries: list[StoredDocument]) -> None:
    """Atomically write a delta holding ``entries``, the state of their ids at ``serial``.

    Nothing is written for no entries: a flush with nothing new has the previous
    flush's serial, and its empty delta would replace that flush's delta, losing its
    writes at the next start.
    """
    if entries:
        directory.write_atomic(delta_name(serial), serialize_snapshot(serial, entries))


def delta_name(serial: int) -> str:
    """The file name of the delta written at ``serial``."""
    return f"{_DELTA_PREFIX}{serial:020d}{_DELTA_SUFFIX}"


def load_snapshot(directory: Directory) -> Snapshot | None:
    """The state in ``directory``: the full snapshot and the newer deltas over it, or
    None when there is neither yet.

    Raises:
        SnapshotCorruptionError: when a snapshot or a delta is damaged.
    """
    full = None
    if directory.exists(SNAPSHOT_NAME):
        full = read_snapshot(directory.read(SNAPSHOT_NAME), directory.describe(SNAPSHOT_NAME))
    base = SerialNum(0) if full is None else full.serial
    deltas = [(name, serial) for name, serial in _deltas(directory) if serial > base]
    if not deltas:
        return full
    merged = {} if full is None else {e.id: e for e in full.entries}
    counted = 0
    for name, _ in deltas:
        delta = read_snapshot(directory.read(name), directory.describe(name))
        merged.update((e.id, e) for e in delta.entries)
        counted += len(delta.entries)
        base = delta.serial
    return Snapshot(base, list(merged.values()), counted)


def _deltas(directory: Directory) -> list[tuple[str, SerialNum]]:
    """The delta files in ``directory`` with their serials, oldest first."""
    found = []
    for name in directory.list():
        digits = name[len(_DELTA_PREFIX) : -len(_DELTA_SUFFIX)]
        if name.startswith(_DELTA_PREFIX) and name.endswith(_DELTA_SUFFIX) and digits.isdigit():
            found.append((name, SerialNum(int(digits))))
    return sorted(found, key=lambda found_delta: found_delta[1])


def read_snapshot(data: bytes, path: str) -> Snapshot:
    """Decode snapshot bytes; ``path`` names the file in errors.

    Raises:
        SnapshotCorruptionError: on a bad magic, checksum, length or entry count.
    """
    head = _HEADER.size + 4
    if len(data) < head + len(_TRAILER):
        raise SnapshotCorruptionError(path, 0, f"file too short ({len(data)} bytes)")
    magic, serial, count = _HEADER.unpack_from(data, 0)
    if magic != _MAGIC or zlib.crc32(data[: _HEADER.size]) != int.from_bytes(
        data[_HEADER.size : head], "little"
    ):
        raise SnapshotCorruptionError(path, 0, "bad snapshot header")
    view = memoryview(data)
    entries: list[StoredDocument] = []
    offset = head
    end = len(data) - len(_TRAILER)
    for _ in range(count):
        entry, offset = _decode_entry(view, offset, end, path)
        entries.append(entry)
    if offset != end or data[end:] != _TRAILER:
        raise SnapshotCorruptionError(path, offset, f"expected the trailer after {count} entries")
    return Snapshot(SerialNum(serial), entries)


def _encode_entry(entry: StoredDocument) -> bytes:
    doc_id = entry.id.encode()
    lid = -1 if entry.lid is None else entry.lid
    body = (
        _BODY.pack(entry.timestamp, lid, entry.bucket, len(doc_id)) + doc_id + (entry.data or b"")
    )
    return _FRAME.pack(len(body), zlib.crc32(body)) + body


def _decode_entry(view: memoryview, offset: int, end: int, path: str) -> tuple[StoredDocument, int]:
    if offset + _ENTRY_HEAD.size > end:
        raise SnapshotCorruptionError(path, offset, "entry header cut short")
    length, crc, timestamp, lid, bucket, id_length = _ENTRY_HEAD.unpack_from(view, offset)
    start = offset + _FRAME.size
    stop = start + length
    id_start = start + _BODY.size
    id_end = id_start + id_length
    if stop > end or id_end > stop or zlib.crc32(view[start:stop]) != crc:
        raise SnapshotCorruptionError(path, offset, f"entry of {length} bytes fails its checksum")
    doc_id = str(view[id_start:id_end], "utf-8")
    if lid < 0:
        return StoredDocument(doc_id, timestamp, None, None, bucket), stop
    data = view[id_end:stop].tobytes()
    return StoredDocument(doc_id, timestamp, LocalDocId(lid), data, bucket), stop
