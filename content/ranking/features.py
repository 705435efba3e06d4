"""Rank features of a candidate set: the values ranking expressions read.

:class:`RankFeatures` answers a feature by name, arguments and output for every
candidate at once: a number (the same for all), or a float64 array with one value
per candidate. Supported:

| feature | value |
|---|---|
| ``bm25(f)``, ``matchCount(f)``, ``matches(f)``, ``fieldMatch(f)[.x]`` | `text_features` |
| ``nativeRank``, ``nativeRank(f, ...)`` | Vespa's nativeRank, see `native_rank` |
| ``attribute(f)`` | a numeric attribute's value (undefined value if missing); a tensor |
| ``query(x)`` | the request's input, else the profile default, else 0; tensors if declared |
| ``closeness(field, f)``, ``distance(field, f)`` | from the nearestNeighbor item on f |
| ``closeness(label, l)``, ``distance(label, l)`` | from the nearestNeighbor item labelled l |
| ``nativeFieldMatch``, ``nativeProximity``, ``nativeAttributeMatch`` | nativeRank's parts |
| ``fieldLength(f)`` | tokens in the field where a term matched it, else 1000000 |
| ``queryTermCount``, ``term(n).weight``, ``.significance`` | about the n-th ranked term |
| ``rawScore(f)`` | the dotProduct/wand/weightedSet score on f |
| ``now`` | the query's start time in seconds since the epoch |
| ``dotProduct(f, v)``, ``age(f)``, ``freshness(f)`` | see `attribute_features` |
| ``attribute(f).count``, ``attribute(f, k).weight``, ``.contains`` | arrays, weighted sets |
| ``closest(f)`` | ``{label: 1}`` for a mixed tensor's vector nearest the query |
| ``firstPhase`` | the first-phase score (in second phase and feature lists) |

closeness and distance follow Vespa's feature executors: a document the
nearestNeighbor operator returned gets the distance it computed; any other candidate
with a vector gets the distance computed on the fly from the same query vector (the
nearest of its vectors for a multi-vector field); a candidate without a vector, or a
query without a nearestNeighbor item on the field, gets distance = max double and
closeness 0. ``closest(f)`` looks at all of a candidate's vectors.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from content.attribute import (
    AnyAttribute,
    DenseTensorAttribute,
    MappedTensorAttribute,
    MixedTensorAttribute,
    NumericAttribute,
    closeness as closeness_of,
    closest_distances,
)
from content.index import LidArray
from content.ranking import attribute_features, native_rank, text_features
from content.ranking.inputs import QueryInputs
from content.ranking.match_data import FloatArray, MatchData, MatchedTerm, NearestMatch
from content.ranking.tensors import attribute_tensor, closest_tensor, shared_tensor
from vespid.errors import InvalidQueryError
from vespid.expression.tensor import Tensor

FeatureValue = float | FloatArray | Tensor
MAX_DISTANCE = sys.float_info.max


@dataclass(slots=True)
class RankContext:
    """What ranking one query needs besides the candidates."""

    attributes: Mapping[str, AnyAttribute]
    match_data: MatchData
    inputs: QueryInputs
    document_count: int
    properties: Mapping[str, str] = field(default_factory=dict)
    """The rank profile's rank-properties (``bm25(title).k1`` → ``1.5``)."""
    now: float = 0.0
    """Seconds since the epoch when the query started (the ``now`` feature)."""


class RankFeatures:
    """Feature values for one candidate set; values are computed once and cached.

    ``lids`` must be sorted (the features look candidates up by binary search).
    """

    def __init__(self, context: RankContext, lids: LidArray) -> None:
        self.context = context
        self.lids = lids
        self.first_phase: FloatArray | None = None
        self._cache: dict[tuple[str, tuple[str, ...], str | None], FeatureValue] = {}

    def value(self, name: str, args: tuple[str, ...], output: str | None) -> FeatureValue:
        """Return the feature for every candidate.

        Raises:
            InvalidQueryError: for an unknown feature or a field it cannot apply to.
        """
        key = (name, args, output)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._compute(name, args, output)
        return cached

    def _compute(self, name: str, args: tuple[str, ...], output: str | None) -> FeatureValue:
        data = self.context.match_data
        match name:
            case "bm25":
                return text_features.bm25(
                    _one(name, args),
                    data.terms,
                    self.lids,
                    self.context.document_count,
                    self.context.properties,
                )
            case "matchCount":
                return text_features.match_count(_one(name, args), data.terms, self.lids)
            case "matches":
                found = text_features.match_count(_one(name, args), data.terms, self.lids)
                return (found > 0).astype(np.float64)
            case "fieldMatch":
                outputs = text_features.field_match(_one(name, args), data.terms, self.lids)
                return _output(name, outputs, output or "")
            case "nativeRank" | "nativeFieldMatch" | "nativeProximity" | "nativeAttributeMatch":
                return self._native(name, [t for t in data.terms if not args or t.field in args])
            case "fieldLength":
                return self._field_length(_one(name, args))
            case "queryTermCount":
                return float(data.ranked_term_count)
            case "term" if output in ("weight", "significance"):
                return self._term(_one(name, args), output)
            case "now":
                return self.context.now
            case "attribute" if output is not None:
                attribute = self.context.attributes.get(args[0]) if args else None
                key = args[1] if len(args) == 2 else None
                return attribute_features.element_feature(
                    args[0] if args else "", attribute, key, output, self.lids
                )
            case "attribute":
                return self._attribute(_one(name, args))
            case "query":
                return self._query(_one(name, args))
            case "closeness" | "distance":
                return self._nearest(name, args)
            case "closest":
                return self._closest(_one(name, args))
            case "rawScore":
                return self._raw_score(_one(name, args))
            case "dotProduct" if len(args) == 2:
                vector = self.context.inputs.weighted_set(args[1])
                attribute = self.context.attributes.get(args[0])
                return attribute_features.dot_product(args[0], attribute, vector, self.lids)
            case "age" | "freshness":
                field = _one(name, args)
                attribute = self.context.attributes.get(field)
                if name == "age":
                    return attribute_features.age(field, attribute, self.context.now, self.lids)
                return attribute_features.freshness(
                    field, attribute, self.context.now, self.lids, self.context.properties
                )
            case "firstPhase" if self.first_phase is not None:
                return self.first_phase
        raise InvalidQueryError(f"Rank feature '{name}' is not supported")

    def _attribute(self, name: str) -> FloatArray | Tensor:
        attribute = self.context.attributes.get(name)
        if isinstance(
            attribute, DenseTensorAttribute | MappedTensorAttribute | MixedTensorAttribute
        ):
            return attribute_tensor(attribute, self.lids)
        if not isinstance(attribute, NumericAttribute):
            raise InvalidQueryError(
                f"attribute({name}) needs a single-value numeric or tensor attribute '{name}'"
            )
        return attribute.values_for(self.lids)

    def _query(self, name: str) -> float | Tensor:
        inputs = self.context.inputs
        tensor_type = inputs.tensor_type(name)
        if tensor_type is not None:
            return shared_tensor(tensor_type, inputs.cells(name, tensor_type))
        if isinstance(inputs.raw(name), list | dict):
            raise InvalidQueryError(
                f"query({name}) is a tensor; declare its type in the rank profile's inputs"
            )
        return inputs.number(name)

    def _nearest(self, name: str, args: tuple[str, ...]) -> FloatArray:
        if len(args) == 2 and args[0] == "label":
            found = next((n for n in self.context.match_data.nearest if n.label == args[1]), None)
        elif len(args) in (1, 2):
            target = args[-1]
            found = next((n for n in self.context.match_data.nearest if n.field == target), None)
        else:
            raise InvalidQueryError(f"{name} takes (field, name) or (label, name)")
        distance = self._distances(found)
        if name == "distance":
            return distance
        if found is None:
            return np.zeros(self.lids.size)
        return np.where(distance == MAX_DISTANCE, 0.0, closeness_of(found.metric, distance))

    def _closest(self, field: str) -> Tensor:
        attribute = self.context.attributes.get(field)
        found = next((n for n in self.context.match_data.nearest if n.field == field), None)
        if not isinstance(attribute, MixedTensorAttribute) or found is None:
            raise InvalidQueryError(
                f"closest({field}) needs a nearestNeighbor item on the mixed tensor '{field}'"
            )
        return closest_tensor(attribute, found.metric, found.query_vector, self.lids)

    def _distances(self, found: NearestMatch | None) -> FloatArray:
        out = np.full(self.lids.size, MAX_DISTANCE)
        if found is None:
            return out
        hit = np.zeros(self.lids.size, dtype=bool)
        if found.lids.size:
            position = np.minimum(np.searchsorted(found.lids, self.lids), found.lids.size - 1)
            hit = found.lids[position] == self.lids
            out[hit] = found.distances[position[hit]]
        attribute = self.context.attributes.get(found.field)
        others = self.lids[~hit]
        if others.size and isinstance(attribute, DenseTensorAttribute | MixedTensorAttribute):
            # Only candidates the operator did not return need a distance computed here.
            has, near = closest_distances(attribute, found.metric, found.query_vector, others)
            out[np.searchsorted(self.lids, has)] = near
        return out

    def _native(self, name: str, terms: list[MatchedTerm]) -> FloatArray:
        count = self.context.document_count
        if name == "nativeRank":
            return native_rank.native_rank(terms, self.lids, count, self.context.properties)
        if name == "nativeFieldMatch":
            return native_rank.native_field_match(terms, self.lids, count)
        if name == "nativeProximity":
            return native_rank.native_proximity(terms, self.lids, count)
        return native_rank.native_attribute_match(terms, self.lids)

    def _field_length(self, name: str) -> FloatArray:
        """Vespa: the field's length where a query term matched it, else 1000000."""
        terms = self.context.match_data.terms
        index = next((t.index for t in terms if t.field == name and t.index), None)
        unmatched = np.full(self.lids.size, 1_000_000.0)
        if index is None:
            return unmatched
        matched = text_features.match_count(name, terms, self.lids) > 0
        return np.where(matched, index.field_lengths(self.lids), unmatched)

    def _term(self, position: str, output: str) -> float:
        wanted = int(position) if position.isdigit() else -1
        terms = [t for t in self.context.match_data.terms if t.term_index == wanted]
        if not terms:
            return 0.0
        if output == "weight":
            return float(terms[0].weight)
        frequency = max(t.document_frequency for t in terms)
        return native_rank.significance(frequency, self.context.document_count)

    def _raw_score(self, name: str) -> FloatArray:
        scored = self.context.match_data.raw_scores.get(name)
        out = np.zeros(self.lids.size)
        if scored is None or scored[0].size == 0:
            return out
        lids, scores = scored
        position = np.minimum(np.searchsorted(lids, self.lids), lids.size - 1)
        hit = lids[position] == self.lids
        out[hit] = scores[position[hit]]
        return out


def _one(name: str, args: tuple[str, ...]) -> str:
    if len(args) != 1:
        raise InvalidQueryError(f"Rank feature {name} takes one argument, got {len(args)}")
    return args[0]


def _output(name: str, outputs: Mapping[str, FloatArray], output: str) -> FloatArray:
    if output not in outputs:
        raise InvalidQueryError(f"Rank feature {name} has no output '{output}'")
    return outputs[output]
