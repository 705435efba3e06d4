"""The k smallest distances of a candidate set, ties broken by lid, in numpy."""

from __future__ import annotations

import numpy as np

from content.hnsw.access import LidArray
from content.hnsw.metric import FloatArray


def smallest(lids: LidArray, distances: FloatArray, k: int) -> tuple[LidArray, FloatArray]:
    """Return the ``k`` closest ``lids`` by ascending distance, then ascending lid.

    Partitions to the k-th distance first, so the cost is linear in the candidates
    plus k log k for the final order.
    """
    if k <= 0 or lids.size == 0:
        return lids[:0], distances[:0]
    if lids.size > k:
        kth = np.partition(distances, k - 1)[k - 1]
        close = np.flatnonzero(distances <= kth)
        lids, distances = lids[close], distances[close]
    order = np.lexsort((lids, distances))[:k]
    return lids[order], distances[order]


def within(
    lids: LidArray, distances: FloatArray, distance_threshold: float | None
) -> tuple[LidArray, FloatArray]:
    """Drop the hits farther than ``distance_threshold`` (None keeps all)."""
    if distance_threshold is None:
        return lids, distances
    keep = distances <= distance_threshold
    return lids[keep], distances[keep]
