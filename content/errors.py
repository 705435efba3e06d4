"""The content node's own errors: storage corruption and I/O failures.

Errors a client must see (bad document, unknown type, not ready) are the shared
`vespid.errors` classes; these are about the node's disk and are answered as 500.
"""

from __future__ import annotations


class ContentError(Exception):
    """Root of the content node's internal errors."""


class CorruptionError(ContentError):
    """Stored bytes fail their checksum or framing where no torn write can explain it."""

    def __init__(self, path: str, offset: int, reason: str) -> None:
        super().__init__(f"{path}: corrupt data at offset {offset}: {reason}")
        self.path = path
        self.offset = offset
        self.reason = reason


class TlogCorruptionError(CorruptionError):
    """A transaction log segment is damaged before its tail, or records are missing."""


class SnapshotCorruptionError(CorruptionError):
    """A document store snapshot fails its checksum or is cut short."""


class TlogWriteError(ContentError):
    """Writing or syncing the transaction log failed; the node takes no more writes."""

    def __init__(self, path: str, cause: OSError) -> None:
        super().__init__(f"{path}: transaction log write failed: {cause}")
        self.path = path
        self.cause = cause
