"""The transaction log's on-disk format: segment files of framed records.

A segment file is named after the serial number of its first record
(``tlog-00000000000000000001.log``) and starts with an 8-byte magic. Each record is a
28-byte header followed by the payload::

    payload length  u32   little endian
    serial number   u64
    timestamp       u64   microseconds, the operation's document timestamp
    payload CRC32   u32   zlib.crc32 of the payload
    header CRC32    u32   zlib.crc32 of the 24 bytes above

The header has its own checksum so that a damaged length is never trusted: a reader
can tell a record cut short by a crash (trusted header, too few bytes) from damage.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from content.types import SerialNum

SEGMENT_MAGIC = b"VSPDTLG1"
HEADER = struct.Struct("<IQQII")
_CHECKED = struct.Struct("<IQQI")
MAX_PAYLOAD = 1 << 30
_PREFIX = "tlog-"
_SUFFIX = ".log"


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One logged operation."""

    serial: SerialNum
    timestamp: int
    payload: bytes


def encode_record(serial: int, timestamp: int, payload: bytes) -> bytes:
    """Return the framed bytes of one record."""
    checked = _CHECKED.pack(len(payload), serial, timestamp, zlib.crc32(payload))
    return checked + zlib.crc32(checked).to_bytes(4, "little") + payload


def header_ok(data: bytes | memoryview, offset: int) -> bool:
    """Whether the header at ``offset`` (HEADER.size bytes must be there) checks out."""
    stored = int.from_bytes(data[offset + 24 : offset + 28], "little")
    return zlib.crc32(data[offset : offset + 24]) == stored


def segment_name(first_serial: int) -> str:
    """The file name of a segment whose first record has ``first_serial``."""
    return f"{_PREFIX}{first_serial:020d}{_SUFFIX}"


def parse_segment_name(name: str) -> SerialNum | None:
    """The first serial a segment file name encodes, None for other files."""
    if not (name.startswith(_PREFIX) and name.endswith(_SUFFIX)):
        return None
    digits = name[len(_PREFIX) : -len(_SUFFIX)]
    return SerialNum(int(digits)) if digits.isdigit() else None
