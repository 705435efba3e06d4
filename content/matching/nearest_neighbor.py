"""The nearestNeighbor operator: the k closest documents among the allowed ones.

:func:`nearest_neighbors` is the one entry point matching calls, whether the query
asked for approximate search or not:

- a field with ``index: hnsw`` (a :class:`content.hnsw.HnswIndex` kept in step with
  the tensor attribute by `content.matching.catalog`) and an approximate query goes
  to :func:`content.hnsw.nearest_neighbors`, which plans the search with Vespa's rule
  (exact scan below the rank profile's ``approximate-threshold``, graph walk with the
  filter checked inside it, or graph walk then post-filter above
  ``post-filter-threshold`` with targetHits raised at most
  ``target-hits-max-adjustment-factor`` times) and explores
  ``targetHits + hnsw.exploreAdditionalHits`` candidates;
- otherwise (``approximate: false``, no HNSW index, or a multi-vector mixed tensor,
  which the HNSW library does not index) the search is exact: a numpy scan of the
  filter's lids over the attribute's float32 matrix, keeping the ``target_hits``
  smallest distances (ties broken by lid so answers are deterministic).

Either way hits beyond ``distance_threshold`` are dropped and the lids come back
sorted with their distances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from content.attribute import (
    DenseTensorAttribute,
    LidArray,
    MixedTensorAttribute,
    closest_distances,
)
from content.hnsw import (
    HnswIndex,
    NearestNeighborThresholds,
    nearest_neighbors as approximate_nearest_neighbors,
)
from content.index import DocIdSet, lids_of
from content.index.field_index import FloatArray

DEFAULT_THRESHOLDS = NearestNeighborThresholds()
"""Vespa's defaults: approximate-threshold 0.05, post-filter-threshold 1, factor 20."""


@dataclass(frozen=True, slots=True)
class NearestNeighborQuery:
    """One nearestNeighbor item's search settings, as matching resolved them."""

    target_hits: int
    distance_threshold: float | None = None
    approximate: bool = True
    """False for the item's ``approximate: false``: always an exact scan."""
    explore_additional_hits: int = 0
    """``hnsw.exploreAdditionalHits``: extra candidates the graph walk keeps."""
    thresholds: NearestNeighborThresholds = DEFAULT_THRESHOLDS
    """The rank profile's approximate / post-filter thresholds."""


def nearest_neighbors(
    attribute: DenseTensorAttribute | MixedTensorAttribute,
    metric: str,
    query: npt.NDArray[np.float32],
    allowed: DocIdSet,
    settings: NearestNeighborQuery,
    *,
    graph: HnswIndex | None = None,
    documents: int | None = None,
) -> tuple[LidArray, FloatArray]:
    """Return the sorted lids of the nearest documents among ``allowed``, with distances.

    Documents without a tensor never match; a document with several vectors (a mixed
    tensor) is as near as its nearest vector.

    Args:
        allowed: the documents the rest of the query lets through.
        graph: the field's HNSW index, when the field has one.
        documents: the live documents; when ``allowed`` holds that many, the query
            has no filter (Vespa's hit ratio is ``len(allowed) / documents``).
    """
    if len(allowed) == 0 or settings.target_hits <= 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(0)
    if graph is not None and settings.approximate and isinstance(attribute, DenseTensorAttribute):
        filtered = documents is None or len(allowed) < documents
        return approximate_nearest_neighbors(
            graph,
            attribute,
            query,
            settings.target_hits,
            explore_additional_hits=settings.explore_additional_hits,
            allowed=allowed if filtered else None,
            distance_threshold=settings.distance_threshold,
            thresholds=settings.thresholds,
            documents=documents,
        )
    return _exact(attribute, metric, query, lids_of(allowed), settings)


def _exact(
    attribute: DenseTensorAttribute | MixedTensorAttribute,
    metric: str,
    query: npt.NDArray[np.float32],
    allowed: LidArray,
    settings: NearestNeighborQuery,
) -> tuple[LidArray, FloatArray]:
    target_hits = settings.target_hits
    candidates, found = closest_distances(attribute, metric, query, allowed)
    if candidates.size > target_hits:
        # Partition to the k-th distance, keep every tie with it, then order exactly.
        kth = np.partition(found, target_hits - 1)[target_hits - 1]
        close = np.flatnonzero(found <= kth)
        order = close[np.lexsort((candidates[close], found[close]))][:target_hits]
        candidates, found = candidates[order], found[order]
    if settings.distance_threshold is not None:
        within = found <= settings.distance_threshold
        candidates, found = candidates[within], found[within]
    by_lid = np.argsort(candidates)
    return candidates[by_lid], found[by_lid]
