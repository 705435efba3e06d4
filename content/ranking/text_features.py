"""Text rank features over a candidate set: bm25, matchCount, fieldMatch, nativeRank.

All functions take the candidates as a sorted lid array and return one float64 value
per candidate, computed with numpy from the matched terms' posting lists.

``bm25(field)`` is Vespa's formula exactly: for each query term searching the field,
``IDF * tf * (k1 + 1) / (tf + k1 * (1 - b + b * field_length / avg_field_length))``
with ``IDF = log(1 + (N - n + 0.5) / (n + 0.5))``, N the documents on the node, n those
holding the term in the field, k1 = 1.2 and b = 0.75 unless the profile's
rank-properties set ``bm25(field).k1``, ``.b`` or ``.averageFieldLength``; the average
field length is over the documents that have the field.

``fieldMatch(field)`` computes Vespa's queryCompleteness (matches / query terms
searching the field), fieldCompleteness (matches / field length) and
``completeness = queryCompleteness * 0.95 + 0.05 * fieldCompleteness``, and returns
completeness as the score: Vespa's score also weighs in proximity, order and
segmentation metrics, which are left out (an approximation).

nativeRank lives in `content.ranking.native_rank`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from content.index import LidArray, TermPostings, phrase_frequencies
from content.index.field_index import Positions
from content.ranking.match_data import FloatArray, MatchedTerm

K1 = 1.2
B = 0.75
FIELD_COMPLETENESS_IMPORTANCE = 0.05


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
    positions = CandidatePositions(lids)
    for term in terms:
        if term.field != field or term.index is None:
            continue
        average = float(
            properties.get(f"bm25({field}).averageFieldLength", term.index.average_field_length)
        )
        weight = idf(document_count, term.document_frequency)
        if len(term.alternatives) == 1 and not term.phrase:
            # One posting list: score only the candidates holding the term, reading
            # frequencies and field lengths straight from the postings.
            postings = term.alternatives[0]
            in_lids, in_postings = positions.pair(postings)
            tf = postings.term_frequencies[in_postings]
            length = postings.field_lengths[in_postings]
            score[in_lids] += weight * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
            continue
        tf = term_frequencies(term, lids)
        length = term.index.field_lengths(lids)
        score += weight * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
    return score


class CandidatePositions:
    """Finds where each posting of a term sits among sorted candidate lids.

    Few candidates: binary search (`TermPostings.matches_in`). Many: a dense
    lid → position table, built once and shared by every term, so each term costs
    one gather over its postings instead of a search per posting.
    """

    DENSE_FROM = 2048
    """Candidate count from which the dense table pays for itself."""

    def __init__(self, lids: LidArray) -> None:
        self.lids = lids
        self._table: npt.NDArray[np.intp] | None = None

    def pair(self, postings: TermPostings) -> tuple[Positions, Positions]:
        """Return ``(in_lids, in_postings)`` as `TermPostings.matches_in` does."""
        if self.lids.size < self.DENSE_FROM:
            return postings.matches_in(self.lids)
        if self._table is None:
            self._table = np.full(int(self.lids[-1]) + 1, -1, dtype=np.intp)
            self._table[self.lids] = np.arange(self.lids.size)
        table = self._table
        inside = postings.lids[: np.searchsorted(postings.lids, table.size)]
        where = table[inside]
        found = np.flatnonzero(where >= 0)
        return where[found], found


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
    completeness = query_completeness * (1 - FIELD_COMPLETENESS_IMPORTANCE) + (
        FIELD_COMPLETENESS_IMPORTANCE * field_completeness
    )
    return {
        "": completeness,
        "matches": matches,
        "queryCompleteness": query_completeness,
        "fieldCompleteness": field_completeness,
        "completeness": completeness,
    }


def _zeros(lids: LidArray) -> FloatArray:
    return np.zeros(lids.size)
