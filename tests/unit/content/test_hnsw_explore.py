"""HnswIndex: the floor on explored candidates, and re-puts that leave the graph alone."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from content.hnsw import MIN_EXPLORE, HnswIndex

DIMS = 16


def points(count: int, seed: int) -> npt.NDArray[np.float32]:
    return np.random.default_rng(seed).normal(size=(count, DIMS)).astype(np.float32)


def sparse_graph(vectors: npt.NDArray[np.float32], **knobs: Any) -> HnswIndex:
    """A small graph (8 links, 40 explored at insert), where a search's ef matters."""
    index = HnswIndex(DIMS, "euclidean", 8, 40, **knobs)
    index.set_vectors(np.arange(len(vectors)), vectors)
    return index


def recall_at_1(
    index: HnswIndex, vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32]
) -> float:
    truth = [int(np.argmin(((vectors - q) ** 2).sum(axis=1))) for q in queries]
    found = [int(index.search(q, 1)[0][0]) for q in queries]
    return float(np.mean([f == t for f, t in zip(found, truth, strict=True)]))


def test_a_search_explores_at_least_min_explore_candidates() -> None:
    vectors, queries = points(3000, 1), points(100, 2)
    floored = recall_at_1(sparse_graph(vectors), vectors, queries)
    vespa_like = recall_at_1(sparse_graph(vectors, min_explore=1), vectors, queries)
    assert MIN_EXPLORE == 48
    assert floored >= 0.95  # 0.99 with this seed
    assert vespa_like < 0.5  # 0.24: ef 1 is a greedy walk


def graph_state(index: HnswIndex) -> dict[str, Any]:
    snapshot = index.snapshot()
    assert snapshot.graph is not None
    return {k: v.tobytes() if isinstance(v, np.ndarray) else v for k, v in snapshot.graph.items()}


def test_reviving_removed_lids_with_their_vectors_restores_the_graph_exactly() -> None:
    vectors = points(1500, 3)
    index = sparse_graph(vectors)
    before = graph_state(index)
    churned = np.random.default_rng(4).choice(len(vectors), 150, replace=False)
    for lid in churned.tolist():
        index.remove(lid)
    assert graph_state(index) != before
    for lid in churned.tolist():
        index.set_vector(lid, vectors[lid])
    assert graph_state(index) == before
    assert index.size == len(vectors)


def test_setting_the_vector_a_lid_holds_leaves_the_graph_alone() -> None:
    vectors = points(500, 5)
    index = sparse_graph(vectors)
    before = graph_state(index)
    index.set_vectors(np.arange(100), vectors[:100])
    assert graph_state(index) == before


def test_a_changed_vector_still_moves_the_document() -> None:
    vectors = points(500, 6)
    index = sparse_graph(vectors)
    index.remove(7)
    far = np.full(DIMS, 50.0, dtype=np.float32)
    index.set_vector(7, far)
    assert index.search(far, 1)[0].tolist() == [7]
    index.set_vector(8, far + 0.5)
    assert index.search(far + 0.5, 1)[0].tolist() == [8]
