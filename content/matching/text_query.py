"""A lean path from a text query's JSON tree to the best hits, for bm25-sum profiles.

Most text queries are a word, or an ``or`` / ``and`` / ``weakAnd`` of words, ranked
by ``bm25(f)`` or a positive-weighted sum of bm25 features
(`content.ranking.bm25_sum`). For those, :class:`TextSearch` reads the JSON tree
directly, takes each word's posting list and its cached bm25 contributions
(`content.ranking.bm25_terms`), and finds the best hits without the generic
machinery (query items, match data, feature resolver, expression evaluation), with
the same answer bit for bit: the same hits in the same order (descending score, ties
by ascending lid), the same relevance and the same totalCount. Anything else
returns None and takes the generic path.

``and``: the posting bitmaps are intersected (pyroaring) and only the survivors are
scored. ``weakAnd``: the documents it keeps (`content.matching.weak_and`) are found
from bitmap intersections, then scored. ``or``: totalCount is the union's
cardinality. A lone word ranks straight from its own contributions. Short lists are
summed per field in a lid-indexed array, term by term in query order (so the sums
are the generic path's, bit for bit). Long lists are pruned MaxScore-style, exact
because every contribution is >= 0 and the score only grows with each: a document
holding a term with contribution x scores at least weight * x, so the best k-th
contribution of any one term, or the k-th best exact score among the documents
holding each term's k best contributions, is a lower bound ``theta`` of the k-th
best score. Terms whose maxima together stay below ``theta`` cannot lift a document
to the top on their own, and a document holding one of the other terms is a
candidate only if its contribution there plus every other term's maximum reaches
``theta``. The candidates are scored exactly, as the generic path scores every
match, and those below ``theta`` dropped before selection. Bounds carry a small
slack so rounding can only add candidates, never lose one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from content.index import Analyzer, DocIdSet, LidArray, TermPostings, docids_from_lids, lids_of
from content.index.field_index import Positions
from content.matching.catalog import FieldCatalog
from content.matching.weak_and import combination_scores, cut
from content.ranking.bm25_sum import Bm25Sum
from content.ranking.bm25_terms import Bm25Terms, TermScores
from content.ranking.match_data import FloatArray
from content.ranking.selection import best_positions
from content.ranking.text_features import CandidatePositions
from vespid.config import FieldConfig

SLACK = 1e-9
"""Relative to the largest possible score: room for rounding in the pruning bounds."""
_MAX_WORDS = 65536
"""Analysed query words remembered at most (then forgotten all at once)."""
_TARGET_HITS = 100
"""weakAnd's default targetHits (`vespid.messages.WeakAndItem`)."""
_WEAK_AND_CHILDREN = 6
"""weakAnd with more children than this takes the generic path."""
_PRUNE_FROM = 4096
"""Postings from which an or prunes before scoring, instead of scoring every match."""

_TERM_KEYS = frozenset(
    {"type", "field", "term", "kind", "stem", "normalize", "weight", "filter", "ranked", "label"}
)


_NO_LIDS: LidArray = np.zeros(0, dtype=np.uint32)
_NO_SCORES: FloatArray = np.zeros(0)


@dataclass(frozen=True, slots=True)
class _Source:
    """One query term as matched in one field."""

    term: int
    """Position of the term in the query."""
    field: str
    postings: TermPostings
    scores: TermScores | None
    """None when the profile's score does not read this field's bm25."""
    weight: float


@dataclass(frozen=True, slots=True)
class TextHits:
    """The best hits of a text query, best first, and how many documents matched."""

    lids: LidArray
    scores: FloatArray
    total_count: int


class TextSearch:
    """The lean path over one document type's catalog; keeps the bm25 contribution cache."""

    def __init__(self, catalog: FieldCatalog) -> None:
        self._catalog = catalog
        self._terms = Bm25Terms()
        self._fields: dict[str, tuple[FieldConfig, ...]] = {}
        """Query field name → the fields it searches (the schema does not change)."""
        self._words: dict[tuple[str, str, bool, bool], tuple[Analyzer, list[str]]] = {}
        """(field, word, stem, normalize) → the analyzer used and the terms it gave."""
        self._scratch = _Scratch()

    def search(
        self, tree: Any, shape: Bm25Sum, document_count: int, wanted: int
    ) -> TextHits | None:
        """Answer ``tree`` (query JSON) when it is a word or an or/and of words, else None.

        Raises:
            InvalidQueryError: for a field or fieldset the schema does not have.
        """
        parsed = _parse(tree)
        if parsed is None:
            return None
        operator, words, target_hits = parsed
        sources: list[_Source] = []
        for position, word in enumerate(words):
            found = self._sources(position, word, shape, document_count)
            if found is None:
                return None
            sources.extend(found)
        if operator == "and":
            return self._conjunction(sources, len(words), shape, wanted)
        if operator == "weakand":
            weights = [word.get("weight", 100) / 100 for word in words]
            if len(words) > _WEAK_AND_CHILDREN or min(weights) <= 0:
                return None
            survivors = _weak_and_survivors(sources, weights, target_hits, document_count)
            if survivors is not None:
                lids = lids_of(survivors)
                scores = self._exact_scores(lids, sources, shape)
                return _top(lids, scores, wanted, len(survivors), -math.inf)
        return self._disjunction(sources, shape, wanted)

    def _disjunction(self, sources: list[_Source], shape: Bm25Sum, wanted: int) -> TextHits:
        maps = [s.postings.docids for s in sources]
        if len(maps) == 1:
            total = len(maps[0])
        elif len(maps) == 2:
            total = maps[0].union_cardinality(maps[1])
        else:
            total = len(DocIdSet.union(*maps))
        if wanted <= 0 or total == 0:
            return TextHits(_NO_LIDS, _NO_SCORES, total)
        if len(sources) == 1 and sources[0].scores is not None:
            return _one_term(sources[0], sources[0].scores, shape, wanted)
        if sum(s.postings.lids.size for s in sources) >= _PRUNE_FROM:
            return _pruned(sources, shape, wanted, total)
        lids = lids_of(DocIdSet.union(*maps))
        scores = self._exact_scores(lids, sources, shape)
        return _top(lids, scores, wanted, total, _floor(sources, wanted))

    def _conjunction(
        self, sources: list[_Source], terms: int, shape: Bm25Sum, wanted: int
    ) -> TextHits:
        per_term: list[DocIdSet] = []
        for position in range(terms):
            maps = [s.postings.docids for s in sources if s.term == position]
            per_term.append(maps[0] if len(maps) == 1 else DocIdSet.union(*maps))
        matched = per_term[0] if terms == 1 else DocIdSet.intersection(*per_term)
        if not matched or wanted <= 0:
            return TextHits(_NO_LIDS, _NO_SCORES, len(matched))
        lids = lids_of(matched)
        return _top(lids, self._exact_scores(lids, sources, shape), wanted, len(matched), -math.inf)

    def _exact_scores(self, lids: LidArray, sources: list[_Source], shape: Bm25Sum) -> FloatArray:
        """The score of each of the sorted ``lids``, as the generic path computes it.

        Short lists are summed per field in a lid-indexed array, term by term in query
        order; long ones are looked up at the candidates only (`_scores`).
        """
        if sum(s.postings.lids.size for s in sources) >= _PRUNE_FROM:
            return _scores(lids, sources, shape)
        per_field = {}
        for name in shape.fields:
            summed = [s for s in sources if s.field == name and s.scores is not None]
            if not summed:
                per_field[name] = np.zeros(lids.size)
                continue
            size = max(
                (int(s.postings.lids[-1]) + 1 for s in summed if s.postings.lids.size), default=0
            )
            buffer = self._scratch.take(max(size, int(lids[-1]) + 1))
            try:
                for source in summed:
                    assert source.scores is not None
                    buffer[source.postings.lids] += source.scores.contributions
                per_field[name] = buffer[lids]
            finally:
                for source in summed:
                    buffer[source.postings.lids] = 0.0
                self._scratch.give(buffer)
        return np.asarray(shape.combine(per_field), dtype=np.float64)

    def _sources(
        self, position: int, word: dict[str, Any], shape: Bm25Sum, document_count: int
    ) -> list[_Source] | None:
        name = word["field"]
        fields = self._fields.get(name)
        if fields is None:
            fields = self._fields[name] = self._catalog.resolve(name)
        found = []
        for field in fields:
            index = self._catalog.indexes.get(field.name)
            if index is None or field.match == "prefix":
                return None
            terms = self._terms_of(field.name, index.analyzer, word)
            if len(terms) != 1:
                return None  # a phrase, or nothing to search for
            postings = index.postings(terms[0])
            settings = shape.fields.get(field.name)
            if settings is None:
                found.append(_Source(position, field.name, postings, None, 0.0))
                continue
            average = settings.average or index.average_field_length
            scores = self._terms.scores(
                field.name, terms[0], postings, document_count, average, settings.k1, settings.b
            )
            found.append(_Source(position, field.name, postings, scores, settings.weight))
        return found

    def _terms_of(self, field: str, analyzer: Analyzer, word: dict[str, Any]) -> list[str]:
        stem, normalize = word.get("stem", True), word.get("normalize", True)
        key = (field, word["term"], stem, normalize)
        cached = self._words.get(key)
        if cached is not None and cached[0] is analyzer:
            return cached[1]
        terms = analyzer.query_terms(word["term"], stem=stem, normalize=normalize)
        if len(self._words) >= _MAX_WORDS:
            self._words.clear()
        self._words[key] = (analyzer, terms)
        return terms


def _parse(tree: Any) -> tuple[str, list[dict[str, Any]], int] | None:
    """``(operator, words, target hits)`` for a plain word or an or/and/weakAnd of plain
    words (a lone word is an or), else None."""
    if not isinstance(tree, dict):
        return None
    kind = tree.get("type")
    if kind == "term":
        return ("or", [tree], 0) if _plain_word(tree) else None
    target_hits = 0
    if kind == "weakand":
        target_hits = tree.get("target_hits", _TARGET_HITS)
        if not tree.keys() <= {"type", "children", "target_hits"} or type(target_hits) is not int:
            return None
    elif kind not in ("or", "and") or tree.keys() != {"type", "children"}:
        return None
    children = tree["children"]
    if not isinstance(children, list) or not children:
        return None
    if not all(
        isinstance(c, dict) and c.get("type") == "term" and _plain_word(c) for c in children
    ):
        return None
    return kind, children, target_hits


def _plain_word(term: dict[str, Any]) -> bool:
    """A ranked word with the generic path's defaults where it matters for matching."""
    return (
        term.keys() <= _TERM_KEYS
        and isinstance(term.get("field"), str)
        and isinstance(term.get("term"), str)
        and term.get("kind", "word") == "word"
        and term.get("filter", False) is False
        and term.get("ranked", True) is True
        and isinstance(term.get("stem", True), bool)
        and isinstance(term.get("normalize", True), bool)
        and isinstance(term.get("weight", 100), int)
        and isinstance(term.get("label"), str | None)
    )


def _weak_and_survivors(
    sources: list[_Source], weights: list[float], target_hits: int, document_count: int
) -> DocIdSet | None:
    """The documents weakAnd keeps, as the generic evaluator keeps them, from bitmaps.

    None when every match survives (then weakAnd is an or). Weights must be positive.
    Documents are counted per combination
    of children by inclusion-exclusion over the children's intersections; with
    positive weights a superset of a surviving combination survives too, so the
    survivors are the union of the surviving combinations' intersections.
    """
    terms = len(weights)
    per_term = [
        DocIdSet.union(*[s.postings.docids for s in sources if s.term == position])
        for position in range(terms)
    ]
    union = DocIdSet.union(*per_term)
    if target_hits <= 0 or len(union) <= target_hits:
        return None
    total = max(document_count, 1)
    idf_weights = [
        weight * math.log(1 + (total - len(d) + 0.5) / (len(d) + 0.5))
        for weight, d in zip(weights, per_term, strict=True)
    ]
    within: list[DocIdSet] = [union]  # within[mask]: documents holding every child of mask
    counts = np.zeros(1 << terms, dtype=np.int64)
    for mask in range(1, 1 << terms):
        low = (mask & -mask).bit_length() - 1
        rest = mask & (mask - 1)
        within.append(per_term[low] if rest == 0 else within[rest] & per_term[low])
        counts[mask] = len(within[mask])
    masks = np.arange(1 << terms)
    for bit in range(terms):  # from "holding all of mask" to "holding exactly mask"
        without = masks[(masks >> bit) & 1 == 0]
        counts[without] -= counts[without | (1 << bit)]
    counts[0] = 0
    scores = combination_scores(idf_weights)
    threshold = cut(scores, counts, target_hits)
    kept = [within[mask] for mask in range(1, 1 << terms) if scores[mask] >= threshold]
    return DocIdSet.union(*kept)


def _pruned(sources: list[_Source], shape: Bm25Sum, wanted: int, total: int) -> TextHits:
    """Long lists: score only the documents that may reach the top (module docstring)."""
    scored = [s for s in sources if s.scores is not None]
    theta = _lower_bound(scored, sources, shape, wanted)
    ceiling = sum(s.weight * s.scores.maximum for s in scored if s.scores is not None)
    slack = SLACK * ceiling
    if not theta > slack:  # no bound (or not a number): score every match
        lids = lids_of(DocIdSet.union(*[s.postings.docids for s in sources]))
        return _top(lids, _scores(lids, sources, shape), wanted, total, -math.inf)
    lids = _candidates(scored, theta - slack, ceiling)
    return _top(lids, _scores(lids, sources, shape), wanted, total, theta - slack)


def _one_term(source: _Source, scores: TermScores, shape: Bm25Sum, wanted: int) -> TextHits:
    """A lone word: its own best contributions, with no lookups in other lists."""
    contributions = scores.contributions
    size = contributions.size
    if size <= wanted:
        positions: Positions = slice(None)
    else:
        # Every document of the list is a match, so the k-th best contribution is a floor.
        floor = scores.kth_best(wanted) * (1 - SLACK)
        positions = np.flatnonzero(contributions >= floor)
    lids = source.postings.lids[positions]
    per_field = {name: np.zeros(lids.size) for name in shape.fields}
    per_field[source.field] = contributions[positions]  # 0.0 + c is c for every c >= 0
    ranked = np.asarray(shape.combine(per_field), dtype=np.float64)
    chosen = best_positions(lids, ranked, wanted)
    return TextHits(lids[chosen], ranked[chosen], size)


def _floor(sources: list[_Source], wanted: int) -> float:
    """A score below the ``wanted``-th best: the best k-th contribution of any one term."""
    best = 0.0
    for source in sources:
        if source.scores is not None:
            best = max(best, source.weight * source.scores.kth_best(wanted))
    return best * (1 - SLACK) if best > 0 else -math.inf


def _lower_bound(
    scored: list[_Source], sources: list[_Source], shape: Bm25Sum, wanted: int
) -> float:
    """A score the ``wanted``-th best match reaches for sure (0 when unknown).

    The best k-th contribution of any one term, or the k-th best exact score among
    the documents holding each term's k best contributions, whichever is higher.
    """
    bound = max((s.weight * s.scores.kth_best(wanted) for s in scored if s.scores), default=0.0)
    if len(scored) < 2:
        return bound
    seeds = [s.scores.best_lids(wanted) for s in scored if s.scores is not None]
    lids = np.unique(np.concatenate(seeds))
    if lids.size < wanted:
        return bound
    scores = _scores(lids, sources, shape)
    return max(bound, float(np.partition(scores, lids.size - wanted)[lids.size - wanted]))


def _candidates(scored: list[_Source], floor: float, ceiling: float) -> LidArray:
    """The sorted lids that may score ``floor`` or more; see the module docstring."""
    bounds = [s.weight * s.scores.maximum for s in scored if s.scores is not None]
    below = 0.0
    kept: list[DocIdSet] = []
    for i in np.argsort(bounds, kind="stable").tolist():
        source = scored[i]
        if below + bounds[i] < floor:
            below += bounds[i]  # on its own this term cannot reach the floor
            continue
        assert source.scores is not None
        cut = (floor - (ceiling - bounds[i])) / source.weight
        if cut <= 0:
            kept.append(source.postings.docids)
        else:
            kept.append(docids_from_lids(source.postings.lids[source.scores.contributions >= cut]))
    return lids_of(kept[0] if len(kept) == 1 else DocIdSet.union(*kept))


def _scores(lids: LidArray, sources: Sequence[_Source], shape: Bm25Sum) -> FloatArray:
    """The first-phase score of each of the sorted ``lids``, as the generic path computes it."""
    per_field = {name: np.zeros(lids.size) for name in shape.fields}
    positions = CandidatePositions(lids)
    for source in sources:
        if source.scores is None:
            continue
        in_lids, in_postings = positions.pair(source.postings)
        per_field[source.field][in_lids] += source.scores.contributions[in_postings]
    scores = np.asarray(shape.combine(per_field), dtype=np.float64)
    return np.full(lids.size, float(scores)) if scores.ndim == 0 else scores


def _top(lids: LidArray, scores: FloatArray, wanted: int, total: int, floor: float) -> TextHits:
    """The best ``wanted`` of ``lids``; none scoring below ``floor`` can be among them."""
    if floor > -math.inf and lids.size > wanted:
        above = np.flatnonzero(scores >= floor)
        lids, scores = lids[above], scores[above]
    chosen = best_positions(lids, scores, wanted)
    return TextHits(lids[chosen], scores[chosen], total)


class _Scratch:
    """Zeroed lid-indexed float arrays to lend out; each is zeroed again before it returns.

    A search that finds none free (another thread holds it) gets a new one.
    """

    def __init__(self) -> None:
        self._free: list[FloatArray] = []

    def take(self, size: int) -> FloatArray:
        try:
            buffer = self._free.pop()
        except IndexError:
            return np.zeros(size)
        if buffer.size < size:
            return np.zeros(max(size, 2 * buffer.size))
        return buffer

    def give(self, buffer: FloatArray) -> None:
        self._free.append(buffer)
