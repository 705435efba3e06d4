"""The transaction log: every operation, framed and checksummed, synced before it is acked."""

from __future__ import annotations

from content.tlog.format import LogRecord
from content.tlog.group_commit import GroupCommitter
from content.tlog.log import DEFAULT_SEGMENT_BYTES, TransactionLog

__all__ = ["DEFAULT_SEGMENT_BYTES", "GroupCommitter", "LogRecord", "TransactionLog"]
