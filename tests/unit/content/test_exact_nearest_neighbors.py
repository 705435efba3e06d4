"""Exact nearestNeighbor (``approximate: false``) against a numpy brute force.

The attribute keeps each row's norm beside the row, so an angular scan does not
recompute them per query; after any sequence of puts and removes the stored norms
must be the rows' norms, and the scan's answer the brute force's.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings, strategies as st

from content.attribute import DenseTensorAttribute, closest_distances
from content.matching import DocumentTypeIndex
from vespid.config import FieldConfig, InputConfig, RankProfileConfig, SchemaConfig
from vespid.document.tensor_type import parse_tensor_type
from vespid.messages import NearestNeighborItem, SearchRequest, item_to_json

DIMS = 3
METRICS = ("euclidean", "angular", "dotproduct", "prenormalized-angular")

cells = st.lists(st.integers(-3, 3), min_size=DIMS, max_size=DIMS).map(
    lambda values: [v / 2 for v in values]
)
operations = st.lists(st.tuples(st.integers(0, 40), st.one_of(st.none(), cells)), max_size=80)


def brute_force(
    metric: str, rows: npt.NDArray[np.float64], query: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    dots = rows @ query
    found: npt.NDArray[np.float64]
    if metric == "euclidean":
        found = np.sqrt(((rows - query) ** 2).sum(axis=1))
    elif metric == "dotproduct":
        found = -dots
    elif metric == "prenormalized-angular":
        found = 1.0 - np.clip(dots / (float(query @ query) or 1.0), -1.0, 1.0)
    else:
        norms = np.linalg.norm(rows, axis=1) * np.linalg.norm(query)
        cosines = np.where(norms > 0, dots / np.where(norms > 0, norms, 1.0), 0.0)
        found = np.arccos(np.clip(cosines, -1.0, 1.0))
    return found


def apply(
    ops: list[tuple[int, list[float] | None]],
) -> tuple[DenseTensorAttribute, dict[int, list[float]]]:
    attribute = DenseTensorAttribute("e", parse_tensor_type(f"tensor<float>(x[{DIMS}])"))
    model: dict[int, list[float]] = {}
    for lid, value in ops:
        attribute.put(lid, None if value is None else {"values": value})
        if value is None:
            model.pop(lid, None)
        else:
            model[lid] = value
    return attribute, model


@given(operations)
def test_stored_norms_follow_puts_and_removes(ops: list[tuple[int, list[float] | None]]) -> None:
    attribute, model = apply(ops)
    lids = np.arange(45, dtype=np.uint32)
    expected = [float(np.linalg.norm(model[lid])) if lid in model else 0.0 for lid in range(45)]
    np.testing.assert_allclose(attribute.norms_for(lids), expected, rtol=1e-6, atol=1e-9)


@given(operations, cells, st.sampled_from(METRICS), st.integers(0, 1))
def test_exact_distances_equal_the_brute_force_over_any_lids(
    ops: list[tuple[int, list[float] | None]], query: list[float], metric: str, every: int
) -> None:
    attribute, model = apply(ops)
    wanted = np.arange(45, dtype=np.uint32) if every else np.arange(0, 45, 7, dtype=np.uint32)
    lids, found = closest_distances(attribute, metric, np.array(query, np.float32), wanted)
    expected_lids = [lid for lid in wanted.tolist() if lid in model]
    assert lids.tolist() == expected_lids
    if expected_lids:
        rows = np.array([model[lid] for lid in expected_lids], dtype=np.float64)
        np.testing.assert_allclose(
            found, brute_force(metric, rows, np.array(query, np.float64)), rtol=1e-5, atol=1e-5
        )


@settings(deadline=None)
@given(operations, cells, st.sampled_from(METRICS), st.integers(1, 8))
def test_approximate_false_returns_the_brute_force_top_k(
    ops: list[tuple[int, list[float] | None]], query: list[float], metric: str, k: int
) -> None:
    schema = SchemaConfig(
        "points",
        fields=(
            FieldConfig("e", f"tensor<float>(x[{DIMS}])", attribute=True, distance_metric=metric),
        ),
        rank_profiles=(
            RankProfileConfig(
                "nn",
                inputs=(InputConfig("q", f"tensor<float>(x[{DIMS}])"),),
                first_phase="distance(field, e)",
            ),
        ),
    )
    index = DocumentTypeIndex(schema)
    model: dict[int, list[float]] = {}
    for lid, value in ops:
        if value is None:
            index.remove(lid)
            model.pop(lid, None)
        else:
            index.put(lid, {"e": {"values": value}})
            model[lid] = value
    tree = NearestNeighborItem("e", "q", target_hits=k, approximate=False)
    request = SearchRequest(("points",), item_to_json(tree), "nn", inputs={"q": query}, hits=k)
    found = {hit.lid: hit.relevance for hit in index.search(request).hits}
    if not model:
        assert found == {}
        return
    lids = sorted(model)
    distance = brute_force(metric, np.array([model[i] for i in lids]), np.array(query, float))
    kth = np.sort(distance)[min(k, len(lids)) - 1]
    # Every hit is among the k nearest (ties at the k-th distance may go either way).
    assert len(found) == min(k, len(lids))
    for lid, relevance in found.items():
        assert distance[lids.index(lid)] <= kth + 1e-5
        assert abs(relevance - distance[lids.index(lid)]) <= 1e-5
