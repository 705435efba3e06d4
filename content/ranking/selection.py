"""Selecting the best candidates by score without sorting them all.

Relevance order is descending score with NaN lowest and ties by ascending lid, so
answers are deterministic. Only the best ``count`` are sorted: when there are many
more candidates, a partial selection (numpy partition) finds the threshold first.
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
