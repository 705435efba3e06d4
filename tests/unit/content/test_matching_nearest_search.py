"""The nearestNeighbor short path of DocumentTypeIndex.search against the general path.

Each rank profile comes in two copies: one the short path takes, and one with a
match-feature, which the short path never takes; both must give the same hits,
relevance and total count, whatever the metric, filter, thresholds and settings.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from content.hnsw import HnswIndex, NearestNeighborThresholds
from content.matching import DocumentTypeIndex, MatchResult
from content.matching.catalog import FieldCatalog
from content.matching.nearest_search import plain_query_vector, plan_nearest_search
from content.ranking import QueryInputs, RankProgram
from vespid.config import FieldConfig, HnswConfig, InputConfig, RankProfileConfig, SchemaConfig
from vespid.messages import (
    AndItem,
    EqualsItem,
    Item,
    NearestNeighborItem,
    OrItem,
    RangeItem,
    SearchRequest,
    TermItem,
    item_to_json,
)

DIMS = 4
FIRST_PHASES = (
    "closeness(field, embedding)",
    "distance(field, embedding)",
    "closeness(label, near)",
    "2 * closeness(embedding) + 1",
    "-distance(label, near)",
    "0",
)
METRICS = ("euclidean", "angular", "dotproduct", "prenormalized-angular")


def schema(metric: str, approximate_threshold: float) -> SchemaConfig:
    profiles = []
    for i, first_phase in enumerate(FIRST_PHASES):
        for general in (False, True):
            profiles.append(
                RankProfileConfig(
                    f"p{i}{'g' if general else ''}",
                    inputs=(InputConfig("q", f"tensor<float>(x[{DIMS}])"),),
                    first_phase=first_phase,
                    match_features=("firstPhase",) if general else (),
                    approximate_threshold=approximate_threshold,
                )
            )
    return SchemaConfig(
        "points",
        fields=(
            FieldConfig(
                "embedding",
                f"tensor<float>(x[{DIMS}])",
                attribute=True,
                hnsw=HnswConfig(),
                distance_metric=metric,
            ),
            FieldConfig("group", "int", attribute=True),
            FieldConfig("fast", "int", attribute=True, fast_search=True),
        ),
        rank_profiles=tuple(profiles),
    )


vectors = st.lists(
    st.lists(st.integers(-4, 4), min_size=DIMS, max_size=DIMS).map(
        lambda cells: [c / 2 for c in cells]
    ),
    min_size=1,
    max_size=60,
)
filters = st.sampled_from(
    [
        None,
        RangeItem("group", upper=3.0),
        RangeItem("fast", lower=2.0, include_lower=False),
        EqualsItem("fast", 1),
        OrItem((EqualsItem("group", 0), RangeItem("fast", lower=8.0))),
    ]
)


def search(
    index: DocumentTypeIndex, tree: Item, profile: str, query: list[float], hits: int, offset: int
) -> MatchResult:
    request = SearchRequest(
        ("points",), item_to_json(tree), profile, inputs={"q": query}, hits=hits, offset=offset
    )
    return index.search(request)


def answer(result: MatchResult) -> tuple[list[tuple[int, float]], int]:
    return [(h.lid, h.relevance) for h in result.hits], result.total_count


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(METRICS),
    st.sampled_from([0.0, 0.05, 0.5]),
    vectors,
    st.lists(st.integers(0, 59), max_size=10),
    st.lists(st.integers(-4, 4), min_size=DIMS, max_size=DIMS),
    filters,
    st.integers(0, 12),
    st.integers(0, 20),
    st.booleans(),
    st.sampled_from([None, 1.0, 2.5]),
    st.integers(0, len(FIRST_PHASES) - 1),
    st.integers(0, 12),
    st.integers(0, 3),
)
def test_short_path_gives_the_general_paths_hits_and_relevance(
    metric: str,
    approximate_threshold: float,
    documents: list[list[float]],
    removed: list[int],
    query: list[int],
    condition: Item | None,
    target_hits: int,
    explore: int,
    approximate: bool,
    distance_threshold: float | None,
    phase: int,
    hits: int,
    offset: int,
) -> None:
    index = DocumentTypeIndex(schema(metric, approximate_threshold))
    for lid, cells in enumerate(documents):
        index.put(lid, {"embedding": {"values": cells}, "group": lid % 10, "fast": lid % 10})
    for lid in removed:
        index.remove(lid)
    tree: Item = NearestNeighborItem(
        "embedding",
        "q",
        target_hits=target_hits,
        approximate=approximate,
        explore_additional_hits=explore,
        distance_threshold=distance_threshold,
        label="near",
    )
    if condition is not None:
        tree = AndItem((condition, tree))
    probe = [float(c) for c in query]
    short = search(index, tree, f"p{phase}", probe, hits, offset)
    general = search(index, tree, f"p{phase}g", probe, hits, offset)
    assert answer(short) == answer(general)
    assert short.document_count == general.document_count


def planned(tree: Item, profile: RankProfileConfig) -> bool:
    catalog = FieldCatalog(schema("euclidean", 0.05))
    program = RankProgram(profile)
    return plan_nearest_search(tree, program, catalog, NearestNeighborThresholds()) is not None


NEAR = NearestNeighborItem("embedding", "q", label="near")


def closeness_profile(**extra: Any) -> RankProfileConfig:
    return RankProfileConfig(
        "p", first_phase=extra.pop("first_phase", "closeness(field, embedding)"), **extra
    )


@pytest.mark.parametrize(
    ("tree", "profile", "short"),
    [
        (NEAR, closeness_profile(), True),
        (AndItem((RangeItem("group", upper=3.0), NEAR)), closeness_profile(), True),
        (NEAR, closeness_profile(first_phase="closeness(label, near) * 3"), True),
        (NEAR, closeness_profile(first_phase="closeness(label, far)"), False),
        (NEAR, closeness_profile(first_phase="closeness(field, other)"), False),
        (NEAR, closeness_profile(first_phase="attribute(group)"), False),
        (NEAR, closeness_profile(second_phase="distance(field, embedding)"), False),
        (NEAR, closeness_profile(summary_features=("closeness(field, embedding)",)), False),
        (NEAR, closeness_profile(rank_score_drop_limit=0.5), False),
        (AndItem((NEAR, NearestNeighborItem("embedding", "r"))), closeness_profile(), False),
        (AndItem((OrItem((NEAR, TermItem("group", "1"))),)), closeness_profile(), False),
        (OrItem((NEAR, RangeItem("group", upper=3.0))), closeness_profile(), False),
    ],
)
def test_the_short_path_takes_only_its_shape(
    tree: Item, profile: RankProfileConfig, short: bool
) -> None:
    assert planned(tree, profile) is short


def test_a_repeated_query_is_decoded_once_and_answers_alike() -> None:
    index = DocumentTypeIndex(schema("euclidean", 0.05))
    rng = np.random.default_rng(3)
    for lid in range(50):
        index.put(lid, {"embedding": {"values": rng.normal(size=DIMS).tolist()}, "group": lid})
    tree = AndItem((RangeItem("group", upper=20.0), NearestNeighborItem("embedding", "q")))
    first = search(index, tree, "p0", [0.5, 0.5, 0.5, 0.5], 5, 0)
    again = search(index, tree, "p0", [0.5, 0.5, 0.5, 0.5], 5, 0)
    other = search(index, tree, "p0", [-0.5, 0.5, -0.5, 0.5], 5, 0)
    assert answer(first) == answer(again)
    assert answer(other) != answer(first)
    assert all(h.lid <= 20 for h in first.hits + other.hits)


cell_values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0.0, 1.0, 0, 1, True, False, "1", "0.5", None, [1.0]]),
)


@given(st.lists(cell_values, min_size=DIMS - 1, max_size=DIMS + 1), st.booleans())
def test_a_plain_query_vector_reads_as_the_general_reader_reads_it(
    value: list[Any], long_key: bool
) -> None:
    catalog = FieldCatalog(schema("euclidean", 0.05))
    program = RankProgram(
        closeness_profile(inputs=(InputConfig("q", f"tensor<float>(x[{DIMS}])"),))
    )
    plan = plan_nearest_search(NEAR, program, catalog, NearestNeighborThresholds())
    assert plan is not None
    given_inputs = {"query(q)" if long_key else "q": value}
    fast = plain_query_vector(plan, given_inputs)
    if fast is None:
        return  # the general reader reads it (or refuses it)
    general = QueryInputs(program.profile, given_inputs).dense_vector("q", plan.query_type)
    assert fast.dtype == general.dtype
    assert fast.tobytes() == general.tobytes()


def test_plain_query_vectors_are_read_without_the_general_reader() -> None:
    catalog = FieldCatalog(schema("euclidean", 0.05))
    program = RankProgram(closeness_profile())
    plan = plan_nearest_search(NEAR, program, catalog, NearestNeighborThresholds())
    assert plan is not None
    read = plain_query_vector(plan, {"q": [0.5, 2, -3.25, 1e-3]})
    assert read is not None
    assert read.tolist() == np.array([0.5, 2, -3.25, 1e-3], dtype=np.float32).tolist()
    assert plain_query_vector(plan, {"q": [True, 2.0, 3.0, 4.0]}) is None
    assert plain_query_vector(plan, {"q": ["1", 2.0, 3.0, 4.0]}) is None


def test_a_graph_put_in_place_is_searched_by_repeated_queries() -> None:
    index = DocumentTypeIndex(schema("euclidean", 0.05))
    for lid in range(20):
        index.put(lid, {"embedding": {"values": [float(lid)] * DIMS}, "group": lid})
    tree = NearestNeighborItem("embedding", "q", target_hits=1)
    assert [h.lid for h in search(index, tree, "p0", [3.0] * DIMS, 1, 0).hits] == [3]
    replacement = HnswIndex(DIMS, "euclidean")
    replacement.set_vector(7, [3.0] * DIMS)
    graphs = cast(dict[str, HnswIndex], index.hnsw_indexes)
    graphs["embedding"] = replacement
    assert [h.lid for h in search(index, tree, "p0", [3.0] * DIMS, 1, 0).hits] == [7]
