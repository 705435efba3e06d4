"""HnswIndex on tiny examples: exact neighbour lists, updates, removes, growth, locking."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from pyroaring import BitMap

from content.hnsw import HnswIndex

GRID = np.array(
    [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1], [0, 2], [1, 2], [2, 2]], dtype=np.float32
)
"""A 3 by 3 grid: lid 3·y + x holds (x, y)."""


def grid_index(**kwargs: int) -> HnswIndex:
    index = HnswIndex(2, "euclidean", initial_capacity=4, **kwargs)
    for lid, point in enumerate(GRID):
        index.set_vector(lid, point)
    return index


def test_search_returns_the_exact_neighbours_nearest_first_on_a_grid() -> None:
    lids, distances = grid_index().search([0.8, 0.1], 3)
    assert lids.tolist() == [1, 0, 4]
    expected = [np.hypot(0.2, 0.1), np.hypot(0.8, 0.1), np.hypot(0.2, 0.9)]
    assert distances == pytest.approx(expected, rel=1e-6)


def test_search_of_every_point_finds_itself_at_distance_zero() -> None:
    index = grid_index()
    for lid, point in enumerate(GRID):
        lids, distances = index.search(point, 1)
        assert lids.tolist() == [lid]
        assert distances.tolist() == [0.0]


def test_target_hits_beyond_the_documents_returns_every_document() -> None:
    lids, _ = grid_index().search([1, 1], 50)
    assert sorted(lids.tolist()) == list(range(9))


def test_update_in_place_moves_a_document() -> None:
    index = grid_index()
    index.set_vector(8, [0.1, 0.0])
    assert index.search([0.1, 0.0], 2)[0].tolist() == [8, 0]
    assert index.size == 9


def test_removed_document_is_not_found_and_can_come_back() -> None:
    index = grid_index()
    index.remove(4)
    assert 4 not in index.search([1, 1], 9)[0].tolist()
    assert index.size == 8
    assert not index.contains(4)
    index.set_vector(4, [1.1, 1.0])
    assert index.search([1.1, 1.0], 1)[0].tolist() == [4]
    assert index.size == 9


def test_remove_of_unknown_or_removed_lid_is_not_an_error() -> None:
    index = grid_index()
    index.remove(1000)
    index.remove(2)
    index.remove(2)
    assert index.size == 8


def test_allowed_filter_restricts_hits_to_its_lids() -> None:
    lids, _ = grid_index().search([0, 0], 3, allowed=BitMap([2, 5, 8, 7]))
    assert lids.tolist() == [2, 5, 7]


def test_filter_with_fewer_reachable_documents_than_target_hits_returns_those() -> None:
    lids, _ = grid_index().search([0, 0], 5, allowed=BitMap([6, 100, 200]))
    assert lids.tolist() == [6]


def test_distance_threshold_drops_far_hits_after_choosing_the_top() -> None:
    lids, _ = grid_index().search([0, 0], 4, distance_threshold=1.0)
    assert sorted(lids.tolist()) == [0, 1, 3]


def test_explore_additional_hits_does_not_change_how_many_come_back() -> None:
    lids, _ = grid_index().search([1, 1], 2, explore_additional_hits=7)
    assert lids.size == 2
    assert lids[0] == 4


def test_index_grows_past_its_initial_capacity() -> None:
    index = HnswIndex(2, "euclidean", initial_capacity=1)
    index.set_vector(500, [5, 5])
    index.set_vector(3, [0, 0])
    assert index.search([5, 5], 2)[0].tolist() == [500, 3]
    assert index.live_lids().tolist() == [3, 500]


def test_live_mask_answers_for_lids_beyond_capacity() -> None:
    index = grid_index()
    index.remove(1)
    mask = index.live_mask(np.array([0, 1, 8, 10_000], dtype=np.uint32))
    assert mask.tolist() == [True, False, True, False]


def test_wrong_vector_and_query_sizes_are_rejected() -> None:
    index = grid_index()
    with pytest.raises(ValueError, match="2 cells"):
        index.set_vector(0, [1, 2, 3])
    with pytest.raises(ValueError, match="2 cells"):
        index.search([1, 2, 3], 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dimensions": 0, "metric": "euclidean"}, "dimensions"),
        ({"dimensions": 3, "metric": "manhattan"}, "Unknown distance-metric 'manhattan'"),
        ({"dimensions": 3, "metric": "geodegrees"}, "geodegrees needs 2"),
        ({"dimensions": 3, "metric": "angular", "max_links_per_node": 0}, "max-links"),
    ],
)
def test_invalid_settings_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HnswIndex(**kwargs)  # type: ignore[arg-type]


def test_same_seed_and_insert_order_build_the_same_answers() -> None:
    rng = np.random.default_rng(3)
    points = rng.normal(size=(300, 8)).astype(np.float32)
    first, second = (HnswIndex(8, "euclidean", random_seed=9) for _ in range(2))
    first.set_vectors(np.arange(300), points)
    second.set_vectors(np.arange(300), points)
    for query in points[:20]:
        assert first.search(query, 5)[0].tolist() == second.search(query, 5)[0].tolist()


def test_searches_run_while_another_thread_inserts_and_removes() -> None:
    rng = np.random.default_rng(4)
    points = rng.normal(size=(1500, 8)).astype(np.float32)
    index = HnswIndex(8, "euclidean", initial_capacity=2)
    index.set_vectors(np.arange(200), points[:200])
    failures: list[BaseException] = []

    def feed() -> None:
        for lid in range(200, 1500):
            index.set_vector(lid, points[lid])
            if lid % 7 == 0:
                index.remove(lid - 100)

    def query() -> None:
        try:
            for probe in points[:300]:
                lids, distances = index.search(probe, 5)
                assert lids.size == 5
                assert np.all(np.diff(distances) >= 0)
        except BaseException as error:  # noqa: BLE001 - reported to the main thread below
            failures.append(error)

    threads = [threading.Thread(target=feed)] + [threading.Thread(target=query) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert index.size == 1500 - len([lid for lid in range(200, 1500) if lid % 7 == 0])
