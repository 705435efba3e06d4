"""First phases that are a positive-weighted sum of bm25 features, compiled for top-k.

Most text rank profiles rank by ``bm25(f)`` or a sum such as
``bm25(title) + 0.5 * bm25(body)``. Such a score only grows with each term's
contribution, which lets a top-k search skip documents whose best possible score
cannot reach the k-th best (`content.matching.text_query`). :func:`bm25_sum_of`
recognises the shape once per compiled profile and returns a :class:`Bm25Sum`: the
weight of each field's bm25 in the score, the field's k1, b and average-length
override, and a closure that combines per-field bm25 arrays with the same numpy
operations, in the same order, as the generic evaluator (`vespid.expression`), so
scores agree bit for bit.

Recognised: ``bm25(f)``, ``a + b`` and ``c * a`` / ``a * c`` where a and b are
recognised and c is a positive number, after user functions are inlined. Anything
else (and any profile with a second phase, match- or summary-features or a drop
limit, or with k1, b or averageFieldLength that could make a contribution negative or
not a number) is left to the generic evaluator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from content.ranking.match_data import FloatArray
from content.ranking.text_features import K1, B
from vespid.config import RankProfileConfig
from vespid.expression.ast import Binary, Feature, Node, Num

PerField = Mapping[str, FloatArray]
"""bm25 of each field, over the same candidates."""


@dataclass(frozen=True, slots=True)
class FieldBm25:
    """One field's bm25 settings and its weight in the score."""

    weight: float
    """d score / d bm25(field) (a sum of positive products)."""
    k1: float
    b: float
    average: float | None
    """The profile's ``averageFieldLength``, None to use the index's."""


@dataclass(frozen=True, slots=True)
class Bm25Sum:
    """A first phase recognised as a positive-weighted sum of bm25 features."""

    fields: Mapping[str, FieldBm25]
    combine: Callable[[PerField], FloatArray | float]
    """The first-phase score from each field's bm25 over the candidates."""


_Compiled = tuple[Callable[[PerField], FloatArray | float], dict[str, float]]


def bm25_sum_of(profile: RankProfileConfig, first_phase: Node) -> Bm25Sum | None:
    """Return ``first_phase`` (functions inlined) as a :class:`Bm25Sum`, or None."""
    if (
        profile.second_phase
        or profile.match_features
        or profile.summary_features
        or profile.rank_score_drop_limit is not None
    ):
        return None
    compiled = _compile(first_phase)
    if compiled is None:
        return None
    combine, weights = compiled
    properties = dict(profile.rank_properties)
    try:
        fields = {
            name: FieldBm25(
                weight,
                float(properties.get(f"bm25({name}).k1", K1)),
                float(properties.get(f"bm25({name}).b", B)),
                _optional(properties.get(f"bm25({name}).averageFieldLength")),
            )
            for name, weight in weights.items()
        }
    except ValueError:
        return None  # the generic evaluator reports the bad property
    if not all(_non_negative(f) for f in fields.values()):
        return None
    return Bm25Sum(fields, combine)


def _non_negative(settings: FieldBm25) -> bool:
    """Whether every contribution is a finite number >= 0, as pruning needs."""
    return (
        0 <= settings.k1 < math.inf
        and 0 <= settings.b <= 1
        and (settings.average is None or 0 < settings.average < math.inf)
    )


def _optional(text: str | None) -> float | None:
    return None if text is None else float(text)


def _compile(node: Node) -> _Compiled | None:
    if isinstance(node, Feature) and node.name == "bm25" and node.output is None:
        return _field(node.args)
    if not isinstance(node, Binary):
        return None
    if node.op == "+":
        left, right = _compile(node.left), _compile(node.right)
        if left is None or right is None:
            return None
        return _add(left, right)
    if node.op == "*":
        if isinstance(node.left, Num):
            return _scale(node.left.value, _compile(node.right), number_first=True)
        if isinstance(node.right, Num):
            return _scale(node.right.value, _compile(node.left), number_first=False)
    return None


def _field(args: tuple[Node, ...]) -> _Compiled | None:
    if len(args) != 1:
        return None
    arg = args[0]
    if not isinstance(arg, Feature) or arg.args or arg.output is not None:
        return None
    name = arg.name
    return (lambda per: per[name]), {name: 1.0}


def _add(left: _Compiled, right: _Compiled) -> _Compiled:
    first, second = left[0], right[0]
    weights = dict(left[1])
    for name, weight in right[1].items():
        weights[name] = weights.get(name, 0.0) + weight
    return (lambda per: first(per) + second(per)), weights


def _scale(factor: float, inner: _Compiled | None, *, number_first: bool) -> _Compiled | None:
    if inner is None or not 0 < factor < math.inf:
        return None
    compute, weights = inner
    scaled = {name: factor * weight for name, weight in weights.items()}
    if number_first:
        return (lambda per: factor * compute(per)), scaled
    return (lambda per: compute(per) * factor), scaled
