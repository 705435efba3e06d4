"""Scatter a query to the content nodes, gather and merge, then fetch summaries.

Vespa's two-phase search: every node of each content cluster holding a queried schema
gets one `SearchRequest` for its best ``offset + hits`` hits, within the query's
timeout; the container merges all hit lists (`merge_hits`), keeps the requested page,
then sends one `DocsumRequest` to each node holding a hit on that page.

A node that fails or times out does not fail the query: its hits are missing, the
coverage says so (``full: false``, ``degraded.timeout``), and the result carries an
error (code 12 for a timeout, 10 for communication). An `InvalidQueryError` from a
node is the query's fault, not the node's (an unknown field or summary class), and is
raised to the caller.

Concurrency: one `SearchDispatcher` serves all requests; it keeps no per-request state.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from container.dispatch.client import ContentClient
from container.dispatch.merge import merge_hits
from container.dispatch.result import (
    BACKEND_COMMUNICATION_ERROR,
    INTERNAL_SERVER_ERROR,
    NO_BACKENDS_IN_SERVICE,
    TIMEOUT,
    Coverage,
    ResultHit,
    SearchError,
    SearchResult,
)
from container.errors import BackendCommunicationError, ContainerError, DispatchTimeoutError
from container.query import SearchQuery
from vespid.config import ContainerConfig, ContentClusterConfig, ContentNodeConfig
from vespid.errors import InvalidQueryError, NodeNotReadyError, VespidError
from vespid.messages import (
    DocsumReply,
    DocsumRequest,
    SearchHit,
    SearchReply,
    SearchRequest,
    item_to_json,
)


@dataclass(frozen=True, slots=True)
class _Target:
    cluster: ContentClusterConfig
    schemas: tuple[str, ...]


_NodeOutcome = SearchReply | VespidError | ContainerError


class SearchDispatcher:
    """Runs searches against the content clusters of a `ContainerConfig`."""

    def __init__(self, client: ContentClient, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.clock = clock

    async def search(self, query: SearchQuery, config: ContainerConfig) -> SearchResult:
        """Run ``query``; partial failures are reported in the result, not raised.

        Raises:
            InvalidQueryError: a content node refused the query itself.
        """
        start = self.clock()
        deadline = start + query.timeout
        result = SearchResult(coverage=Coverage())
        targets = _targets(query.schemas, config)
        if not targets:
            result.errors.append(
                SearchError(NO_BACKENDS_IN_SERVICE, "No content cluster holds the queried schemas")
            )
            return result
        hits = await self._search_phase(query, targets, deadline, result)
        page = merge_hits(hits, query.order_by, query.offset, query.hits)
        searched = self.clock()
        await self._fill_summaries(query, page, targets, deadline, result)
        result.hits = page
        done = self.clock()
        if query.timing:
            result.timing = {
                "querytime": searched - start,
                "summaryfetchtime": done - searched,
                "searchtime": done - start,
            }
        return result

    async def _search_phase(
        self,
        query: SearchQuery,
        targets: Sequence[_Target],
        deadline: float,
        result: SearchResult,
    ) -> list[ResultHit]:
        calls = [
            (target, node, self._search_node(query, target, node, deadline))
            for target in targets
            for node in target.cluster.nodes
        ]
        outcomes = await asyncio.gather(*(c for _, _, c in calls))
        hits: list[ResultHit] = []
        coverage = result.coverage or Coverage()
        full_by_cluster: dict[str, bool] = {t.cluster.name: True for t in targets}
        for (target, node, _), outcome in zip(calls, outcomes, strict=True):
            coverage.nodes_queried += 1
            if isinstance(outcome, InvalidQueryError):
                raise outcome
            if not isinstance(outcome, SearchReply):
                full_by_cluster[target.cluster.name] = False
                coverage.timed_out |= isinstance(outcome, DispatchTimeoutError)
                result.errors.append(_node_error(target.cluster.name, outcome))
                continue
            coverage.nodes += 1
            coverage.documents += outcome.documents
            full_by_cluster[target.cluster.name] &= not outcome.degraded
            result.total_count += outcome.total_count
            if query.trace_level > 0:
                result.trace.append(
                    f"Content node {node.distribution_key} of '{target.cluster.name}': "
                    f"{len(outcome.hits)} hits of {outcome.total_count} matches "
                    f"in {outcome.documents} documents"
                )
            result.trace.extend(outcome.trace)
            hits.extend(_result_hit(target, node, h) for h in outcome.hits)
        coverage.results = len(targets)
        coverage.results_full = sum(full_by_cluster.values())
        return hits

    async def _search_node(
        self, query: SearchQuery, target: _Target, node: ContentNodeConfig, deadline: float
    ) -> _NodeOutcome:
        remaining = deadline - self.clock()
        request = SearchRequest(
            schemas=target.schemas,
            query=item_to_json(query.tree),
            ranking=query.ranking,
            inputs=query.inputs or None,
            hits=query.offset + query.hits,
            offset=0,
            order_by=query.order_by,
            timeout=max(remaining, 0.0),
            trace_level=query.trace_level,
            list_features=query.list_features,
        )
        try:
            return await self.client.call(node, "search", request, SearchReply, remaining)
        except (VespidError, ContainerError) as e:
            return e

    async def _fill_summaries(
        self,
        query: SearchQuery,
        page: list[ResultHit],
        targets: Sequence[_Target],
        deadline: float,
        result: SearchResult,
    ) -> None:
        for hit in page:
            hit.fields = {"sddocname": hit.schema, "documentid": hit.id}
        nodes = {(t.cluster.name, n.distribution_key): n for t in targets for n in t.cluster.nodes}
        by_node: dict[tuple[str, int], list[ResultHit]] = defaultdict(list)
        for hit in page:
            by_node[(hit.source, hit.node)].append(hit)
        summary = query.summary or "default"
        fetches = [
            self._docsum_node(nodes[key], hits, summary, deadline, query.select)
            for key, hits in by_node.items()
        ]
        for (cluster, _), error in zip(by_node, await asyncio.gather(*fetches), strict=True):
            if isinstance(error, InvalidQueryError):
                raise error
            if error is not None:
                result.errors.append(_node_error(cluster, error))

    async def _docsum_node(
        self,
        node: ContentNodeConfig,
        hits: list[ResultHit],
        summary: str,
        deadline: float,
        select: tuple[str, ...] | None,
    ) -> VespidError | ContainerError | None:
        request = DocsumRequest(tuple(h.id for h in hits), summary)
        try:
            reply = await self.client.call(
                node, "docsum", request, DocsumReply, deadline - self.clock()
            )
        except (VespidError, ContainerError) as e:
            return e
        for hit in hits:
            fields = reply.summaries.get(hit.id, {})
            hit.fields.update((k, v) for k, v in fields.items() if select is None or k in select)
            if hit.match_features is not None:
                hit.fields["matchfeatures"] = hit.match_features
            if hit.summary_features is not None:
                hit.fields["summaryfeatures"] = hit.summary_features
            if hit.rank_features is not None:
                hit.fields["rankfeatures"] = hit.rank_features
        return None


def _targets(schemas: Sequence[str], config: ContainerConfig) -> list[_Target]:
    by_cluster: dict[str, list[str]] = defaultdict(list)
    clusters: dict[str, ContentClusterConfig] = {}
    for schema in schemas:
        cluster = config.cluster_for_document_type(schema)
        if cluster is not None and cluster.nodes:
            by_cluster[cluster.name].append(schema)
            clusters[cluster.name] = cluster
    return [_Target(clusters[name], tuple(s)) for name, s in by_cluster.items()]


def _result_hit(target: _Target, node: ContentNodeConfig, hit: SearchHit) -> ResultHit:
    return ResultHit(
        id=hit.id,
        relevance=hit.relevance,
        source=target.cluster.name,
        schema=hit.schema,
        match_features=hit.match_features,
        summary_features=hit.summary_features,
        rank_features=hit.rank_features,
        sort_values=hit.sort_values,
        node=node.distribution_key,
    )


def _node_error(cluster: str, error: VespidError | ContainerError) -> SearchError:
    if isinstance(error, DispatchTimeoutError):
        return SearchError(TIMEOUT, str(error), cluster)
    if isinstance(error, BackendCommunicationError | NodeNotReadyError):
        return SearchError(BACKEND_COMMUNICATION_ERROR, str(error), cluster)
    return SearchError(INTERNAL_SERVER_ERROR, str(error), cluster)
