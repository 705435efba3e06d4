"""The searchable side of one document type on a content node: what the node calls.

:class:`DocumentTypeIndex` keeps the text indexes and attributes of one schema, the
set of live lids, and the compiled rank profiles, and answers a
:class:`vespid.messages.SearchRequest` with the node's best hits:

1. the query tree (``vespid.messages.query`` JSON) is matched into a bitmap of lids
   (`content.matching.evaluator`); nearestNeighbor items on ``index: hnsw`` fields
   search the field's HNSW graph under the rank profile's approximate-threshold,
   post-filter-threshold and target-hits-max-adjustment-factor
   (`content.matching.nearest_neighbor`);
   A word or an or/and of words under a profile ranking by a weighted sum of bm25
   features takes a lean path that does steps 1-3 at once with the same answer
   (`content.matching.text_query`);
2. the matched lids are ranked with the requested rank profile (`content.ranking`),
   first phase over all, second phase over the best;
3. the best ``offset + hits`` are chosen by relevance or by ``order by``, and their
   match-features and summary-features are computed. With ``order by`` every match
   is a candidate and only the first phase runs (its score is the hit's relevance).

Decoded query trees are cached by their JSON text, and a query of the commonest
vector shape (one nearestNeighbor item, perhaps with filters, ranked by its own
closeness or distance) takes the short path of `content.matching.nearest_search`,
which gives the same hits and relevance with a fraction of the per-query work.

Vespa always has the profiles ``default`` (nativeRank) and ``unranked`` (every hit
scores 0); a schema may override ``default``. The content node owns lids, documents
and locking: it calls :meth:`put` / :meth:`remove` for every applied write and never
searches while writing (this class is not thread-safe).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from content.attribute import DenseTensorAttribute
from content.hnsw import HnswIndex, NearestNeighborThresholds
from content.index import DocIdSet, lids_of
from content.matching.catalog import FieldCatalog
from content.matching.evaluator import QueryEvaluator
from content.matching.nearest_neighbor import nearest_neighbors
from content.matching.nearest_search import (
    NearestSearch,
    nearest_scores,
    plain_query_vector,
    plan_nearest_search,
)
from content.matching.ordering import best_by_attributes, sort_values
from content.matching.snapshot import TypeIndexFlush, load_snapshot, take_snapshot
from content.matching.text_query import TextSearch
from content.ranking import QueryInputs, RankContext, Ranking, RankProgram, dump_features
from content.ranking.selection import IndexArray, best_positions
from content.storage import Directory
from content.types import SerialNum
from vespid.config import RankProfileConfig, SchemaConfig
from vespid.errors import InvalidQueryError
from vespid.messages import Item, SearchRequest, item_from_json

_CACHED_TREES = 1024
"""Decoded query trees kept (by JSON text); the cache starts over when full."""

BUILT_IN_PROFILES = {
    "default": RankProfileConfig("default"),
    "unranked": RankProfileConfig("unranked", first_phase="0"),
}


@dataclass(slots=True)
class RankedHit:
    """One of the node's best hits.

    Not frozen: a frozen dataclass sets each field through ``object.__setattr__``,
    which tripled the cost of building the hits of a nearestNeighbor query.
    """

    lid: int
    relevance: float
    sort_values: tuple[Any, ...] = ()
    """The ``order by`` key values, empty when ordered by relevance."""
    match_features: dict[str, Any] = field(default_factory=dict)
    """Feature name → float, or canonical tensor JSON for tensor features."""
    summary_features: dict[str, Any] = field(default_factory=dict)
    rank_features: dict[str, Any] | None = None
    """With ``list_features``: every dumped feature (`content.ranking.dump`)."""


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The answer of :meth:`DocumentTypeIndex.search`."""

    hits: list[RankedHit]
    """The best ``offset + hits`` hits, best first."""
    total_count: int
    """Documents the query matched (Vespa's totalCount contribution)."""
    document_count: int
    """Live documents searched (Vespa's coverage.documents)."""


class DocumentTypeIndex:
    """Indexes, attributes and rank profiles of one document type.

    ``clock`` gives the ``now`` rank feature (seconds since the epoch).
    """

    def __init__(self, schema: SchemaConfig, clock: Callable[[], float] = time.time) -> None:
        self.schema = schema
        self._clock = clock
        self._catalog = FieldCatalog(schema)
        self._live = DocIdSet()
        self._text = TextSearch(self._catalog)
        self._programs: dict[str, RankProgram] = {}
        self._thresholds: dict[str, NearestNeighborThresholds] = {}
        """Each compiled profile's nearestNeighbor thresholds, by profile name."""
        self._trees: dict[bytes, Item] = {}
        self._nearest: dict[tuple[str, bytes], NearestSearch | None] = {}
        """The short path of each (rank profile, query JSON) seen, None where none applies."""

    @property
    def document_count(self) -> int:
        """Number of live documents."""
        return len(self._live)

    @property
    def hnsw_indexes(self) -> Mapping[str, HnswIndex]:
        """The HNSW index of each tensor field with ``index: hnsw``, by field name.

        Kept in step with :meth:`put` and :meth:`remove`; the node may snapshot them
        (`content.hnsw.save_index`) while no write runs.
        """
        return self._catalog.graphs

    def put(self, lid: int, fields: Mapping[str, Any]) -> None:
        """Index a document's canonical field values as ``lid``, replacing what it had."""
        self._catalog.put(lid, fields)
        self._live.add(lid)

    def remove(self, lid: int) -> None:
        """Forget ``lid``; removing an unknown lid does nothing."""
        if lid in self._live:
            self._catalog.remove(lid)
            self._live.discard(lid)

    @property
    def unflushed_bytes(self) -> int:
        """Estimated memory of the text index writes since the last flush."""
        return sum(index.unflushed_bytes for index in self._catalog.indexes.values())

    def start_flush(self, serial: SerialNum) -> TypeIndexFlush | None:
        """Take the state as it is now, the state after log record ``serial``, for a
        snapshot (`content.matching.snapshot`); None when it cannot be saved."""
        return take_snapshot(self.schema.name, serial, self._catalog, self._live)

    def load(self, directory: Directory, serial: SerialNum) -> None:
        """Fill this empty index from its snapshot at ``serial`` in ``directory``.

        Raises:
            IndexSnapshotError: when there is no usable snapshot (discard this index).
        """
        self._live = load_snapshot(directory, self.schema.name, serial, self._catalog)

    def search(self, request: SearchRequest) -> MatchResult:
        """Match and rank ``request`` over the live documents.

        Raises:
            InvalidQueryError: for a malformed query tree, an unknown field, fieldset
                or rank profile, a missing query tensor, or an unsupported feature.
        """
        program = self._program(request.ranking)
        lean = self._text_search(request, program)
        if lean is not None:
            return lean
        key, tree = self._tree(request.query)
        if not request.order_by and key is not None:
            nearest = self._nearest_search(request.ranking, program, key, tree)
            if nearest is not None:
                result = self._search_nearest(request, nearest)
                if result is not None:
                    return result
        inputs = QueryInputs(program.profile, request.inputs)

        evaluator = QueryEvaluator(
            self._catalog, self._live, inputs.dense_vector, self._thresholds[request.ranking]
        )
        matched = lids_of(evaluator.evaluate(tree))
        context = RankContext(
            self._catalog.attributes,
            evaluator.data,
            inputs,
            self.document_count,
            dict(program.profile.rank_properties),
            self._clock(),
        )
        wanted = max(request.offset + request.hits, 0)
        if request.order_by:
            # Sorting replaces ranking: every match is a candidate, first phase only.
            first = program.first_phase_scores(context, matched)
            ranking = Ranking(matched, first, first)
            chosen = best_by_attributes(
                matched, first, request.order_by, self._catalog.attributes, wanted
            )
        else:
            ranking = program.rank(context, matched)
            chosen = best_positions(ranking.lids, ranking.scores, wanted)
        return MatchResult(
            self._hits(request, program, context, ranking, chosen),
            int(matched.size),
            self.document_count,
        )

    def _text_search(self, request: SearchRequest, program: RankProgram) -> MatchResult | None:
        """Words, or an or/and of words, under a bm25-sum profile: the lean path, same answer."""
        wanted = max(request.offset + request.hits, 0)
        shape = program.bm25_sum
        if shape is None or request.order_by or wanted > program.profile.keep_rank_count:
            return None
        found = self._text.search(request.query, shape, self.document_count, wanted)
        if found is None:
            return None
        hits = [
            RankedHit(lid, score)
            for lid, score in zip(found.lids.tolist(), found.scores.tolist(), strict=True)
        ]
        return MatchResult(hits, found.total_count, self.document_count)

    def _tree(self, query: Any) -> tuple[bytes | None, Item]:
        """The decoded query tree, with its JSON text as the cache key (None: uncached).

        The query came as JSON, which holds no NaN or infinity (orjson would write
        them as null, so trees differing only there would share a key).
        """
        try:
            key: bytes | None = orjson.dumps(query)
        except TypeError:
            key = None
        tree = self._trees.get(key) if key is not None else None
        if tree is None:
            try:
                tree = item_from_json(query)
            except ValueError as e:
                raise InvalidQueryError(f"Malformed query tree: {e}") from e
            if key is not None:
                if len(self._trees) >= _CACHED_TREES:
                    self._trees.clear()
                    self._nearest.clear()
                self._trees[key] = tree
        return key, tree

    def _nearest_search(
        self, ranking: str, program: RankProgram, key: bytes, tree: Item
    ) -> NearestSearch | None:
        cache_key = (ranking, key)
        if cache_key in self._nearest:
            return self._nearest[cache_key]
        plan = self._nearest[cache_key] = plan_nearest_search(
            tree, program, self._catalog, self._thresholds[ranking]
        )
        return plan

    def _search_nearest(self, request: SearchRequest, plan: NearestSearch) -> MatchResult | None:
        """The short path (`content.matching.nearest_search`); None sends the query on
        to the general path (more hits than keep-rank-count keeps)."""
        live = self._live
        attribute = self._catalog.attributes.get(plan.field)
        if not isinstance(attribute, DenseTensorAttribute):
            return None
        query = plain_query_vector(plan, request.inputs)
        allowed = live
        if plan.filters or query is None:
            inputs = QueryInputs(plan.program.profile, request.inputs)
            if plan.filters:
                evaluator = QueryEvaluator(
                    self._catalog, live, inputs.dense_vector, plan.settings.thresholds
                )
                allowed = evaluator.filter(plan.filters)
            if query is None:
                query = inputs.dense_vector(plan.item.query_tensor, plan.query_type)
        lids, distances = nearest_neighbors(
            attribute,
            plan.metric,
            query,
            allowed,
            plan.settings,
            graph=self._catalog.graphs.get(plan.field),
            documents=len(live),
        )
        if not all(map(live.__contains__, lids.tolist())):
            kept = np.fromiter(map(live.__contains__, lids.tolist()), bool, lids.size)
            lids, distances = lids[kept], distances[kept]
        if lids.size > plan.program.profile.keep_rank_count:
            return None
        scores = nearest_scores(plan, distances)
        chosen = best_positions(lids, scores, max(request.offset + request.hits, 0))
        hits = [
            RankedHit(lid, score)
            for lid, score in zip(lids[chosen].tolist(), scores[chosen].tolist(), strict=True)
        ]
        return MatchResult(hits, int(lids.size), len(live))

    def _hits(
        self,
        request: SearchRequest,
        program: RankProgram,
        context: RankContext,
        ranking: Ranking,
        chosen: IndexArray,
    ) -> list[RankedHit]:
        lids = ranking.lids[chosen]
        first_phase = ranking.first_phase[chosen]
        match_rows, summary_rows = program.hit_features(context, lids, first_phase)
        listed: list[dict[str, Any] | None] = [None] * lids.size
        if request.list_features:
            names = dump_features(self.schema, program.profile)
            listed = list(program.listed_features(context, lids, first_phase, names))
        scores = ranking.scores[chosen]
        attributes = self._catalog.attributes
        order_by = request.order_by
        return [
            RankedHit(
                lid,
                score,
                sort_values(lid, order_by, attributes) if order_by else (),
                match_row,
                summary_row,
                listed_row,
            )
            for lid, score, match_row, summary_row, listed_row in zip(
                lids.tolist(), scores.tolist(), match_rows, summary_rows, listed, strict=True
            )
        ]

    def _program(self, name: str) -> RankProgram:
        program = self._programs.get(name)
        if program is None:
            profile = self.schema.rank_profile(name) or BUILT_IN_PROFILES.get(name)
            if profile is None:
                known = sorted({p.name for p in self.schema.rank_profiles} | set(BUILT_IN_PROFILES))
                raise InvalidQueryError(
                    f"Schema '{self.schema.name}' does not have a rank profile '{name}'; "
                    f"it has {', '.join(known)}"
                )
            program = self._programs[name] = RankProgram(profile)
            self._thresholds[name] = NearestNeighborThresholds(
                profile.approximate_threshold,
                profile.post_filter_threshold,
                profile.target_hits_max_adjustment_factor,
            )
        return program
