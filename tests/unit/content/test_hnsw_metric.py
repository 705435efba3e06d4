"""Each metric's distances, through the graph and exactly, equal Vespa's definition."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from content.hnsw import DistanceMetric, HnswIndex, closeness, exact_distances

RNG = np.random.default_rng(11)
VECTORS = RNG.normal(size=(200, 6)).astype(np.float32)
QUERY = RNG.normal(size=6).astype(np.float32)


def vespa_distance(metric: str, query: npt.NDArray[np.float32], vector: npt.ArrayLike) -> float:
    """Vespa's definition, one pair at a time in plain float64 Python."""
    q = [float(x) for x in query]
    v = [float(x) for x in np.asarray(vector)]
    dot = sum(a * b for a, b in zip(q, v, strict=True))
    if metric == "euclidean":
        return math.sqrt(sum((a - b) ** 2 for a, b in zip(q, v, strict=True)))
    if metric == "dotproduct":
        return -dot
    if metric == "prenormalized-angular":
        return 1.0 - dot / sum(a * a for a in q)
    if metric == "angular":
        norms = math.sqrt(sum(a * a for a in q)) * math.sqrt(sum(b * b for b in v))
        return math.acos(max(-1.0, min(1.0, dot / norms))) if norms else math.pi / 2
    if metric == "hamming":
        return float(
            sum(bin((int(a) ^ int(b)) & 0xFF).count("1") for a, b in zip(q, v, strict=True))
        )
    lat_q, lng_q, lat, lng = map(math.radians, (q[0], q[1], v[0], v[1]))
    hav = (
        math.sin((lat - lat_q) / 2) ** 2
        + math.cos(lat) * math.cos(lat_q) * math.sin((lng - lng_q) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(hav))


GRAPH_METRICS = ["euclidean", "angular", "dotproduct", "prenormalized-angular"]


@pytest.mark.parametrize("metric", GRAPH_METRICS)
def test_graph_distances_convert_to_vespa_distances(metric: str) -> None:
    vectors, query = VECTORS, QUERY
    if metric == "prenormalized-angular":
        vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        query = query / np.linalg.norm(query)
    index = HnswIndex(6, metric)
    index.set_vectors(np.arange(200), vectors)
    lids, distances = index.search(query, 200)
    assert sorted(lids.tolist()) == list(range(200))
    expected = [vespa_distance(metric, query, vectors[lid]) for lid in lids]
    assert distances == pytest.approx(expected, abs=1e-4 if metric == "angular" else 1e-5)


@pytest.mark.parametrize("metric", GRAPH_METRICS)
def test_exact_distances_equal_vespa_definition(metric: str) -> None:
    found = exact_distances(DistanceMetric(metric), VECTORS, QUERY)
    expected = [vespa_distance(metric, QUERY, row) for row in VECTORS]
    assert found == pytest.approx(expected, rel=1e-5, abs=1e-5)


def test_prenormalized_angular_uses_the_query_norm_as_vespa_does() -> None:
    query = np.array([2.0, 0.0], dtype=np.float32)
    rows = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    found = exact_distances(DistanceMetric.PRENORMALIZED_ANGULAR, rows, query)
    assert found.tolist() == [0.5, 1.0]


def test_angular_distance_to_a_zero_vector_is_a_right_angle() -> None:
    rows = np.array([[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0]], dtype=np.float32)
    found = exact_distances(DistanceMetric.ANGULAR, rows, np.array([1.0, 0.0], np.float32))
    assert found == pytest.approx([math.pi / 2, 0.0, math.pi])


def test_hamming_counts_differing_bits_of_int8_cells() -> None:
    cells = RNG.integers(-128, 128, size=(100, 8)).astype(np.float32)
    query = RNG.integers(-128, 128, size=8).astype(np.float32)
    index = HnswIndex(8, "hamming")
    index.set_vectors(np.arange(100), cells)
    lids, distances = index.search(query, 100)
    expected = [vespa_distance("hamming", query, cells[lid]) for lid in lids]
    assert distances.tolist() == expected
    assert np.all(np.diff(distances) >= 0)
    assert not index.has_graph
    exact = exact_distances(DistanceMetric.HAMMING, cells, query)
    assert exact.tolist() == [vespa_distance("hamming", query, row) for row in cells]


def test_hamming_of_minus_one_and_zero_is_eight() -> None:
    rows = np.array([[-1.0], [0.0]], dtype=np.float32)
    found = exact_distances(DistanceMetric.HAMMING, rows, np.array([0.0], np.float32))
    assert found.tolist() == [8.0, 0.0]


def test_geodegrees_is_great_circle_kilometres() -> None:
    rows = np.array([[0.0, 1.0], [90.0, 0.0], [63.43, 10.39]], dtype=np.float32)
    found = exact_distances(DistanceMetric.GEODEGREES, rows, np.array([0.0, 0.0], np.float32))
    one_degree = 2 * math.pi * 6371.0088 / 360
    assert found[:2] == pytest.approx([one_degree, 90 * one_degree])
    assert found[2] == pytest.approx(vespa_distance("geodegrees", np.zeros(2, np.float32), rows[2]))


def test_geodegrees_index_returns_the_nearest_places() -> None:
    places = np.array([[59.91, 10.75], [63.43, 10.39], [60.39, 5.32], [-33.87, 151.21]])
    index = HnswIndex(2, "geodegrees")
    index.set_vectors(np.arange(4), places)
    lids, distances = index.search([59.0, 10.0], 2)
    assert lids.tolist() == [0, 2]
    expected = [vespa_distance("geodegrees", np.array([59.0, 10.0]), places[i]) for i in (0, 2)]
    assert distances == pytest.approx(expected, rel=1e-5)


def test_closeness_is_one_over_one_plus_distance_except_dotproduct() -> None:
    distances = np.array([0.0, 1.0, 3.0])
    assert closeness(DistanceMetric.EUCLIDEAN, distances).tolist() == [1.0, 0.5, 0.25]
    assert closeness(DistanceMetric.DOTPRODUCT, -distances).tolist() == [0.0, 1.0, 3.0]


def test_metric_names_are_vespas() -> None:
    assert [m.value for m in DistanceMetric] == [
        "euclidean",
        "angular",
        "dotproduct",
        "prenormalized-angular",
        "hamming",
        "geodegrees",
    ]
    assert DistanceMetric.parse("angular").hnswlib_space == "cosine"
    assert DistanceMetric.GEODEGREES.hnswlib_space is None
