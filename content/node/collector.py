"""How a content node process uses CPython's cyclic garbage collector.

A content node keeps millions of long-lived objects (stored documents, posting
entries, bucket entries), and its write path makes no reference cycles: reference
counting frees what a write throws away. CPython's generational collector still
rescans the long-lived objects, and at its default thresholds (700, 10, 10) that cost
grows with the store: at 100,000 documents it was 40-60% of a put's CPU time
(docs/performance.md, issue 5). So whenever the node has settled into a new state (its
store loaded and indexes built for a config generation), `settle_long_lived_objects`
collects once, then *freezes* every survivor (the collector never scans them again;
reference counting still frees them) and collects young objects every
`YOUNG_COLLECTION_THRESHOLD` allocations instead of every 700. Cycles made later are
still collected. Unfreezing first gives whatever the previous config generation left
behind one full collection, so replaced indexes cannot leak through the freeze.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_THRESHOLD = 10_000
"""Allocations of tracked objects between two collections of the youngest generation."""
OLDER_COLLECTION_THRESHOLD = 20
"""Collections of a generation between two of the next older one."""


def settle_long_lived_objects() -> None:
    """Collect, freeze what survives, and collect young objects less often.

    Process-wide: only the content node process calls it (`content.http.run`), and
    the put benchmark, which stands for that process.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    gc.set_threshold(
        YOUNG_COLLECTION_THRESHOLD, OLDER_COLLECTION_THRESHOLD, OLDER_COLLECTION_THRESHOLD
    )
