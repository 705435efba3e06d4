"""The transaction log writer: numbered records appended to rotating segment files.

Writers call `append` (cheap: frames the record into a pending buffer and returns its
serial number); one committer calls `commit`, which writes every pending record and
syncs once — concurrent writers share that sync (group commit, see `group_commit`).
`open` validates what is on disk, truncates a torn tail (logging what it cut) and
continues the numbering; `replay` yields the records after a flushed serial; `prune`
deletes segments that a snapshot has made unnecessary.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from content.errors import TlogCorruptionError, TlogWriteError
from content.storage import AppendFile, Directory
from content.tlog.format import (
    SEGMENT_MAGIC,
    LogRecord,
    encode_record,
    parse_segment_name,
    segment_name,
)
from content.tlog.reader import scan_segment
from content.types import SerialNum

log = logging.getLogger(__name__)

DEFAULT_SEGMENT_BYTES = 8 << 20


@dataclass(slots=True)
class _Segment:
    name: str
    first: SerialNum
    last: SerialNum
    """Serial of the last record; ``first - 1`` while the segment is empty."""


class TransactionLog:
    """An append-only, checksummed, segmented log of operations. Build it with `open`."""

    def __init__(
        self,
        directory: Directory,
        segments: list[_Segment],
        last_serial: SerialNum,
        segment_bytes: int,
    ) -> None:
        if segment_bytes <= 0:
            raise ValueError(f"segment_bytes must be positive, got {segment_bytes}")
        self._directory = directory
        self._segments = segments
        self._segment_bytes = segment_bytes
        self._last_serial = last_serial
        self._durable_serial = last_serial
        self._pending: list[bytes] = []
        self._pending_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._current: AppendFile | None = None
        self._failure: TlogWriteError | None = None
        self.appended_bytes = 0
        """Bytes appended since `open`; the node's flush policy reads it."""

    @classmethod
    def open(
        cls,
        directory: Directory,
        flushed_serial: int = 0,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
    ) -> TransactionLog:
        """Validate the segments in ``directory`` and continue after their last record.

        ``flushed_serial`` is the serial a snapshot already covers: the log must hold
        every record after it, and numbering continues after it when the log is empty.

        Raises:
            TlogCorruptionError: on damage before the tail, or when records are missing.
        """
        names = sorted(
            (first, name)
            for name in directory.list()
            if (first := parse_segment_name(name)) is not None
        )
        segments: list[_Segment] = []
        expected = SerialNum(flushed_serial + 1)
        for index, (first, name) in enumerate(names):
            if first > expected:
                raise TlogCorruptionError(
                    directory.describe(name), 0, f"records {expected}..{first - 1} are missing"
                )
            is_last = index == len(names) - 1
            scan = scan_segment(directory.read(name), directory.describe(name), first, is_last)
            if scan.torn is not None:
                log.warning(
                    "transaction log %s: truncating torn tail at offset %d: %s",
                    directory.describe(name),
                    scan.valid_length,
                    scan.torn,
                )
                directory.truncate(name, scan.valid_length)
            last = scan.last_serial if scan.last_serial is not None else SerialNum(first - 1)
            segments.append(_Segment(name, first, last))
            expected = SerialNum(max(expected, last + 1))
        return cls(directory, segments, SerialNum(expected - 1), segment_bytes)

    @property
    def last_serial(self) -> SerialNum:
        """Serial of the newest appended record (durable or not)."""
        return self._last_serial

    @property
    def durable_serial(self) -> SerialNum:
        """Serial up to which every record is synced to disk."""
        return self._durable_serial

    def replay(self, after: SerialNum) -> Iterator[LogRecord]:
        """Yield the durable records with serial greater than ``after``, in order."""
        for segment in list(self._segments):
            if segment.last <= after:
                continue
            path = self._directory.describe(segment.name)
            data = self._directory.read(segment.name)
            for record in scan_segment(data, path, segment.first, is_last=True).records:
                if after < record.serial <= self._durable_serial:
                    yield record

    def append(self, timestamp: int, payload: bytes) -> SerialNum:
        """Frame a record into the pending buffer and return its serial number.

        Raises:
            TlogWriteError: when an earlier write or sync failed.
        """
        if self._failure is not None:
            raise self._failure
        with self._pending_lock:
            serial = SerialNum(self._last_serial + 1)
            frame = encode_record(serial, timestamp, payload)
            self._pending.append(frame)
            self._last_serial = serial
        self.appended_bytes += len(frame)
        return serial

    def commit(self) -> SerialNum:
        """Write every pending record, sync once, and return the new durable serial.

        Raises:
            TlogWriteError: the write or sync failed; the log accepts nothing more.
        """
        with self._write_lock:
            if self._failure is not None:
                raise self._failure
            with self._pending_lock:
                frames, self._pending = self._pending, []
                last = self._last_serial
            if not frames:
                return self._durable_serial
            first = SerialNum(last - len(frames) + 1)
            file = self._writable(first)
            try:
                file.write(b"".join(frames))
                file.sync()
            except OSError as e:
                self._failure = TlogWriteError(self._directory.describe(file.name), e)
                raise self._failure from e
            self._segments[-1].last = last
            self._durable_serial = last
            return last

    def prune(self, flushed: SerialNum) -> int:
        """Delete closed segments whose records are all at or below ``flushed``.

        Returns the number of segments deleted.
        """
        with self._write_lock:
            doomed = [s for s in self._segments[:-1] if s.last <= flushed]
            for segment in doomed:
                self._directory.delete(segment.name)
                self._segments.remove(segment)
            return len(doomed)

    def close(self) -> None:
        """Commit what is pending (unless the log has failed) and close the current segment."""
        if self._failure is None:
            self.commit()
        with self._write_lock:
            if self._current is not None:
                self._current.close()
                self._current = None

    def _writable(self, first: SerialNum) -> AppendFile:
        """The segment file to write records from ``first`` into, rotating when full."""
        if self._current is None and self._segments:
            self._current = self._reopen_last(first)
        if self._current is not None and self._current.size < self._segment_bytes:
            return self._current
        if self._current is not None:
            self._current.close()
            self._current = None
        name = segment_name(first)
        try:
            file = self._directory.append(name)
            file.write(SEGMENT_MAGIC)
            file.sync()
        except OSError as e:
            self._failure = TlogWriteError(self._directory.describe(name), e)
            raise self._failure from e
        self._segments.append(_Segment(name, first, SerialNum(first - 1)))
        self._current = file
        return file

    def _reopen_last(self, first: SerialNum) -> AppendFile | None:
        """The newest segment opened for appending, when records from ``first`` fit on."""
        last = self._segments[-1]
        if last.last + 1 != first:
            return None
        file = self._directory.append(last.name)
        if file.size == 0:
            file.write(SEGMENT_MAGIC)
        return file
