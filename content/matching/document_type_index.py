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

from content.hnsw import HnswIndex, NearestNeighborThresholds
from content.index import DocIdSet, lids_of
from content.matching.catalog import FieldCatalog
from content.matching.evaluator import QueryEvaluator
from content.matching.ordering import best_by_attributes, sort_values
from content.matching.text_query import TextSearch
from content.ranking import QueryInputs, RankContext, Ranking, RankProgram
from content.ranking.selection import IndexArray, best_positions
from vespid.config import RankProfileConfig, SchemaConfig
from vespid.errors import InvalidQueryError
from vespid.messages import SearchRequest, item_from_json

BUILT_IN_PROFILES = {
    "default": RankProfileConfig("default"),
    "unranked": RankProfileConfig("unranked", first_phase="0"),
}


@dataclass(frozen=True, slots=True)
class RankedHit:
    """One of the node's best hits."""

    lid: int
    relevance: float
    sort_values: tuple[Any, ...] = ()
    """The ``order by`` key values, empty when ordered by relevance."""
    match_features: dict[str, Any] = field(default_factory=dict)
    """Feature name → float, or canonical tensor JSON for tensor features."""
    summary_features: dict[str, Any] = field(default_factory=dict)


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
        try:
            tree = item_from_json(request.query)
        except ValueError as e:
            raise InvalidQueryError(f"Malformed query tree: {e}") from e
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

    def _hits(
        self,
        request: SearchRequest,
        program: RankProgram,
        context: RankContext,
        ranking: Ranking,
        chosen: IndexArray,
    ) -> list[RankedHit]:
        lids = ranking.lids[chosen]
        match_rows, summary_rows = program.hit_features(context, lids, ranking.first_phase[chosen])
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
            )
            for lid, score, match_row, summary_row in zip(
                lids.tolist(), scores.tolist(), match_rows, summary_rows, strict=True
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
