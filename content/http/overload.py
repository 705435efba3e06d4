"""Back-pressure for writes: a limit on the writes a node holds that are not yet durable.

A write is *pending* from the moment the node accepts it until it is acknowledged
(applied and synced by a group commit). When the disk or the node falls behind, the
pending writes pile up; past ``limit`` the node refuses more with `OverloadError`
(HTTP 429 to the container, and from the container to the feed client, which retries
later), as Vespa's document API answers "Rejecting execution due to overload" when
its queue is full. A batch is admitted in part: its first operations up to the limit
are applied, the rest refused one by one.
"""

from __future__ import annotations

from vespid.errors import OverloadError

DEFAULT_MAX_PENDING_WRITES = 4096
"""Enough for every connection of a few busy containers; a disk that keeps up never
lets this many writes wait for one sync."""


class PendingWrites:
    """Counts the pending writes of one node and admits new ones up to ``limit``."""

    def __init__(self, limit: int = DEFAULT_MAX_PENDING_WRITES) -> None:
        if limit < 1:
            raise ValueError(f"the pending-write limit must be at least 1, got {limit}")
        self.limit = limit
        self.pending = 0

    def admit(self, wanted: int) -> int:
        """Admit up to ``wanted`` more writes; return how many were (the caller releases them)."""
        admitted = max(0, min(wanted, self.limit - self.pending))
        self.pending += admitted
        return admitted

    def release(self, count: int) -> None:
        """``count`` admitted writes were answered (acknowledged or failed)."""
        self.pending -= count

    def refusal(self) -> OverloadError:
        """The error for a write that was not admitted, in Vespa's words."""
        return OverloadError(
            f"Rejecting execution due to overload: {self.limit} requests already enqueued"
        )
