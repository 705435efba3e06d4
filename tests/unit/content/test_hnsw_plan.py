"""Vespa's choice between exact scan, pre-filtered graph and post-filtered graph."""

from __future__ import annotations

import pytest

from content.hnsw import (
    NearestNeighborAlgorithm as Algorithm,
    NearestNeighborThresholds as Thresholds,
    plan_nearest_neighbor,
)


def test_no_filter_walks_the_graph_with_target_hits_as_asked() -> None:
    plan = plan_nearest_neighbor(1000, None, 10)
    assert (plan.algorithm, plan.target_hits, plan.post_filter) == (
        Algorithm.INDEX_TOP_K,
        10,
        False,
    )


@pytest.mark.parametrize(
    ("allowed", "algorithm"),
    [
        (0, Algorithm.EXACT_FALLBACK),
        (49, Algorithm.EXACT_FALLBACK),
        (50, Algorithm.INDEX_TOP_K_WITH_FILTER),
        (51, Algorithm.INDEX_TOP_K_WITH_FILTER),
        (1000, Algorithm.INDEX_TOP_K_WITH_FILTER),
    ],
)
def test_approximate_threshold_boundary_is_strict(allowed: int, algorithm: Algorithm) -> None:
    plan = plan_nearest_neighbor(1000, allowed, 10)
    assert plan.algorithm is algorithm
    assert plan.target_hits == 10
    assert not plan.post_filter


@pytest.mark.parametrize(
    ("allowed", "algorithm"),
    [
        (400, Algorithm.INDEX_TOP_K_WITH_FILTER),
        (401, Algorithm.INDEX_TOP_K),
    ],
)
def test_post_filter_threshold_boundary_is_strict(allowed: int, algorithm: Algorithm) -> None:
    plan = plan_nearest_neighbor(1000, allowed, 10, Thresholds(post_filter_threshold=0.4))
    assert plan.algorithm is algorithm
    assert plan.post_filter is (algorithm is Algorithm.INDEX_TOP_K)


def test_post_filter_raises_target_hits_by_the_inverse_hit_ratio() -> None:
    plan = plan_nearest_neighbor(1000, 500, 10, Thresholds(post_filter_threshold=0.2))
    assert (plan.algorithm, plan.target_hits, plan.post_filter) == (
        Algorithm.INDEX_TOP_K,
        20,
        True,
    )


def test_post_filter_adjustment_is_capped_by_the_max_adjustment_factor() -> None:
    thresholds = Thresholds(post_filter_threshold=0.0, target_hits_max_adjustment_factor=5.0)
    assert plan_nearest_neighbor(1000, 10, 10, thresholds).target_hits == 50
    assert plan_nearest_neighbor(1000, 250, 10, thresholds).target_hits == 40


def test_post_filter_is_decided_before_the_exact_fallback() -> None:
    thresholds = Thresholds(approximate_threshold=0.5, post_filter_threshold=0.1)
    plan = plan_nearest_neighbor(1000, 300, 10, thresholds)
    assert plan.algorithm is Algorithm.INDEX_TOP_K
    assert plan.post_filter


def test_default_post_filter_threshold_never_post_filters() -> None:
    assert plan_nearest_neighbor(1000, 1000, 10).algorithm is Algorithm.INDEX_TOP_K_WITH_FILTER


@pytest.mark.parametrize(("approximate", "has_index"), [(False, True), (True, False)])
def test_exact_when_asked_or_without_an_index(approximate: bool, has_index: bool) -> None:
    plan = plan_nearest_neighbor(1000, 500, 10, approximate=approximate, has_index=has_index)
    assert plan.algorithm is Algorithm.EXACT
    assert plan.target_hits == 10


def test_an_empty_attribute_falls_back_to_exact() -> None:
    assert plan_nearest_neighbor(0, 0, 10).algorithm is Algorithm.EXACT_FALLBACK
