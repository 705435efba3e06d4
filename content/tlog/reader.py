"""Reading segments back: decode records, and tell a torn tail from corruption.

Policy (Vespa's transaction log does the same): a crash may leave the last record of
the last segment incomplete — cut short, or its payload not matching its CRC, or a
zero-filled tail. Such a tail is reported so the log can truncate it. Any other damage
(a bad record followed by more data, a bad record in an older segment, a serial that
does not follow its predecessor) raises `TlogCorruptionError` with file and offset.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from enum import Enum

from content.errors import TlogCorruptionError
from content.tlog.format import HEADER, SEGMENT_MAGIC, LogRecord, header_ok
from content.types import SerialNum


@dataclass(frozen=True, slots=True)
class SegmentScan:
    """What a segment holds: its valid records and where the valid bytes end."""

    records: list[LogRecord]
    valid_length: int
    torn: str | None = None
    """Why the bytes after ``valid_length`` were not accepted; None when there are none."""

    @property
    def last_serial(self) -> SerialNum | None:
        """Serial of the last valid record, None for an empty segment."""
        return self.records[-1].serial if self.records else None


def scan_segment(data: bytes, path: str, first_serial: int, is_last: bool) -> SegmentScan:
    """Decode ``data`` (a whole segment file) whose first record must be ``first_serial``.

    ``is_last`` allows a torn tail; elsewhere every defect is corruption.

    Raises:
        TlogCorruptionError: damage that a crash cannot explain.
    """
    magic_len = len(SEGMENT_MAGIC)
    if len(data) < magic_len or data[:magic_len] != SEGMENT_MAGIC:
        if is_last and SEGMENT_MAGIC.startswith(data[:magic_len]):
            return SegmentScan([], 0, "segment header cut short")
        raise TlogCorruptionError(path, 0, "not a transaction log segment (bad magic)")
    records: list[LogRecord] = []
    offset = magic_len
    expected = first_serial
    view = memoryview(data)
    while offset < len(data):
        defect = _defect_at(view, offset, expected)
        if defect is not None:
            if is_last and _is_tail(view, offset, defect):
                return SegmentScan(records, offset, defect.message)
            raise TlogCorruptionError(path, offset, defect.message)
        length, serial, timestamp, _, _ = HEADER.unpack_from(view, offset)
        start = offset + HEADER.size
        records.append(LogRecord(serial, timestamp, bytes(view[start : start + length])))
        offset = start + length
        expected += 1
    return SegmentScan(records, offset)


class _Kind(Enum):
    SHORT = "short"
    HEADER = "header"
    PAYLOAD = "payload"
    SERIAL = "serial"


@dataclass(frozen=True, slots=True)
class _Defect:
    kind: _Kind
    message: str


def _defect_at(view: memoryview, offset: int, expected: int) -> _Defect | None:
    if len(view) - offset < HEADER.size:
        size = len(view) - offset
        return _Defect(_Kind.SHORT, f"record header cut short ({size} of {HEADER.size} bytes)")
    if not header_ok(view, offset):
        return _Defect(_Kind.HEADER, "record header checksum mismatch")
    length, serial, _, payload_crc, _ = HEADER.unpack_from(view, offset)
    start = offset + HEADER.size
    if start + length > len(view):
        got = len(view) - start
        return _Defect(_Kind.SHORT, f"record payload cut short ({got} of {length} bytes)")
    if zlib.crc32(view[start : start + length]) != payload_crc:
        return _Defect(_Kind.PAYLOAD, "record payload checksum mismatch")
    if serial != expected:
        return _Defect(_Kind.SERIAL, f"serial number {serial} where {expected} was expected")
    return None


def _is_tail(view: memoryview, offset: int, defect: _Defect) -> bool:
    """Whether a defect at ``offset`` can be a torn last write rather than damage."""
    if defect.kind is _Kind.SHORT or not any(view[offset:]):
        return True
    if defect.kind is _Kind.PAYLOAD:
        length = int.from_bytes(view[offset : offset + 4], "little")
        return offset + HEADER.size + length == len(view)
    return False
