"""Selecting the best candidates by score without sorting them all.

Relevance order is descending score with NaN lowest and ties by ascending lid, so
answers are deterministic. Only the best ``count`` are sorted: when there are many
more candidates, a partial selection (numpy partition) finds the threshold first.
:func:`best_set` picks the same candidates without ordering them, in linear time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from content.index import LidArray
from content.ranking.match_data import FloatArray

IndexArray = npt.NDArray[np.intp]


def best_positions(lids: LidArray, scores: FloatArray, count: int) -> IndexArray:
    """Return the positions of the best ``count`` candidates, best first."""
    if count <= 0 or lids.size == 0:
        return np.zeros(0, dtype=np.intp)
    clean = np.where(np.isnan(scores), -np.inf, scores)
    if lids.size <= 4 * count:
        everything: IndexArray = np.lexsort((lids, -clean))[:count]
        return everything
    threshold = np.partition(clean, lids.size - count)[lids.size - count]
    positions = np.flatnonzero(clean >= threshold)
    order = np.lexsort((lids[positions], -clean[positions]))
    chosen: IndexArray = positions[order][:count]
    return chosen


def best_set(lids: LidArray, scores: FloatArray, count: int) -> IndexArray:
    """Return the ascending positions of the best ``count`` candidates, in linear time.

    The same candidates :func:`best_positions` returns (ties at the threshold go to
    the lowest lids), without sorting them by score.
    """
    if count <= 0 or lids.size == 0:
        return np.zeros(0, dtype=np.intp)
    if lids.size <= count:
        return np.arange(lids.size)
    clean = np.where(np.isnan(scores), -np.inf, scores)
    threshold = np.partition(clean, lids.size - count)[lids.size - count]
    keep = clean > threshold
    ties = np.flatnonzero(clean == threshold)
    needed = count - int(np.count_nonzero(keep))
    keep[ties[np.argsort(lids[ties], kind="stable")][:needed]] = True
    chosen: IndexArray = np.flatnonzero(keep)
    return chosen
