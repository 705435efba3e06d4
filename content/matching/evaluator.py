"""Evaluating a query tree into the set of matching lids, collecting what ranking needs.

Each item becomes a bitmap of lids (`content.index.DocIdSet`): and/or/not/rank are
bitmap algebra; words look up postings or run a vectorised attribute test; filters
(``=``, ranges, ``in``, ``matches``) are attribute tests. Words and filters outside
``not`` negatives are query terms for ranking, recorded as :class:`MatchedTerm`s (as
in Vespa, a range on an attribute is a term of that field); nearestNeighbor items are
recorded as :class:`NearestMatch`es.

Pre-filtering (Vespa's global filter): a nearestNeighbor item searches among the
documents its surroundings allow. Inside an ``and`` its siblings are evaluated first
and their intersection is the filter; inside a ``not`` the negatives are taken out
first; the later children of ``rank`` search among what the first child matched.

weakAnd is a top-k OR: every document matching any child gets the sum of the IDFs of
the children it matches (each scaled by the term's weight / 100), and those scoring
at least the ``target_hits``-th best score survive (ties kept), the way Vespa's
weakAnd keeps the best-scoring documents for its heap. wand does the same with
dot-product scores.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from content.attribute import (
    METRICS,
    DenseTensorAttribute,
    LidArray,
    MixedTensorAttribute,
    MultiValueAttribute,
    ValueTest,
    token_test,
)
from content.attribute.single import NumericAttribute, StringAttribute
from content.hnsw import NearestNeighborThresholds
from content.index import (
    DocIdSet,
    TermPostings,
    docids_from_lids,
    docids_from_mask,
    lids_of,
    near_lids,
    phrase_lids,
)
from content.matching.catalog import FieldCatalog
from content.matching.nearest_neighbor import (
    DEFAULT_THRESHOLDS,
    NearestNeighborQuery,
    nearest_neighbors,
)
from content.matching.same_element import same_element_lids
from content.matching.term_matching import (
    capped_lids,
    equals_test,
    fuzzy_test,
    in_test,
    match_attribute_term,
    match_index_term,
    range_test,
    regex_test,
)
from content.matching.weak_and import combination_scores, cut
from content.ranking.match_data import MatchData, MatchedTerm, NearestMatch
from vespid.config import FieldConfig
from vespid.document.tensor_type import TensorType
from vespid.errors import InvalidQueryError
from vespid.messages import (
    AndItem,
    DotProductItem,
    EqualsItem,
    FalseItem,
    FuzzyItem,
    InItem,
    Item,
    NearestNeighborItem,
    NearItem,
    NotItem,
    OrItem,
    PhraseItem,
    RangeItem,
    RankItem,
    RegexItem,
    SameElementItem,
    TermItem,
    TrueItem,
    WandItem,
    WeakAndItem,
    WeightedSetItem,
)

_DENSE_FROM = 2048
"""weakAnd unions at least this large score through a dense lid-indexed array."""
_MASK_CHILDREN = 12
"""weakAnd with at most this many children finds its cut from per-combination counts."""

QueryVector = Callable[[str, TensorType], npt.NDArray[np.float32]]
"""Returns the query tensor called ``name`` as the flat cells of the given dense type."""


class QueryEvaluator:
    """Evaluates one query against one document type's catalog.

    ``thresholds`` are the rank profile's knobs for approximate nearestNeighbor search.
    """

    def __init__(
        self,
        catalog: FieldCatalog,
        live: DocIdSet,
        query_vector: QueryVector,
        thresholds: NearestNeighborThresholds = DEFAULT_THRESHOLDS,
    ) -> None:
        self.catalog = catalog
        self.live = live
        self.query_vector = query_vector
        self.thresholds = thresholds
        self.data = MatchData()

    def evaluate(self, item: Item) -> DocIdSet:
        """Return the live lids matching ``item``; ranking data accumulates in ``data``."""
        return self._eval(item, self.live, ranked=True) & self.live

    def filter(self, items: tuple[Item, ...]) -> DocIdSet:
        """Return the live lids matching every one of ``items``, evaluated as an ``and``
        evaluates its children before a nearestNeighbor sibling, recording nothing
        for ranking."""
        result = self.live.copy()
        for item in items:
            result &= self._eval(item, result, ranked=False)
        return result

    def _eval(self, item: Item, allowed: DocIdSet, ranked: bool) -> DocIdSet:
        match item:
            case TrueItem():
                return self.live.copy()
            case FalseItem():
                return DocIdSet()
            case AndItem(children=children):
                return self._and(children, allowed, ranked)
            case OrItem(children=children):
                return _union(self._eval(c, allowed, ranked) for c in children)
            case NotItem(positive=positive, negatives=negatives):
                excluded = _union(self._eval(n, allowed, ranked=False) for n in negatives)
                return self._eval(positive, allowed - excluded, ranked) - excluded
            case RankItem(children=children):
                return self._rank(children, allowed, ranked)
            case WeakAndItem(children=children, target_hits=target_hits):
                return self._weak_and(children, target_hits, allowed, ranked)
            case TermItem():
                # Vespa: filter terms and ranked:false terms match but do not rank.
                return self._term(item, ranked and item.ranked and not item.filter)
            case PhraseItem(field=name, terms=terms):
                return self._proximity(name, terms, ranked, phrase_lids)
            case NearItem(field=name, terms=terms, distance=distance, ordered=ordered):
                return self._proximity(
                    name, terms, ranked, lambda p: near_lids(p, distance, ordered=ordered)
                )
            case EqualsItem(field=name, value=value):
                return self._attribute_filter(name, equals_test(value), ranked and not item.filter)
            case RangeItem():
                return self._attribute_filter(
                    item.field,
                    range_test(item.lower, item.upper, item.include_lower, item.include_upper),
                    ranked and not item.filter,
                    item.hit_limit,
                )
            case InItem(field=name, values=values) if name in self.catalog.attributes:
                return self._attribute_filter(name, in_test(values), ranked)
            case InItem(field=name, values=values):
                # On an indexed field `in` is an OR of its words (Vespa allows both).
                words = (TermItem(name, str(v)) for v in values)
                return _union(self._term(w, ranked) for w in words)
            case RegexItem(field=name, pattern=pattern):
                return self._attribute_filter(name, regex_test(name, pattern), ranked)
            case FuzzyItem(field=name, term=term):
                test = fuzzy_test(
                    name, term, item.max_edit_distance, item.prefix_length, item.prefix
                )
                return self._attribute_filter(name, test, ranked)
            case SameElementItem(field=name, children=children, element_filter=only):
                lids = same_element_lids(self.catalog, name, children, only)
                self._record(ranked, MatchedTerm(self._next_term_index(ranked), name, lids))
                return docids_from_lids(lids)
            case WeightedSetItem(field=name, tokens=tokens):
                return self._token_set(name, {k: float(w) for k, w in tokens.items()}, None)
            case DotProductItem(field=name, tokens=tokens):
                return self._token_set(name, tokens, None)
            case WandItem(field=name, tokens=tokens, target_hits=target_hits):
                return self._token_set(name, tokens, target_hits, item.score_threshold)
            case NearestNeighborItem():
                return self._nearest(item, allowed)
        raise InvalidQueryError(f"Query item '{item.type_name}' is not supported here")

    def _and(self, children: tuple[Item, ...], allowed: DocIdSet, ranked: bool) -> DocIdSet:
        filters = [c for c in children if not isinstance(c, NearestNeighborItem)]
        result = allowed.copy()
        for child in filters:
            result &= self._eval(child, result, ranked)
        for child in children:
            if isinstance(child, NearestNeighborItem):
                result &= self._eval(child, result, ranked)
        return result

    def _rank(self, children: tuple[Item, ...], allowed: DocIdSet, ranked: bool) -> DocIdSet:
        if not children:
            return DocIdSet()
        matched = self._eval(children[0], allowed, ranked)
        for child in children[1:]:
            self._eval(child, matched, ranked)
        return matched

    def _weak_and(
        self, children: tuple[Item, ...], target_hits: int, allowed: DocIdSet, ranked: bool
    ) -> DocIdSet:
        matched = [self._eval(c, allowed, ranked) for c in children]
        union = _union(matched)
        if target_hits <= 0 or len(union) <= target_hits:
            return union  # every match survives: no scores needed
        total = max(len(self.live), 1)
        lids = lids_of(union)
        # Where each child's documents sit: by binary search in the union, or for a
        # large union through a dense lid-indexed array.
        dense = lids.size >= _DENSE_FROM
        size = int(lids[-1]) + 1 if dense else lids.size
        places: list[npt.NDArray[np.integer[Any]]] = [
            lids_of(d) if dense else np.searchsorted(lids, lids_of(d)) for d in matched
        ]
        weights = [
            _weight(child) * math.log(1 + (total - len(d) + 0.5) / (len(d) + 0.5))
            for child, d in zip(children, matched, strict=True)
        ]
        if len(children) <= _MASK_CHILDREN:
            found, threshold = _kth_by_combination(places, weights, size, target_hits)
        else:
            scores = np.zeros(size)
            for at, weight in zip(places, weights, strict=True):
                scores[at] += weight  # a child's lids are distinct, so += is exact
            found = scores
            cut = lids.size - target_hits
            threshold = np.partition(scores[lids] if dense else scores, cut)[cut]
        if dense:
            found = found[lids]
        return docids_from_lids(lids[found >= threshold])

    def _term(self, item: TermItem, ranked: bool) -> DocIdSet:
        term_index = self._next_term_index(ranked)
        result = DocIdSet()
        for field in self.catalog.resolve(item.field):
            index = self.catalog.indexes.get(field.name)
            if index is not None:
                found = match_index_term(index, field, item)
                lids = found.lids
                docids = found.docids
                self._record(
                    ranked,
                    MatchedTerm(
                        term_index,
                        field.name,
                        lids,
                        item.weight,
                        index,
                        found.alternatives,
                        found.phrase,
                        item.label,
                    ),
                )
            else:
                hit = match_attribute_term(self.catalog.attributes[field.name], field, item)
                lids = hit.lids
                docids = docids_from_lids(lids)
                self._record(
                    ranked,
                    MatchedTerm(
                        term_index,
                        field.name,
                        lids,
                        item.weight,
                        label=item.label,
                        attribute_weights=hit.weights,
                    ),
                )
            result |= docids
        return result

    def _proximity(
        self,
        name: str,
        words: tuple[str, ...],
        ranked: bool,
        combine: Callable[[list[TermPostings]], LidArray],
    ) -> DocIdSet:
        term_index = self._next_term_index(ranked)
        result = DocIdSet()
        for field in self.catalog.resolve(name):
            index = self.catalog.indexes.get(field.name)
            if index is None:
                raise InvalidQueryError(f"Phrase and near need an indexed field; '{name}' is not")
            terms = [t for w in words for t in index.analyzer.query_terms(w)]
            postings = [index.postings(t) for t in terms]
            lids = combine(postings)
            self._record(
                ranked,
                MatchedTerm(term_index, field.name, lids, 100, index, tuple(postings), phrase=True),
            )
            result |= docids_from_lids(lids)
        return result

    def _attribute_filter(
        self, name: str, test: ValueTest, ranked: bool, hit_limit: int = 0
    ) -> DocIdSet:
        field = self.catalog.field(name)
        attribute = self.catalog.attributes.get(field.name)
        if not isinstance(attribute, NumericAttribute | StringAttribute | MultiValueAttribute):
            raise InvalidQueryError(
                f"Field '{name}' must be a numeric or string attribute to filter on it"
            )
        term_index = self._next_term_index(ranked)
        if hit_limit or isinstance(attribute, MultiValueAttribute):
            lids = attribute.lids_where(test)
            if hit_limit:
                lids = capped_lids(attribute, lids, hit_limit)
            self._record(ranked, MatchedTerm(term_index, field.name, lids))
            return docids_from_lids(lids)
        # Fast-search posting lists when there are, else a scan's mask: straight into
        # a bitmap either way; the sorted lids only when ranking needs them.
        found = attribute.postings_where(test)
        if found is None:
            found = docids_from_mask(attribute.mask_where(test))
        if ranked:
            self.data.terms.append(MatchedTerm(term_index, field.name, lids_of(found)))
        return found

    def _token_set(
        self,
        name: str,
        tokens: dict[str, float],
        target_hits: int | None,
        score_threshold: float = 0.0,
    ) -> DocIdSet:
        field = self.catalog.field(name)
        attribute = self.catalog.attributes.get(field.name)
        if isinstance(attribute, MultiValueAttribute | StringAttribute | NumericAttribute):
            return self._attribute_tokens(field, attribute, tokens, target_hits, score_threshold)
        if field.name in self.catalog.indexes:
            items = [TermItem(field.name, token) for token in tokens]
            return _union(self._term(t, ranked=False) for t in items)
        raise InvalidQueryError(f"Field '{name}' cannot be searched with a token set")

    def _attribute_tokens(
        self,
        field: FieldConfig,
        attribute: MultiValueAttribute | StringAttribute | NumericAttribute,
        tokens: dict[str, float],
        target_hits: int | None,
        score_threshold: float = 0.0,
    ) -> DocIdSet:
        per_token = [
            (weight, _token_test(attribute.value_kind, token)) for token, weight in tokens.items()
        ]
        lids = _union_lids([attribute.lids_where(test) for _, test in per_token])
        scores = np.zeros(lids.size)
        for weight, test in per_token:
            if isinstance(attribute, MultiValueAttribute):
                scores += weight * attribute.weight_sums(test, lids)
            else:
                scores += weight * np.isin(lids, attribute.lids_where(test))
        if score_threshold:
            # Vespa's wand: a document must score above the threshold to be a hit.
            above = scores > score_threshold
            lids, scores = lids[above], scores[above]
        if target_hits is not None and lids.size > target_hits:
            keep = scores >= np.sort(scores)[-target_hits]
            lids, scores = lids[keep], scores[keep]
        self.data.raw_scores[field.name] = (lids, scores)
        return docids_from_lids(lids)

    def _nearest(self, item: NearestNeighborItem, allowed: DocIdSet) -> DocIdSet:
        field = self.catalog.field(item.field)
        attribute = self.catalog.attributes.get(field.name)
        if not isinstance(attribute, DenseTensorAttribute | MixedTensorAttribute) or not (
            attribute.query_type.indexed
        ):
            raise InvalidQueryError(
                f"nearestNeighbor needs a tensor attribute of dense vectors; '{item.field}' is not"
            )
        query = self.query_vector(item.query_tensor, attribute.query_type)
        if field.distance_metric not in METRICS:
            raise InvalidQueryError(
                f"nearestNeighbor on '{field.name}': distance metric "
                f"'{field.distance_metric}' is not supported yet"
            )
        settings = NearestNeighborQuery(
            item.target_hits,
            item.distance_threshold,
            item.approximate,
            item.explore_additional_hits,
            self.thresholds,
        )
        lids, found = nearest_neighbors(
            attribute,
            field.distance_metric,
            query,
            allowed if allowed is self.live else allowed & self.live,
            settings,
            graph=self.catalog.graphs.get(field.name),
            documents=len(self.live),
        )
        self.data.nearest.append(
            NearestMatch(field.name, query, field.distance_metric, lids, found, item.label)
        )
        return docids_from_lids(lids)

    def _next_term_index(self, ranked: bool) -> int:
        index = self.data.ranked_term_count
        if ranked:
            self.data.ranked_term_count += 1
        return index

    def _record(self, ranked: bool, term: MatchedTerm) -> None:
        if ranked:
            self.data.terms.append(term)


def _weight(item: Item) -> float:
    return item.weight / 100 if isinstance(item, TermItem) else 1.0


def _union(sets: Iterable[DocIdSet]) -> DocIdSet:
    result = DocIdSet()
    for s in sets:
        result |= s
    return result


def _union_lids(arrays: list[LidArray]) -> LidArray:
    if not arrays:
        return np.zeros(0, dtype=np.uint32)
    merged: LidArray = np.unique(np.concatenate(arrays))
    return merged


def _kth_by_combination(
    places: list[npt.NDArray[np.integer[Any]]],
    weights: list[float],
    size: int,
    target_hits: int,
) -> tuple[npt.NDArray[np.float64], float]:
    """Per-place weakAnd scores and the ``target_hits``-th best of them.

    The documents are counted per combination of children (`content.matching.weak_and`):
    linear in the postings, where a partition over scores with few distinct values can
    degrade badly.
    """
    masks = np.zeros(size, dtype=np.int32)
    for bit, at in enumerate(places):
        masks[at] |= 1 << bit
    scores = combination_scores(weights)
    counts = np.bincount(masks, minlength=scores.size)
    counts[0] = 0  # places no child matched (gaps of the dense array)
    return scores[masks], cut(scores, counts, target_hits)


def _token_test(value_kind: str, token: str) -> ValueTest:
    try:
        return token_test(value_kind, token)
    except ValueError:
        raise InvalidQueryError(f"Token '{token}' is not a number for a numeric field") from None
