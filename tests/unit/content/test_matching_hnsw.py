"""nearestNeighbor through DocumentTypeIndex.search on a field with ``index: hnsw``.

3,000 clustered vectors of 24 dimensions (30 Gaussian clusters, fixed seed), 30
queries near the clusters. Approximate answers must reach recall@10 ≥ 0.95 against
the exact answer, with and without filters; ``approximate: false`` and filters below
the approximate-threshold must give exactly the brute-force answer; the graph follows
puts and removes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from content.matching import DocumentTypeIndex, MatchResult
from content.matching.catalog import FieldCatalog
from vespid.config import (
    FieldConfig,
    HnswConfig,
    InputConfig,
    RankProfileConfig,
    SchemaConfig,
)
from vespid.messages import (
    AndItem,
    Item,
    NearestNeighborItem,
    RangeItem,
    SearchRequest,
    item_to_json,
)

DOCS, DIMS, CLUSTERS, QUERIES = 3000, 24, 30, 30
RECALL = 0.95

RNG = np.random.default_rng(7)
CENTERS = RNG.normal(size=(CLUSTERS, DIMS)) * 4


def clustered(count: int) -> npt.NDArray[np.float32]:
    picked = CENTERS[RNG.integers(0, CLUSTERS, count)]
    return (picked + RNG.normal(size=(count, DIMS))).astype(np.float32)


VECTORS = clustered(DOCS)
PROBES = clustered(QUERIES)
GROUPS = np.arange(DOCS) % 100
"""``group`` attribute: ``group < p`` lets p% of the documents through."""


def profile(name: str, **thresholds: float) -> RankProfileConfig:
    return RankProfileConfig(
        name,
        inputs=(InputConfig("q", f"tensor<float>(x[{DIMS}])"),),
        first_phase="closeness(field, embedding)",
        **thresholds,  # type: ignore[arg-type]
    )


SCHEMA = SchemaConfig(
    "points",
    fields=(
        FieldConfig("embedding", f"tensor<float>(x[{DIMS}])", attribute=True, hnsw=HnswConfig()),
        FieldConfig("group", "int", attribute=True),
    ),
    rank_profiles=(
        profile("nn"),
        profile("post", post_filter_threshold=0.2),
        profile("never", approximate_threshold=0.5),
    ),
)


@pytest.fixture(scope="module")
def index() -> DocumentTypeIndex:
    built = DocumentTypeIndex(SCHEMA)
    for lid in range(DOCS):
        built.put(lid, {"embedding": {"values": VECTORS[lid].tolist()}, "group": int(GROUPS[lid])})
    return built


def search(
    index: DocumentTypeIndex,
    probe: npt.NDArray[np.float32],
    percent: int | None = None,
    ranking: str = "nn",
    hits: int = 10,
    **options: object,
) -> MatchResult:
    options.setdefault("target_hits", 10)
    tree: Item = NearestNeighborItem("embedding", "q", **options)  # type: ignore[arg-type]
    if percent is not None:
        tree = AndItem((RangeItem("group", upper=float(percent), include_upper=False), tree))
    request = SearchRequest(
        ("points",), item_to_json(tree), ranking, inputs={"q": probe.tolist()}, hits=hits
    )
    return index.search(request)


def brute_force(probe: npt.NDArray[np.float32], percent: int | None) -> list[int]:
    lids = np.arange(DOCS) if percent is None else np.flatnonzero(percent > GROUPS)
    diff = VECTORS[lids].astype(np.float64) - probe.astype(np.float64)
    distances = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    order = np.lexsort((lids, distances))[:10]
    return [int(lid) for lid in lids[order]]


def recall(index: DocumentTypeIndex, percent: int | None, ranking: str = "nn") -> float:
    found = 0
    for probe in PROBES:
        hits = {h.lid for h in search(index, probe, percent, ranking).hits}
        found += len(hits & set(brute_force(probe, percent)))
    return found / (10 * QUERIES)


@pytest.mark.parametrize("percent", [None, 10, 50])
def test_approximate_search_finds_the_true_nearest_at_recall_95(
    index: DocumentTypeIndex, percent: int | None
) -> None:
    assert recall(index, percent) >= RECALL


def test_above_the_post_filter_threshold_the_graph_hits_are_filtered_afterwards(
    index: DocumentTypeIndex,
) -> None:
    # 50% passes, above the profile's post-filter-threshold (20%): the graph is asked
    # for targetHits / 0.5 = 20 unfiltered hits, then the filter drops some.
    for probe in PROBES[:10]:
        unfiltered = search(index, probe, hits=20, target_hits=20).hits
        search_twenty = [h.lid for h in unfiltered if GROUPS[h.lid] < 50][:10]
        assert [h.lid for h in search(index, probe, 50, ranking="post").hits] == search_twenty


def test_approximate_false_gives_exactly_the_brute_force_answer(
    index: DocumentTypeIndex,
) -> None:
    for probe in PROBES[:10]:
        for percent in (None, 10):
            hits = search(index, probe, percent, approximate=False).hits
            expected = brute_force(probe, percent)
            assert [h.lid for h in hits] == expected
            exact = np.linalg.norm(VECTORS[expected].astype(np.float64) - probe, axis=1)
            assert [h.relevance for h in hits] == pytest.approx((1 / (1 + exact)).tolist())


def test_filters_below_the_approximate_threshold_are_searched_exactly(
    index: DocumentTypeIndex,
) -> None:
    # 2% passes: under the default approximate-threshold (5%), an exact scan.
    for probe in PROBES[:10]:
        assert [h.lid for h in search(index, probe, 2).hits] == brute_force(probe, 2)
    # The "never" profile raises the threshold to 50%, so 10% is exact too.
    for probe in PROBES[:10]:
        hits = search(index, probe, 10, ranking="never").hits
        assert [h.lid for h in hits] == brute_force(probe, 10)


def test_explore_additional_hits_is_passed_to_the_graph(index: DocumentTypeIndex) -> None:
    # Exploring every document turns the graph walk into an exact search.
    for probe in PROBES[:5]:
        hits = search(index, probe, explore_additional_hits=DOCS).hits
        assert [h.lid for h in hits] == brute_force(probe, None)


def test_the_graph_follows_puts_and_removes() -> None:
    catalog = FieldCatalog(SCHEMA)
    for lid in range(20):
        catalog.put(lid, {"embedding": {"values": VECTORS[lid].tolist()}, "group": 1})
    graph = catalog.graphs["embedding"]
    assert graph.size == 20
    catalog.remove(3)
    catalog.put(4, {"group": 1})
    assert graph.size == 18
    assert not graph.contains(3)
    assert not graph.contains(4)
    catalog.put(5, {"embedding": {"values": VECTORS[100].tolist()}})
    lids, _ = graph.search(VECTORS[100], 1)
    assert lids.tolist() == [5]


def test_removed_and_replaced_documents_are_found_where_they_now_are() -> None:
    index = DocumentTypeIndex(SCHEMA)
    for lid in range(200):
        index.put(lid, {"embedding": {"values": VECTORS[lid].tolist()}, "group": 0})
    probe = VECTORS[0]
    assert search(index, probe).hits[0].lid == 0
    index.remove(0)
    assert 0 not in {h.lid for h in search(index, probe).hits}
    index.put(150, {"embedding": {"values": probe.tolist()}, "group": 0})
    assert search(index, probe).hits[0].lid == 150
