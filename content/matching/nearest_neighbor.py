"""The nearestNeighbor operator: the k closest documents among the allowed ones.

:func:`nearest_neighbors` is the one entry point matching calls, whether the query
asked for approximate search or not. Today it always searches exactly: a numpy scan
of the filter's lids over the tensor attribute's float32 matrix, keeping the
``target_hits`` smallest distances (ties broken by lid so answers are
deterministic), then dropping those beyond ``distance_threshold``. An HNSW index
(its own issue) slots in here for the approximate case, with this scan remaining
the path Vespa's approximate-threshold chooses for restrictive filters.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from content.attribute import (
    DenseTensorAttribute,
    LidArray,
    MixedTensorAttribute,
    closest_distances,
)
from content.index.field_index import FloatArray


def nearest_neighbors(
    attribute: DenseTensorAttribute | MixedTensorAttribute,
    metric: str,
    query: npt.NDArray[np.float32],
    allowed: LidArray,
    target_hits: int,
    distance_threshold: float | None = None,
) -> tuple[LidArray, FloatArray]:
    """Return the sorted lids of the nearest documents among ``allowed``, with distances.

    Documents without a tensor never match; a document with several vectors (a mixed
    tensor) is as near as its nearest vector.
    """
    if allowed.size == 0 or target_hits <= 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(0)
    candidates, found = closest_distances(attribute, metric, query, allowed)
    if candidates.size > target_hits:
        # Partition to the k-th distance, keep every tie with it, then order exactly.
        kth = np.partition(found, target_hits - 1)[target_hits - 1]
        close = np.flatnonzero(found <= kth)
        order = close[np.lexsort((candidates[close], found[close]))][:target_hits]
        candidates, found = candidates[order], found[order]
    if distance_threshold is not None:
        within = found <= distance_threshold
        candidates, found = candidates[within], found[within]
    by_lid = np.argsort(candidates)
    return candidates[by_lid], found[by_lid]
