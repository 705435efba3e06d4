"""nearest_neighbors: one entry point, the same answers as brute force where exact."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from pyroaring import BitMap

from content.hnsw import (
    DistanceMetric,
    HnswIndex,
    LidArray,
    NearestNeighborThresholds,
    exact_distances,
    exact_nearest_neighbors,
    nearest_neighbors,
)

RNG = np.random.default_rng(8)
VECTORS = RNG.normal(size=(600, 4)).astype(np.float32)
QUERY = RNG.normal(size=4).astype(np.float32)


class MatrixVectors:
    """DocVectorAccess over one matrix (row = lid)."""

    def __init__(self, matrix: npt.NDArray[np.float32]) -> None:
        self.matrix = matrix

    def vectors_for(self, lids: LidArray) -> npt.NDArray[np.float32]:
        return self.matrix[lids]


def index_of(metric: str = "euclidean", count: int = 600) -> HnswIndex:
    index = HnswIndex(4, metric)
    index.set_vectors(np.arange(count), VECTORS[:count])
    return index


def brute_force(
    metric: str, lids: list[int], k: int, vectors: npt.NDArray[np.float32] = VECTORS
) -> tuple[list[int], list[float]]:
    found = exact_distances(DistanceMetric(metric), vectors[lids], QUERY)
    order = sorted(range(len(lids)), key=lambda i: (found[i], lids[i]))[:k]
    chosen = sorted((lids[i], float(found[i])) for i in order)
    return [lid for lid, _ in chosen], [distance for _, distance in chosen]


@pytest.mark.parametrize("metric", ["euclidean", "angular", "dotproduct", "hamming"])
def test_exact_search_equals_brute_force(metric: str) -> None:
    vectors = np.round(VECTORS * 30) if metric == "hamming" else VECTORS
    index = HnswIndex(4, metric)
    index.set_vectors(np.arange(600), vectors)
    lids, distances = nearest_neighbors(
        index, MatrixVectors(vectors.astype(np.float32)), QUERY, 7, approximate=False
    )
    expected = brute_force(metric, list(range(600)), 7, vectors.astype(np.float32))
    assert (lids.tolist(), distances.tolist()) == expected


def test_exact_fallback_scans_only_allowed_documents_holding_a_vector() -> None:
    index = index_of()
    index.remove(3)
    allowed = BitMap([1, 2, 3, 5, 8, 13, 21, 34, 9999])
    lids, distances = nearest_neighbors(index, MatrixVectors(VECTORS), QUERY, 4, allowed=allowed)
    assert (lids.tolist(), distances.tolist()) == brute_force(
        "euclidean", [1, 2, 5, 8, 13, 21, 34], 4
    )


def test_graph_hits_come_back_by_lid_with_the_scans_distances_to_float32_rounding() -> None:
    lids, distances = nearest_neighbors(
        index_of(), MatrixVectors(VECTORS), QUERY, 10, explore_additional_hits=50
    )
    assert lids.tolist() == sorted(lids.tolist())
    exact_lids, exact = brute_force("euclidean", list(range(600)), 10)
    assert lids.tolist() == exact_lids
    assert distances == pytest.approx(exact, rel=1e-6)


def test_pre_filtered_graph_search_returns_only_allowed_documents() -> None:
    allowed = BitMap(range(0, 600, 3))
    lids, _ = nearest_neighbors(
        index_of(), MatrixVectors(VECTORS), QUERY, 10, explore_additional_hits=50, allowed=allowed
    )
    assert lids.size == 10
    assert set(lids.tolist()) <= set(allowed)


def test_post_filter_keeps_every_allowed_hit_of_the_raised_target() -> None:
    allowed = BitMap(range(0, 600, 2))
    post = NearestNeighborThresholds(post_filter_threshold=0.25)
    lids, _ = nearest_neighbors(
        index_of(), MatrixVectors(VECTORS), QUERY, 10, allowed=allowed, thresholds=post
    )
    assert set(lids.tolist()) <= set(allowed)
    assert 5 <= lids.size <= 20


def test_distance_threshold_applies_to_every_path() -> None:
    index = index_of()
    _, distances = nearest_neighbors(index, MatrixVectors(VECTORS), QUERY, 10)
    cut = float(distances.max()) - 1e-9
    for approximate in (True, False):
        lids, found = nearest_neighbors(
            index,
            MatrixVectors(VECTORS),
            QUERY,
            10,
            distance_threshold=cut,
            approximate=approximate,
        )
        assert lids.size == 9
        assert float(found.max()) <= cut


def test_zero_target_hits_and_empty_index_give_no_hits() -> None:
    index = index_of()
    assert nearest_neighbors(index, MatrixVectors(VECTORS), QUERY, 0)[0].size == 0
    empty = HnswIndex(4, "euclidean")
    assert nearest_neighbors(empty, MatrixVectors(VECTORS), QUERY, 5)[0].size == 0
    assert (
        nearest_neighbors(empty, MatrixVectors(VECTORS), QUERY, 5, allowed=BitMap([1]))[0].size == 0
    )


def test_exact_nearest_neighbors_breaks_ties_by_lid() -> None:
    vectors = np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [0, 0]], dtype=np.float32)
    lids, distances = exact_nearest_neighbors(
        DistanceMetric.EUCLIDEAN,
        MatrixVectors(vectors),
        np.array([3, 2, 1, 0], dtype=np.uint32),
        np.zeros(2, np.float32),
        3,
    )
    assert lids.tolist() == [0, 1, 2]
    assert distances.tolist() == [1.0, 1.0, 1.0]
