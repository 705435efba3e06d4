"""nativeRank and its parts, following Vespa's nativeRank reference, vectorised.

``nativeRank = (100 * nativeFieldMatch + 25 * nativeProximity + 100 *
nativeAttributeMatch) / 225`` (weights from the rank-properties
``nativeRank.fieldMatchWeight``, ``.proximityWeight``, ``.attributeMatchWeight``), as
Vespa divides by the sum of all three weights.

nativeFieldMatch: for every query term i and every index field j it searches,
``0.5 * firstOccurrenceTable[firstOcc * 256 / max(6, fieldLength)] + 0.5 *
occurrenceCountTable[numOccs * 256 / max(6, fieldLength)]`` (indexes truncated and
capped at 255), weighted by term significance * term weight * field weight (100) and
normalised by the tables' maxima. Tables are Vespa's defaults: expdecay(8000, 12.5) and
loggrowth(1500, 4000, 19). Significance is Vespa's legacy significance
``0.5 + 0.5 * log(1e6 / f) / log(1e6)`` with f the document frequency rescaled to a
corpus of a million documents (the largest over the term's fields).

nativeProximity: for each index field, term pairs from a sliding window of 4 over the
terms searching it; a pair weighs ``connectedness * (sig_a * w_a + sig_b * w_b)`` with
connectedness 0.1 divided by the pair's distance in the query; its boost is
``0.5 * proximityTable[d_ab - 1] + 0.5 * reverseProximityTable[d_ba - 1]`` with the
minimum forward (a before b) and reverse distances and tables expdecay(500, 3) and
expdecay(400, 3); normalised by their maxima.

nativeAttributeMatch: each attribute term counts
``sign(w) * weightTable[|w|] / max(weightTable)`` with the default linear table, where
w is 1 for a single-value attribute, the occurrences in an array and the weight in a
weighted set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from content.index import ELEMENT_GAP, LidArray
from content.ranking.match_data import FloatArray, MatchedTerm
from content.ranking.text_features import term_frequencies

TABLE_SIZE = 256
_X = np.arange(TABLE_SIZE, dtype=np.float64)
FIRST_OCCURRENCE = 8000.0 * np.exp(-_X / 12.5)
OCCURRENCE_COUNT = 1500.0 * np.log(1.0 + _X / 19.0) + 4000.0
PROXIMITY = 500.0 * np.exp(-_X / 3.0)
REVERSE_PROXIMITY = 400.0 * np.exp(-_X / 3.0)
WEIGHT_TABLE_MAX = float(TABLE_SIZE - 1)
FIELD_MATCH_MAX = 0.5 * float(FIRST_OCCURRENCE.max()) + 0.5 * float(OCCURRENCE_COUNT.max())
PROXIMITY_MAX = 0.5 * float(PROXIMITY.max()) + 0.5 * float(REVERSE_PROXIMITY.max())
WINDOW = 4
CONNECTEDNESS = 0.1
SIGNIFICANCE_CORPUS = 1_000_000.0


def significance(document_frequency: int, document_count: int) -> float:
    """Return Vespa's legacy term significance (0.5 for an unseen term, up to 1)."""
    if document_count == 0:
        return 0.5
    frequency = min(
        max(1.0, document_frequency * SIGNIFICANCE_CORPUS / document_count), SIGNIFICANCE_CORPUS
    )
    log_count = math.log(SIGNIFICANCE_CORPUS)
    return 0.5 + 0.5 * (log_count - math.log(frequency)) / log_count


def native_rank(
    terms: Sequence[MatchedTerm],
    lids: LidArray,
    document_count: int,
    properties: Mapping[str, str],
) -> FloatArray:
    """Return nativeRank per candidate."""
    field_weight = float(properties.get("nativeRank.fieldMatchWeight", 100.0))
    proximity_weight = float(properties.get("nativeRank.proximityWeight", 25.0))
    attribute_weight = float(properties.get("nativeRank.attributeMatchWeight", 100.0))
    total = field_weight + proximity_weight + attribute_weight
    if total <= 0:
        return np.zeros(lids.size)
    score = field_weight * native_field_match(terms, lids, document_count)
    score += proximity_weight * native_proximity(terms, lids, document_count)
    score += attribute_weight * native_attribute_match(terms, lids)
    return score / total


def native_field_match(
    terms: Sequence[MatchedTerm], lids: LidArray, document_count: int
) -> FloatArray:
    """Return nativeFieldMatch per candidate (0 when no term searches an index)."""
    text = [t for t in terms if t.index is not None]
    weights = _term_weights(text, document_count)
    numerator = np.zeros(lids.size)
    denominator = 0.0
    for term in text:
        assert term.index is not None
        weight = weights[term.term_index]
        denominator += weight * FIELD_MATCH_MAX
        tf = term_frequencies(term, lids)
        length = np.maximum(term.index.field_lengths(lids), 6.0)
        first = _table(FIRST_OCCURRENCE, _first_positions(term, lids) * TABLE_SIZE / length)
        count = _table(OCCURRENCE_COUNT, tf * TABLE_SIZE / length)
        numerator += np.where(tf > 0, weight * (0.5 * first + 0.5 * count), 0.0)
    return numerator / denominator if denominator > 0 else numerator


def native_proximity(
    terms: Sequence[MatchedTerm], lids: LidArray, document_count: int
) -> FloatArray:
    """Return nativeProximity per candidate (0 without term pairs in an index field)."""
    text = [t for t in terms if t.index is not None]
    weights = _term_weights(text, document_count)
    numerator = np.zeros(lids.size)
    denominator = 0.0
    for field in dict.fromkeys(t.field for t in text):
        ordered = sorted((t for t in text if t.field == field), key=lambda t: t.term_index)
        for i, left in enumerate(ordered):
            for gap, right in enumerate(ordered[i + 1 : i + WINDOW], start=1):
                pair = (CONNECTEDNESS / gap) * (
                    weights[left.term_index] + weights[right.term_index]
                )
                denominator += pair * PROXIMITY_MAX
                forward = _min_distances(_keys(left), _keys(right), lids)
                backward = _min_distances(_keys(right), _keys(left), lids)
                numerator += pair * (
                    0.5 * _table(PROXIMITY, forward - 1, missing=forward)
                    + 0.5 * _table(REVERSE_PROXIMITY, backward - 1, missing=backward)
                )
    return numerator / denominator if denominator > 0 else numerator


def native_attribute_match(terms: Sequence[MatchedTerm], lids: LidArray) -> FloatArray:
    """Return nativeAttributeMatch per candidate (0 when no term searches an attribute)."""
    attribute = [t for t in terms if t.index is None]
    numerator = np.zeros(lids.size)
    denominator = 0.0
    for term in attribute:
        denominator += term.weight * WEIGHT_TABLE_MAX
        weights = _attribute_weights(term, lids)
        numerator += term.weight * np.sign(weights) * np.minimum(np.abs(weights), 255.0)
    return numerator / denominator if denominator > 0 else numerator


def _attribute_weights(term: MatchedTerm, lids: LidArray) -> FloatArray:
    """Per candidate: Vespa's w for the term (1, occurrences or weight; 0 if unmatched)."""
    out = np.zeros(lids.size)
    if term.lids.size == 0:
        return out
    position = np.minimum(np.searchsorted(term.lids, lids), term.lids.size - 1)
    hit = term.lids[position] == lids
    if term.attribute_weights is None:
        out[hit] = 1.0
    else:
        out[hit] = term.attribute_weights[position[hit]]
    return out


def _term_weights(terms: Sequence[MatchedTerm], document_count: int) -> dict[int, float]:
    frequency: dict[int, int] = {}
    weight: dict[int, int] = {}
    for term in terms:
        frequency[term.term_index] = max(frequency.get(term.term_index, 0), term.document_frequency)
        weight[term.term_index] = term.weight
    return {i: significance(frequency[i], document_count) * weight[i] for i in frequency}


def _table(table: np.ndarray, index: FloatArray, missing: FloatArray | None = None) -> FloatArray:
    position = np.clip(np.floor(index), 0, TABLE_SIZE - 1).astype(np.intp)
    values: FloatArray = table[position]
    if missing is not None:
        values = np.where(np.isfinite(missing), values, 0.0)
    return values


def _keys(term: MatchedTerm) -> np.ndarray:
    postings = term.alternatives[:1] if term.phrase else term.alternatives
    if not postings:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.concatenate([p.position_keys for p in postings]))


def _min_distances(before: np.ndarray, after: np.ndarray, lids: LidArray) -> FloatArray:
    """Per candidate, the smallest positive ``after - before`` position gap (inf if none)."""
    out = np.full(lids.size, np.inf)
    if before.size == 0 or after.size == 0:
        return out
    previous = np.searchsorted(before, after, "left") - 1
    valid = previous >= 0
    anchors, follows = before[previous[valid]], after[valid]
    same = (anchors >> 32) == (follows >> 32)
    gaps = (follows - anchors)[same].astype(np.float64)
    owners = (follows[same] >> 32).astype(np.uint32)
    position = np.searchsorted(lids, owners)
    inside = position < lids.size
    inside[inside] = lids[position[inside]] == owners[inside]
    np.minimum.at(out, position[inside], gaps[inside])
    return out


def _first_positions(term: MatchedTerm, lids: LidArray) -> FloatArray:
    """Per candidate, the position of the term's first occurrence in its element."""
    keys = _keys(term)
    if keys.size == 0:
        return np.zeros(lids.size)
    at = np.minimum(np.searchsorted(keys, lids.astype(np.int64) << 32), keys.size - 1)
    same = (keys[at] >> 32) == lids
    return np.where(same, (keys[at] & 0xFFFFFFFF) % ELEMENT_GAP, 0).astype(np.float64)
