"""Recall@10 of the graph against brute force on clustered vectors, fixed seed.

4,000 vectors of 32 dimensions in 40 Gaussian clusters, 40 queries drawn near the clusters;
searches ask for 10 hits with ``explore_additional_hits=10`` (ef = 20). The threshold
is 0.95 everywhere; the exact paths must be perfect.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from pyroaring import BitMap

from content.hnsw import (
    HnswIndex,
    LidArray,
    NearestNeighborThresholds,
    nearest_neighbors,
    read_index,
    serialize_index,
)

DOCS, DIMS, CLUSTERS = 4000, 32, 40
RECALL = 0.95
EXPLORE = 10


class MatrixVectors:
    """DocVectorAccess over one matrix (row = lid)."""

    def __init__(self, matrix: npt.NDArray[np.float32]) -> None:
        self.matrix = matrix

    def vectors_for(self, lids: LidArray) -> npt.NDArray[np.float32]:
        return self.matrix[lids]


def clustered(
    rng: np.random.Generator, count: int, centers: npt.NDArray[np.float64]
) -> npt.NDArray[np.float32]:
    picked = centers[rng.integers(0, len(centers), count)]
    return (picked + rng.normal(size=(count, DIMS))).astype(np.float32)


RNG = np.random.default_rng(2026)
CENTERS = RNG.normal(size=(CLUSTERS, DIMS)) * 4
VECTORS = clustered(RNG, DOCS, CENTERS)
QUERIES = clustered(RNG, 40, CENTERS)


@pytest.fixture(scope="module")
def built() -> HnswIndex:
    index = HnswIndex(DIMS, "euclidean", initial_capacity=256)
    index.set_vectors(np.arange(DOCS), VECTORS)
    return index


def copy_of(index: HnswIndex) -> HnswIndex:
    return read_index(serialize_index(index))


def true_top(
    matrix: npt.NDArray[np.float32], query: npt.NDArray[np.float32], lids: npt.NDArray[np.int64]
) -> set[int]:
    distances = ((matrix[lids].astype(np.float64) - query) ** 2).sum(axis=1)
    return set(lids[np.argsort(distances, kind="stable")[:10]].tolist())


def recall(
    index: HnswIndex,
    matrix: npt.NDArray[np.float32],
    filters: list[BitMap | None],
    thresholds: NearestNeighborThresholds = NearestNeighborThresholds(),  # noqa: B008
) -> float:
    found = 0
    for query, allowed in zip(QUERIES, filters, strict=True):
        lids, _ = nearest_neighbors(
            index,
            MatrixVectors(matrix),
            query,
            10,
            explore_additional_hits=EXPLORE,
            allowed=allowed,
            thresholds=thresholds,
        )
        live = index.live_lids().astype(np.int64)
        if allowed is not None:
            live = np.intersect1d(live, np.array(allowed.to_array(), dtype=np.int64))
            assert set(lids.tolist()) <= set(allowed)
        found += len(set(lids.tolist()) & true_top(matrix, query, live))
    return found / (10 * len(QUERIES))


def random_filters(fraction: float, seed: int) -> list[BitMap | None]:
    rng = np.random.default_rng(seed)
    size = int(DOCS * fraction)
    return [BitMap(rng.choice(DOCS, size, replace=False).tolist()) for _ in QUERIES]


def test_recall_without_filter(built: HnswIndex) -> None:
    assert recall(built, VECTORS, [None] * len(QUERIES)) >= RECALL


def test_recall_with_a_filter_passing_ten_percent(built: HnswIndex) -> None:
    assert recall(built, VECTORS, random_filters(0.10, 1)) >= RECALL


def test_one_percent_filter_is_scanned_exactly_so_recall_is_perfect(built: HnswIndex) -> None:
    assert recall(built, VECTORS, random_filters(0.01, 2)) == 1.0


def test_graph_recall_with_a_one_percent_pre_filter(built: HnswIndex) -> None:
    graph_only = NearestNeighborThresholds(approximate_threshold=0.0)
    assert recall(built, VECTORS, random_filters(0.01, 3), graph_only) >= RECALL


def test_recall_with_post_filtering(built: HnswIndex) -> None:
    post = NearestNeighborThresholds(post_filter_threshold=0.3)
    assert recall(built, VECTORS, random_filters(0.5, 4), post) >= 0.9


def test_recall_after_removing_and_re_adding_ten_percent(built: HnswIndex) -> None:
    index = copy_of(built)
    rng = np.random.default_rng(5)
    churn = rng.choice(DOCS, DOCS // 10, replace=False)
    for lid in churn:
        index.remove(int(lid))
    assert index.size == DOCS - churn.size
    for query in QUERIES[:10]:
        lids, _ = index.search(query, 10, EXPLORE)
        assert not set(lids.tolist()) & set(churn.tolist())
    assert recall(index, VECTORS, [None] * len(QUERIES)) >= RECALL
    moved = VECTORS.copy()
    moved[churn] = clustered(rng, churn.size, CENTERS)
    for lid in churn:
        index.set_vector(int(lid), moved[lid])
    assert index.size == DOCS
    assert recall(index, moved, [None] * len(QUERIES)) >= RECALL
    assert recall(index, moved, random_filters(0.10, 6)) >= RECALL


def test_recall_after_save_and_load_is_unchanged(built: HnswIndex) -> None:
    loaded = copy_of(built)
    for query in QUERIES:
        before = built.search(query, 10, EXPLORE)
        after = loaded.search(query, 10, EXPLORE)
        assert before[0].tolist() == after[0].tolist()
        assert before[1].tolist() == after[1].tolist()
    assert recall(loaded, VECTORS, random_filters(0.10, 7)) >= RECALL
