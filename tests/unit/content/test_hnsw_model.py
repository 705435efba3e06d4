"""HnswIndex against a dict model: random inserts, updates and removes, then searches.

After any sequence of operations the index holds exactly the model's lids, a graph
search asked for every document returns all of them with their exact distances, and
nearest_neighbors' exact paths equal a brute force over the model (ties by lid).
Runs for a graph metric and for an exact one (hamming).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings, strategies as st
from pyroaring import BitMap

from content.hnsw import DistanceMetric, HnswIndex, LidArray, exact_distances, nearest_neighbors

DIMS = 3
cells = st.lists(st.integers(-8, 8), min_size=DIMS, max_size=DIMS)
operations = st.lists(
    st.tuples(st.sampled_from(["set", "remove"]), st.integers(0, 40), cells), max_size=60
)


class ModelVectors:
    """DocVectorAccess over the model dict."""

    def __init__(self, model: dict[int, list[int]]) -> None:
        self.model = model

    def vectors_for(self, lids: LidArray) -> npt.NDArray[np.float32]:
        rows = [self.model[int(lid)] for lid in lids]
        return np.array(rows, dtype=np.float32).reshape(len(rows), DIMS)


def apply(index: HnswIndex, ops: list[tuple[str, int, list[int]]]) -> dict[int, list[int]]:
    model: dict[int, list[int]] = {}
    for op, lid, vector in ops:
        if op == "set":
            index.set_vector(lid, vector)
            model[lid] = vector
        else:
            index.remove(lid)
            model.pop(lid, None)
    return model


def brute_force(
    metric: DistanceMetric, model: dict[int, list[int]], lids: list[int], query: list[int], k: int
) -> list[tuple[int, float]]:
    if not lids:
        return []
    rows = np.array([model[lid] for lid in lids], dtype=np.float32)
    found = exact_distances(metric, rows, np.array(query, dtype=np.float32))
    best = sorted(zip(found.tolist(), lids, strict=True))[:k]
    return sorted((lid, distance) for distance, lid in best)


@pytest.mark.parametrize("metric", ["euclidean", "hamming"])
@settings(deadline=None)
@given(ops=operations, query=cells, k=st.integers(1, 8), allowed=st.sets(st.integers(0, 45)))
def test_index_agrees_with_a_dict_model(
    metric: str,
    ops: list[tuple[str, int, list[int]]],
    query: list[int],
    k: int,
    allowed: set[int],
) -> None:
    index = HnswIndex(DIMS, metric, initial_capacity=2)
    model = apply(index, ops)
    assert index.size == len(model)
    assert index.live_lids().tolist() == sorted(model)
    distance_metric = DistanceMetric(metric)
    lids, distances = index.search(query, len(model) + 1, explore_additional_hits=50)
    assert sorted(lids.tolist()) == sorted(model)
    every = dict(brute_force(distance_metric, model, sorted(model), query, len(model)))
    assert distances.tolist() == pytest.approx([every[int(lid)] for lid in lids], abs=1e-4)
    vectors = ModelVectors(model)
    for approximate in (False, True):
        hits = nearest_neighbors(
            index, vectors, query, k, allowed=BitMap(allowed), approximate=approximate
        )
        passing = sorted(set(model) & allowed)
        if approximate and index.has_graph and len(passing) >= 0.05 * len(model):
            # The graph path: every hit passes the filter; exactness is not promised.
            assert set(hits[0].tolist()) <= set(passing)
            continue
        expected = brute_force(distance_metric, model, passing, query, k)
        assert list(zip(hits[0].tolist(), hits[1].tolist(), strict=True)) == expected
