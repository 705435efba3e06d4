"""Vespa's choice of algorithm for a nearestNeighbor term, as a pure function.

Given how many documents the field's attribute covers and how many a query's filter
lets through (its *hit ratio*), Vespa's ``NearestNeighborBlueprint`` picks one of:

- **exact**: ``approximate: false``, or the field has no HNSW index: scan every
  candidate's vector.
- **exact fallback**: the filter's hit ratio is below the rank profile's
  ``approximate-threshold`` (default 0.05): walking the graph would visit many
  nodes the filter rejects, so scan the filter's documents exactly instead.
- **index top k using filter**: otherwise, with a filter whose hit ratio is at most
  ``post-filter-threshold`` (default 1.0): walk the graph and keep only allowed
  nodes (pre-filtering).
- **index top k**: no filter, or a hit ratio above ``post-filter-threshold``:
  walk the graph without the filter and apply it to the hits afterwards
  (post-filtering). To still end up with about ``targetHits`` hits, Vespa raises
  targetHits to ``targetHits / hit ratio``, capped at ``targetHits ·
  target-hits-max-adjustment-factor`` (default 20).

Both comparisons are strict, as in Vespa: a hit ratio equal to a threshold keeps the
graph with the pre-filter. Vespa estimates the ratio for the post-filter decision
before computing the filter; here the filter is a bitmap, so its exact count serves
both decisions. Vespa's ``filter-first-threshold`` (ACORN-1 style exploration) has no
hnswlib counterpart and is not modelled.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class NearestNeighborAlgorithm(enum.Enum):
    """How one nearestNeighbor term is searched (Vespa's names in the values)."""

    EXACT = "exact"
    EXACT_FALLBACK = "exact fallback"
    INDEX_TOP_K = "index top k"
    INDEX_TOP_K_WITH_FILTER = "index top k using filter"


@dataclass(frozen=True, slots=True)
class NearestNeighborThresholds:
    """The rank profile's knobs for filtered nearest-neighbor search."""

    approximate_threshold: float = 0.05
    """Below this filter hit ratio, search exactly (Vespa ``approximate-threshold``)."""
    post_filter_threshold: float = 1.0
    """Above this filter hit ratio, post-filter (Vespa ``post-filter-threshold``)."""
    target_hits_max_adjustment_factor: float = 20.0
    """Cap on raising targetHits when post-filtering (Vespa's knob of that name)."""


@dataclass(frozen=True, slots=True)
class NearestNeighborPlan:
    """The algorithm, the targetHits to ask the graph for, and where the filter applies."""

    algorithm: NearestNeighborAlgorithm
    target_hits: int
    """targetHits for the search: raised when post-filtering, else as asked."""
    post_filter: bool
    """Whether the filter must be applied to the graph's hits afterwards."""


def plan_nearest_neighbor(
    documents: int,
    allowed_documents: int | None,
    target_hits: int,
    thresholds: NearestNeighborThresholds = NearestNeighborThresholds(),
    approximate: bool = True,
    has_index: bool = True,
) -> NearestNeighborPlan:
    """Return how Vespa would search a nearestNeighbor term.

    Args:
        documents: documents in the field's attribute (Vespa's ``get_num_docs``).
        allowed_documents: documents the filter lets through; None when the query has
            no filter besides the nearestNeighbor term.
        target_hits: the term's targetHits.

    >>> plan_nearest_neighbor(1000, 40, 10).algorithm.value
    'exact fallback'
    >>> plan_nearest_neighbor(1000, 500, 10).algorithm.value
    'index top k using filter'
    >>> plan_nearest_neighbor(1000, 500, 10, NearestNeighborThresholds(post_filter_threshold=0.4))
    NearestNeighborPlan(algorithm=<NearestNeighborAlgorithm.INDEX_TOP_K: 'index top k'>, \
target_hits=20, post_filter=True)
    """
    if not approximate or not has_index:
        return NearestNeighborPlan(NearestNeighborAlgorithm.EXACT, target_hits, False)
    if allowed_documents is None:
        return NearestNeighborPlan(NearestNeighborAlgorithm.INDEX_TOP_K, target_hits, False)
    hit_ratio = allowed_documents / documents if documents > 0 else 0.0
    if hit_ratio > thresholds.post_filter_threshold:
        adjusted = target_hits * thresholds.target_hits_max_adjustment_factor
        if hit_ratio > 0.0:
            adjusted = min(target_hits / hit_ratio, adjusted)
        return NearestNeighborPlan(NearestNeighborAlgorithm.INDEX_TOP_K, int(adjusted), True)
    if hit_ratio < thresholds.approximate_threshold:
        return NearestNeighborPlan(NearestNeighborAlgorithm.EXACT_FALLBACK, target_hits, False)
    return NearestNeighborPlan(NearestNeighborAlgorithm.INDEX_TOP_K_WITH_FILTER, target_hits, False)
