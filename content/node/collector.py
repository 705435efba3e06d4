"""How a content node process uses CPython's cyclic garbage collector.

A content node keeps millions of long-lived objects (stored documents, posting
entries, bucket entries), and its write path makes no reference cycles: reference
counting frees what a write throws away. CPython's generational collector still
rescans the long-lived objects, and at its default thresholds (700, 10, 10) that cost
grows with the store: at 100,000 documents it was 40-60% of a put's CPU time
(docs/performance.md, issue 5). So whenever the node has settled into a new state (its
store loaded and indexes built for a config generation), `settle_long_lived_objects`
*freezes* every tracked object (the collector never scans them again; reference
counting still frees them) and collects young objects every
`YOUNG_COLLECTION_THRESHOLD` allocations instead of every 700. Cycles made later are
still collected. From the second time on it first unfreezes and collects everything
once, so whatever the previous config generation left behind (a replaced index held
by a cycle, startup garbage frozen the first time) is freed; that full collection
costs about 0.2-0.5 s of CPU per 100,000 documents, which the first settle, at start,
does not pay.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_THRESHOLD = 10_000
"""Allocations of tracked objects between two collections of the youngest generation."""
OLDER_COLLECTION_THRESHOLD = 20
"""Collections of a generation between two of the next older one."""


def settle_long_lived_objects() -> None:
    """Freeze what is alive (after a full collection, when something was frozen
    before), and collect young objects less often.

    Process-wide: only the content node process calls it (`content.http.run`), and
    the put benchmark, which stands for that process.
    """
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    gc.set_threshold(
        YOUNG_COLLECTION_THRESHOLD, OLDER_COLLECTION_THRESHOLD, OLDER_COLLECTION_THRESHOLD
    )
