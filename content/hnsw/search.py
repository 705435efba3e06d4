"""nearest_neighbors: the one entry point for a nearestNeighbor term on one field.

It plans the search with Vespa's rule (:mod:`content.hnsw.plan`) and runs it:

- exact / exact fallback: the filter's lids (or every lid with a vector) are scanned
  in numpy, reading vectors through :class:`~content.hnsw.access.DocVectorAccess`;
  the ``target_hits`` nearest win, ties by lower lid;
- index top k using filter: the HNSW graph with the filter checked during the walk;
- index top k with post-filter: the graph without the filter, asked for the adjusted
  targetHits, then the filter drops hits; every surviving hit is returned (Vespa
  exposes all of them to first-phase ranking, so there may be more than
  ``target_hits``).

Graph hits keep the distance hnswlib computed (float32, turned into Vespa's
distance by `content.hnsw.metric.from_hnswlib`): it agrees with the exact scan's
numpy distance to float32 rounding (the sums run in another order), and reading the
hits' vectors back from the attribute to recompute it cost more than the rest of the
query's own work (10 cache-cold rows per query). Angular is the exception: hnswlib
reports ``1 - cos`` of normalised vectors, whose ``arccos`` loses precision for
near-duplicates, so angular hits are recomputed from the document vectors exactly
as the scan computes them. ``distance_threshold`` cuts on the reported distances.
Hits come back in ascending lid order, as Vespa's iterators produce them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from content.hnsw._topk import smallest, within
from content.hnsw.access import DocVectorAccess, LidArray, LidFilter, filter_lids
from content.hnsw.index import HnswIndex
from content.hnsw.metric import DistanceMetric, FloatArray, exact_distances
from content.hnsw.plan import (
    NearestNeighborAlgorithm,
    NearestNeighborThresholds,
    plan_nearest_neighbor,
)

DEFAULT_THRESHOLDS = NearestNeighborThresholds()


def nearest_neighbors(
    index: HnswIndex,
    vectors: DocVectorAccess,
    query: npt.ArrayLike,
    target_hits: int,
    *,
    explore_additional_hits: int = 0,
    allowed: LidFilter | None = None,
    distance_threshold: float | None = None,
    approximate: bool = True,
    thresholds: NearestNeighborThresholds = DEFAULT_THRESHOLDS,
    documents: int | None = None,
) -> tuple[LidArray, FloatArray]:
    """Return the nearest documents' lids (ascending) and their Vespa distances.

    Args:
        index: the field's index; it also says which lids hold a vector.
        vectors: the field's vectors by lid (the tensor attribute).
        allowed: the documents the rest of the query lets through; None for all.
        approximate: False for the term's ``approximate: false``.
        documents: the hit ratio's denominator, Vespa's document count of the
            attribute; defaults to the number of lids holding a vector.
    """
    probe = np.asarray(query, dtype=np.float32).reshape(-1)
    if target_hits <= 0:
        return np.zeros(0, np.uint32), np.zeros(0, np.float64)
    if allowed is None and approximate and index.has_graph:
        # Vespa's plan without a filter is always the graph's top k; the commonest
        # query skips planning.
        lids, found = _graph_hits(index, vectors, probe, target_hits, explore_additional_hits)
    else:
        lids, found = _planned(
            index,
            vectors,
            probe,
            target_hits,
            explore_additional_hits,
            allowed,
            approximate,
            thresholds,
            documents,
        )
    if distance_threshold is not None:
        lids, found = within(lids, found, distance_threshold)
    by_lid = lids.argsort(kind="stable")
    return lids[by_lid], found[by_lid]


def _planned(
    index: HnswIndex,
    vectors: DocVectorAccess,
    probe: npt.NDArray[np.float32],
    target_hits: int,
    explore_additional_hits: int,
    allowed: LidFilter | None,
    approximate: bool,
    thresholds: NearestNeighborThresholds,
    documents: int | None,
) -> tuple[LidArray, FloatArray]:
    """Plan with Vespa's rule and search: exact scan, pre-filtered or post-filtered graph."""
    plan = plan_nearest_neighbor(
        index.size if documents is None else documents,
        None if allowed is None else len(allowed),
        target_hits,
        thresholds,
        approximate=approximate,
        has_index=index.has_graph,
    )
    if plan.algorithm in (NearestNeighborAlgorithm.EXACT, NearestNeighborAlgorithm.EXACT_FALLBACK):
        lids = index.live_lids() if allowed is None else filter_lids(allowed)
        return exact_nearest_neighbors(
            index.metric, vectors, lids[index.live_mask(lids)], probe, target_hits
        )
    lids, found = _graph_hits(
        index,
        vectors,
        probe,
        plan.target_hits,
        explore_additional_hits,
        None if plan.post_filter or allowed is None else allowed,
    )
    if plan.post_filter and allowed is not None:
        kept = np.fromiter((int(lid) in allowed for lid in lids), bool, lids.size)
        lids, found = lids[kept], found[kept]
    return lids, found


def _graph_hits(
    index: HnswIndex,
    vectors: DocVectorAccess,
    probe: npt.NDArray[np.float32],
    target_hits: int,
    explore_additional_hits: int,
    allowed: LidFilter | None = None,
) -> tuple[LidArray, FloatArray]:
    """The graph's hits, nearest first, with distances as the module docstring says."""
    if index.metric is DistanceMetric.ANGULAR:
        lids = index.nearest_lids(probe, target_hits, explore_additional_hits, allowed)
        return lids, exact_distances(index.metric, vectors.vectors_for(lids), probe)
    return index.search(probe, target_hits, explore_additional_hits, allowed)


def exact_nearest_neighbors(
    metric: DistanceMetric,
    vectors: DocVectorAccess,
    candidates: LidArray,
    query: npt.ArrayLike,
    target_hits: int,
) -> tuple[LidArray, FloatArray]:
    """Return the ``target_hits`` nearest of ``candidates`` by exact distance, nearest first.

    Ties are broken by lower lid. Every candidate must hold a vector.
    """
    probe = np.asarray(query, dtype=np.float32).reshape(-1)
    found = exact_distances(metric, vectors.vectors_for(candidates), probe)
    return smallest(candidates, found, target_hits)
