"""The short path for the commonest vector query: one nearestNeighbor item, perhaps
filtered, ranked by its own closeness or distance.

``{targetHits:10}nearestNeighbor(embedding, q)``, alone or in an ``and`` with filters,
under a rank profile whose first phase reads nothing but ``closeness``/``distance`` of
that item (``closeness(field, embedding)``, ``distance(label, l)``, any arithmetic on
them) is most vector search. The general path builds match data, rank features and a
resolver per query; for this shape every candidate is a hit of the operator, whose
distances are already known, so :func:`plan_nearest_search` recognises the shape once
per (rank profile, query tree) and :func:`nearest_scores` feeds the distances straight
into the compiled first-phase expression.

The answer is the general path's by construction, not by imitation: the filters go
through the same :class:`~content.matching.evaluator.QueryEvaluator` methods, the
operator through the same :func:`~content.matching.nearest_neighbor.nearest_neighbors`,
closeness through the same formula, the first phase through the same compiled
expression; ``tests/unit/content/test_matching_nearest_search.py`` checks hits and
relevance against the general path. Anything else (a second phase, feature lists,
``rank-score-drop-limit``, ``order by``, other rank features, several nearestNeighbor
items) takes the general path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from content.attribute import METRICS, DenseTensorAttribute, closeness
from content.hnsw import NearestNeighborThresholds
from content.matching.catalog import FieldCatalog
from content.matching.nearest_neighbor import NearestNeighborQuery
from content.ranking import RankProgram
from content.ranking.match_data import FloatArray
from vespid.document.tensor_type import TensorType
from vespid.expression.ast import Feature, Node
from vespid.expression.inline import FeatureRef
from vespid.messages import AndItem, Item, NearestNeighborItem, NotItem

_NEAREST_FEATURES = ("closeness", "distance")
_NUMBERS = {int, float}


@dataclass(frozen=True, slots=True)
class NearestSearch:
    """A query tree and rank profile of the short path's shape, resolved once."""

    item: NearestNeighborItem
    filters: tuple[Item, ...]
    """The ``and``'s other children, evaluated as filters before the operator."""
    field: str
    """The tensor field searched; its attribute and graph are looked up per query, as
    a node may put freshly loaded ones in place."""
    metric: str
    query_type: TensorType
    settings: NearestNeighborQuery
    program: RankProgram
    plain_cells: int | None
    """Cells of a query tensor that may come as a plain list of numbers (a float or
    double vector), None when the query type needs the general reader."""
    bare: str | None
    """``closeness`` or ``distance`` when the first phase is that feature alone, which
    is then computed without the expression evaluator; None otherwise."""


def plan_nearest_search(
    tree: Item,
    program: RankProgram,
    catalog: FieldCatalog,
    thresholds: NearestNeighborThresholds,
) -> NearestSearch | None:
    """Return the short path for ``tree`` under ``program`` (whose nearestNeighbor
    thresholds are ``thresholds``), None when it does not apply."""
    profile = program.profile
    if (
        program.second_phase is not None
        or profile.match_features
        or profile.summary_features
        or profile.rank_score_drop_limit is not None
    ):
        return None
    found = _split(tree)
    if found is None:
        return None
    item, filters = found
    field = catalog.schema.field(item.field)
    if field is None or field.distance_metric not in METRICS:
        return None
    attribute = catalog.attributes.get(field.name)
    if not isinstance(attribute, DenseTensorAttribute):
        return None
    if not all(_reads_item(ref, item, field.name) for ref in program.first_phase.features):
        return None
    return NearestSearch(
        item,
        filters,
        field.name,
        field.distance_metric,
        attribute.query_type,
        NearestNeighborQuery(
            item.target_hits,
            item.distance_threshold,
            item.approximate,
            item.explore_additional_hits,
            thresholds,
        ),
        program,
        _plain_cells(attribute.query_type),
        _bare_feature(program.first_phase.node),
    )


def plain_query_vector(
    plan: NearestSearch, given: Mapping[str, Any] | None
) -> npt.NDArray[np.float32] | None:
    """The query tensor as float32 cells when it is a plain JSON list of numbers.

    Reads what `content.ranking.QueryInputs.dense_vector` reads from such a list, to
    the bit, with one conversion: numpy's own type inference rules out strings, None
    and nested lists, and a bool (which the general reader refuses) can only hide in
    a vector holding exact 0s or 1s, which is then type-checked element by element.
    Returns None for anything else, for the general reader to read or refuse.
    """
    name = plan.item.query_tensor
    if plan.plain_cells is None or not given or f"query({name})" in given:
        return None
    value = given.get(name)
    if type(value) is not list or len(value) != plan.plain_cells:
        return None
    try:
        inferred = np.array(value)
    except (ValueError, OverflowError):
        return None
    if inferred.dtype.kind not in "fi" or inferred.ndim != 1:
        return None
    cells = inferred.astype(np.float64, copy=False)
    if not np.isfinite(cells).all():
        return None
    if ((cells == 0.0) | (cells == 1.0)).any() and not set(map(type, value)) <= _NUMBERS:
        return None
    return cells.astype(np.float32)


def nearest_scores(plan: NearestSearch, distances: FloatArray) -> FloatArray:
    """Return the first-phase score of each hit, given the operator's distances."""
    if plan.bare == "closeness":
        return closeness(plan.metric, distances)
    if plan.bare == "distance":
        return distances
    resolver = _Resolver(plan.metric, distances)
    value = plan.program.first_phase.evaluate_value(resolver, distances.size)
    scores = np.asarray(value, dtype=np.float64)
    if scores.ndim == 0:
        return np.full(distances.size, float(scores))
    return scores


class _Resolver:
    """Answers closeness and distance of the one nearestNeighbor item, for every hit."""

    __slots__ = ("_distances", "_metric")

    def __init__(self, metric: str, distances: FloatArray) -> None:
        self._metric = metric
        self._distances = distances

    def feature(self, ref: FeatureRef) -> FloatArray:
        if ref.name == "distance":
            return self._distances
        return closeness(self._metric, self._distances)


def _bare_feature(node: Node) -> str | None:
    if isinstance(node, Feature) and node.name in _NEAREST_FEATURES and node.output is None:
        return node.name
    return None


def _plain_cells(query_type: TensorType) -> int | None:
    if query_type.cell_type not in ("float", "double") or query_type.mapped:
        return None
    return query_type.dense_size if len(query_type.indexed) == 1 else None


def _split(tree: Item) -> tuple[NearestNeighborItem, tuple[Item, ...]] | None:
    if isinstance(tree, NearestNeighborItem):
        return tree, ()
    if not isinstance(tree, AndItem):
        return None
    items = [c for c in tree.children if isinstance(c, NearestNeighborItem)]
    filters = tuple(c for c in tree.children if not isinstance(c, NearestNeighborItem))
    if len(items) != 1 or any(_has_nearest(f) for f in filters):
        return None
    return items[0], filters


def _has_nearest(item: Item) -> bool:
    if isinstance(item, NearestNeighborItem):
        return True
    if isinstance(item, NotItem):
        return _has_nearest(item.positive) or any(_has_nearest(n) for n in item.negatives)
    children: tuple[Item, ...] = getattr(item, "children", ())
    return any(_has_nearest(c) for c in children)


def _reads_item(ref: FeatureRef, item: NearestNeighborItem, field: str) -> bool:
    """Whether ``ref`` is closeness or distance of ``item``, as the rank features find it.

    `content.ranking.features` looks up ``(label, l)`` by the item's label and any
    other one or two arguments by the field named last.
    """
    if ref.name not in _NEAREST_FEATURES or ref.output is not None:
        return False
    if len(ref.args) == 2 and ref.args[0] == "label":
        return item.label == ref.args[1]
    return len(ref.args) in (1, 2) and ref.args[-1] == field
