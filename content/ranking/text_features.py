"""Text rank features over a candidate set: bm25, matchCount, fieldMatch, nativeRank.

All functions take the candidates as a sorted lid array and return one float64 value
per candidate, computed with numpy from the matched terms' posting lists.

``bm25(field)`` is Vespa's formula exactly: for each query term searching the field,
``IDF * tf * (k1 + 1) / (tf + k1 * (1 - b + b * field_length / avg_field_length))``
with ``IDF = log(1 + (N - n + 0.5) / (n + 0.5))``, N the documents on the node, n those
holding the term in the field, k1 = 1.2 and b = 0.75 unless the profile's
rank-properties set ``bm25(field).k1``, ``.b`` or ``.averageFieldLength``; the average
field length is over the documents that have the field.

``fieldMatch(field)`` computes Vespa's queryCompleteness, fieldCompleteness and their
combination ``completeness = fieldCompleteness^0.05 * queryCompleteness^0.95``, and
returns completeness as the score: Vespa also multiplies in proximity, order and
segmentation metrics, which are left out (an approximation).

``nativeRank`` approximates Vespa's: a weighted mean (100 : 25 : 100) of
nativeFieldMatch, nativeProximity and nativeAttributeMatch over the components that
have query terms. nativeFieldMatch per term and field is the mean of a first-occurrence
boost ``exp(-position / 12.5)`` and an occurrence boost ``1 - exp(-tf)`` (Vespa uses
tables of similar shape), averaged over terms with weight * IDF as significance;
nativeProximity is 1 for a term pair adjacent and in order, falling off as
``exp(-gap / 4)`` (anchored on first occurrences); nativeAttributeMatch is the share
of attribute terms that matched. Values lie in [0, 1] like Vespa's.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from content.index import LidArray, phrase_frequencies
from content.ranking.match_data import FloatArray, MatchedTerm

K1 = 1.2
B = 0.75


def term_frequencies(term: MatchedTerm, lids: LidArray) -> FloatArray:
    """Return the term's occurrences in each candidate (1 per match for attributes)."""
    if term.index is None:
        return np.isin(lids, term.lids).astype(np.float64)
    if term.phrase:
        if len(term.alternatives) > 1:
            return phrase_frequencies(term.alternatives, lids) * np.isin(lids, term.lids)
        return term.alternatives[0].frequencies_for(lids) if term.alternatives else _zeros(lids)
    total = _zeros(lids)
    for postings in term.alternatives:
        total += postings.frequencies_for(lids)
    return total


def idf(document_count: int, document_frequency: int) -> float:
    """Return Vespa's bm25 inverse document frequency."""
    n = document_frequency
    return math.log(1 + (document_count - n + 0.5) / (n + 0.5))


def bm25(
    field: str,
    terms: Sequence[MatchedTerm],
    lids: LidArray,
    document_count: int,
    properties: Mapping[str, str],
) -> FloatArray:
    """Return ``bm25(field)`` for each candidate."""
    k1 = float(properties.get(f"bm25({field}).k1", K1))
    b = float(properties.get(f"bm25({field}).b", B))
    score = _zeros(lids)
    for term in terms:
        if term.field != field or term.index is None:
            continue
        average = float(
            properties.get(f"bm25({field}).averageFieldLength", term.index.average_field_length)
        )
        tf = term_frequencies(term, lids)
        length = term.index.field_lengths(lids)
        weight = idf(document_count, term.document_frequency)
        score += weight * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
    return score


def match_count(field: str | None, terms: Sequence[MatchedTerm], lids: LidArray) -> FloatArray:
    """Return how many distinct query terms matched each candidate (in ``field`` if given)."""
    matched: dict[int, npt.NDArray[np.bool_]] = {}
    for term in terms:
        if field is not None and term.field != field:
            continue
        hit = np.isin(lids, term.lids)
        previous = matched.get(term.term_index)
        matched[term.term_index] = hit if previous is None else previous | hit
    total = _zeros(lids)
    for found in matched.values():
        total += found
    return total


def field_match(field: str, terms: Sequence[MatchedTerm], lids: LidArray) -> dict[str, FloatArray]:
    """Return fieldMatch(field) outputs: the score and its completeness metrics."""
    searching = {t.term_index for t in terms if t.field == field}
    matches = match_count(field, terms, lids)
    query_completeness = matches / max(len(searching), 1)
    index = next((t.index for t in terms if t.field == field and t.index is not None), None)
    if index is None:
        field_completeness = np.where(matches > 0, 1.0, 0.0)
    else:
        length = index.field_lengths(lids)
        field_completeness = np.minimum(matches / np.maximum(length, 1.0), 1.0)
    completeness = field_completeness**0.05 * query_completeness**0.95
    return {
        "": completeness,
        "matches": matches,
        "queryCompleteness": query_completeness,
        "fieldCompleteness": field_completeness,
        "completeness": completeness,
    }


def native_rank(terms: Sequence[MatchedTerm], lids: LidArray, document_count: int) -> FloatArray:
    """Return the approximate nativeRank (see the module docstring) per candidate."""
    text = [t for t in terms if t.index is not None]
    attribute = [t for t in terms if t.index is None]
    parts: list[tuple[float, FloatArray]] = []
    if text:
        parts.append((100.0, native_field_match(text, lids, document_count)))
    if len({t.term_index for t in text}) > 1:
        parts.append((25.0, native_proximity(text, lids)))
    if attribute:
        parts.append((100.0, native_attribute_match(attribute, lids)))
    if not parts:
        return _zeros(lids)
    total = sum(weight for weight, _ in parts)
    return sum((weight * values for weight, values in parts), _zeros(lids)) / total


def native_attribute_match(terms: Sequence[MatchedTerm], lids: LidArray) -> FloatArray:
    """Return the share of the attribute terms that matched each candidate."""
    attribute = [t for t in terms if t.index is None]
    if not attribute:
        return _zeros(lids)
    return match_count(None, attribute, lids) / _distinct(attribute)


def native_field_match(
    terms: Sequence[MatchedTerm], lids: LidArray, document_count: int
) -> FloatArray:
    """Return the approximate nativeFieldMatch over the index terms per candidate."""
    terms = [t for t in terms if t.index is not None]
    if not terms:
        return _zeros(lids)
    best: dict[int, FloatArray] = {}
    significance: dict[int, float] = {}
    for term in terms:
        tf = term_frequencies(term, lids)
        first = _first_positions(term, lids)
        score = np.where(tf > 0, 0.5 * np.exp(-first / 12.5) + 0.5 * (1 - np.exp(-tf)), 0.0)
        previous = best.get(term.term_index)
        best[term.term_index] = score if previous is None else np.maximum(previous, score)
        weight = term.weight * max(idf(document_count, term.document_frequency), 1e-6)
        significance[term.term_index] = max(significance.get(term.term_index, 0.0), weight)
    total = sum(significance.values())
    combined = _zeros(lids)
    for term_index, score in best.items():
        combined += significance[term_index] * score
    return combined / total


def native_proximity(terms: Sequence[MatchedTerm], lids: LidArray) -> FloatArray:
    """Return the approximate nativeProximity of consecutive index-term pairs."""
    terms = [t for t in terms if t.index is not None]
    by_index: dict[int, MatchedTerm] = {}
    for term in terms:
        by_index.setdefault(term.term_index, term)
    ordered = [by_index[i] for i in sorted(by_index)]
    total = _zeros(lids)
    for left, right in itertools.pairwise(ordered):
        both = np.isin(lids, left.lids) & np.isin(lids, right.lids) & (left.field == right.field)
        gap = _first_positions(right, lids) - _first_positions(left, lids)
        total += np.where(both & (gap > 0), np.exp(-(np.abs(gap) - 1) / 4.0), 0.0)
    return total / max(len(ordered) - 1, 1)


def _first_positions(term: MatchedTerm, lids: LidArray) -> FloatArray:
    first = np.full(lids.size, np.inf)
    wanted = lids.astype(np.int64) << 32
    for postings in term.alternatives[:1] if term.phrase else term.alternatives:
        keys = postings.position_keys
        if keys.size == 0:
            continue
        at = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
        same = (keys[at] >> 32) == lids
        first = np.where(same, np.minimum(first, keys[at] & 0xFFFFFFFF), first)
    return np.where(np.isfinite(first), first, 0.0)


def _distinct(terms: Sequence[MatchedTerm]) -> float:
    return float(len({t.term_index for t in terms}))


def _zeros(lids: LidArray) -> FloatArray:
    return np.zeros(lids.size)
