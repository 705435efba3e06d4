"""Dispatch details: merging, coverage of degraded nodes, failed summary fetches."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from hypothesis import given, strategies as st

from container.dispatch import ContentClient, SearchDispatcher, SearchResult, merge_hits
from container.query import SearchQuery
from tests.unit.container.fake_content import FakeNetwork
from tests.unit.container.harness import Harness, config
from vespid.errors import VespidError
from vespid.messages import OrderBy, SearchReply, TrueItem


@dataclass(frozen=True)
class Hit:
    id: str
    relevance: float
    sort_values: tuple[Any, ...] = ()


@given(
    st.lists(st.builds(Hit, st.text(max_size=3), st.floats(-10, 10)), max_size=20),
    st.integers(0, 25),
    st.integers(0, 25),
)
def test_merge_is_the_page_of_one_global_sort(hits: list[Hit], offset: int, count: int) -> None:
    page = merge_hits(hits, (), offset, count)
    everything = merge_hits(hits, (), 0, len(hits))
    assert page == everything[offset : offset + count]
    assert all(a.relevance >= b.relevance for a, b in pairwise(everything))


def test_sort_values_with_missing_values_last_in_both_directions() -> None:
    hits = [
        Hit("a", 0, (2, "x")),
        Hit("b", 0, (None, "y")),
        Hit("c", 0, (2, "w")),
        Hit("d", 0, (1, "z")),
    ]
    up = merge_hits(hits, (OrderBy("n"), OrderBy("s", ascending=False)), 0, 10)
    down = merge_hits(hits, (OrderBy("n", ascending=False),), 0, 10)
    assert [h.id for h in up] == ["d", "a", "c", "b"]
    assert [h.id for h in down] == ["a", "c", "d", "b"]


def _search(h: Harness, **fields: Any) -> SearchResult:
    query = SearchQuery(TrueItem(), ("music",), **fields)
    dispatcher = SearchDispatcher(ContentClient(transport=h.network))
    return asyncio.run(dispatcher.search(query, config()))


def test_a_degraded_node_makes_coverage_not_full() -> None:
    h = Harness(config())
    h.add(0, "id:m:music::a", title="x")
    original = h.nodes[0]._search

    def degraded(data: Any) -> SearchReply:
        reply = original(data)
        return SearchReply(reply.hits, reply.total_count, reply.documents, degraded=True)

    h.nodes[0]._search = degraded  # type: ignore[method-assign]
    result = _search(h)
    assert result.coverage is not None
    assert (result.coverage.full, result.coverage.results_full) == (False, 0)
    assert [hit.id for hit in result.hits] == ["id:m:music::a"]


def test_a_failed_summary_fetch_keeps_the_hits_and_reports_an_error() -> None:
    h = Harness(config())
    h.add(1, "id:m:music::a", title="x")
    h.nodes[1].failures["docsum"] = VespidError("disk read failed")
    result = _search(h)
    assert [hit.fields for hit in result.hits] == [
        {"sddocname": "music", "documentid": "id:m:music::a"}
    ]
    assert [(e.code, e.source) for e in result.errors] == [(18, "music_content")]


def test_summary_class_and_timing_reach_the_nodes() -> None:
    h = Harness(config())
    h.add(0, "id:m:music::a", title="x")
    result = _search(h, summary="short", timing=True)
    kind, request = h.nodes[0].requests[-1]
    assert (kind, request.summary) == ("docsum", "short")
    assert result.timing is not None
    assert set(result.timing) == {"querytime", "summaryfetchtime", "searchtime"}


def test_no_cluster_for_the_schemas_is_no_backends() -> None:
    network = FakeNetwork({})
    dispatcher = SearchDispatcher(ContentClient(transport=network))
    result = asyncio.run(dispatcher.search(SearchQuery(TrueItem(), ("books",)), config()))
    assert [e.code for e in result.errors] == [0]
