"""wand's scoreThreshold against dot products computed by hand."""

from __future__ import annotations

from typing import Any

from hypothesis import given, strategies as st

from content.index import DocIdSet, lids_of
from content.matching.catalog import FieldCatalog
from content.matching.evaluator import QueryEvaluator
from vespid.config import FieldConfig, SchemaConfig
from vespid.messages import WandItem

SCHEMA = SchemaConfig("s", fields=(FieldConfig("tags", "weightedset<string>", attribute=True),))
TOKENS = ["a", "b", "c"]


@given(
    st.dictionaries(
        st.integers(0, 20), st.dictionaries(st.sampled_from(TOKENS), st.integers(1, 5)), max_size=12
    ),
    st.dictionaries(st.sampled_from(TOKENS), st.integers(1, 4), min_size=1),
    st.integers(0, 30),
)
def test_wand_keeps_documents_scoring_above_the_threshold(
    docs: dict[int, dict[str, int]], query: dict[str, int], threshold: int
) -> None:
    catalog = FieldCatalog(SCHEMA)
    live = DocIdSet()
    for lid, tags in docs.items():
        catalog.put(lid, {"tags": tags})
        live.add(lid)

    def no_vectors(name: str, attribute: Any) -> Any:
        raise AssertionError("no nearestNeighbor expected")

    item = WandItem("tags", {k: float(w) for k, w in query.items()}, 1000, float(threshold))
    found = lids_of(QueryEvaluator(catalog, live, no_vectors).evaluate(item)).tolist()
    scores = {lid: sum(w * tags.get(k, 0) for k, w in query.items()) for lid, tags in docs.items()}
    matched = {lid for lid, tags in docs.items() if set(tags) & set(query)}
    expected = sorted(lid for lid in matched if not threshold or scores[lid] > threshold)
    assert found == expected
