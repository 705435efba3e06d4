"""Local document ids: dense small integers, the lowest free one handed out first.

Attributes and indexes are arrays indexed by local id, so ids must stay compact: a
removed document's id is reused by the next put (Vespa's ``LidAllocator``).
"""

from __future__ import annotations

import heapq

from content.types import LocalDocId


class LidAllocator:
    """Hands out the lowest free local id; `release` makes one free again.

    Free ids sit in a min-heap, and in a set for the membership checks of `release`.
    """

    def __init__(self) -> None:
        self._limit = 0
        self._heap: list[int] = []
        self._free: set[int] = set()

    @property
    def limit(self) -> int:
        """One more than the highest id ever handed out (the size arrays need)."""
        return self._limit

    @property
    def used(self) -> int:
        """How many ids are in use."""
        return self._limit - len(self._free)

    def allocate(self) -> LocalDocId:
        """Return the lowest free id."""
        while self._heap:
            lid = heapq.heappop(self._heap)
            if lid in self._free:
                self._free.discard(lid)
                return LocalDocId(lid)
        self._limit += 1
        return LocalDocId(self._limit - 1)

    def reserve_all(self, lids: list[int]) -> None:
        """Mark ``lids`` as used in an allocator that has handed out none (loading a
        snapshot): one pass instead of one `reserve` each.

        Raises:
            ValueError: when the allocator is not new or a lid appears twice.
        """
        if self._limit:
            raise ValueError("reserve_all needs a new allocator")
        used = set(lids)
        if len(used) != len(lids):
            raise ValueError("a local id appears twice")
        self._limit = max(used) + 1 if used else 0
        self._free = set(range(self._limit)) - used
        self._heap = sorted(self._free)  # a sorted list is a valid min-heap

    def release(self, lid: LocalDocId) -> None:
        """Make ``lid`` free for reuse.

        Raises:
            ValueError: when ``lid`` is not in use.
        """
        if not 0 <= lid < self._limit or lid in self._free:
            raise ValueError(f"local id {lid} is not in use")
        heapq.heappush(self._heap, lid)
        self._free.add(lid)
