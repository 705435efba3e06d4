"""A rank profile compiled for evaluation: first phase, second phase, feature lists.

:class:`RankProgram` parses and compiles every expression of a
:class:`RankProfileConfig` once (per config generation) with `vespid.expression`:
user functions are inlined, so a compiled expression only reads rank features, which
:class:`content.ranking.features.RankFeatures` computes per candidate batch.

Ranking one query (Vespa's phases):

1. first phase over every matched document, vectorised;
2. documents scoring at or below ``rank-score-drop-limit`` are dropped, and the best
   ``keep-rank-count`` are kept;
3. second phase (when defined) over the best ``rerank-count`` of those; they are
   placed above every document ranked by first phase only, as Vespa places
   re-ranked hits first.

Match-features and summary-features are computed only for the hits returned.
A profile whose first phase is a weighted sum of bm25 features also gets a
`content.ranking.bm25_sum.Bm25Sum`, which text queries rank with directly
(`content.matching.text_query`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from content.index import LidArray
from content.ranking.bm25_sum import bm25_sum_of
from content.ranking.features import FeatureValue, RankContext, RankFeatures
from content.ranking.match_data import FloatArray
from content.ranking.selection import best_set
from content.ranking.tensors import literal_cells, shared_tensor, tensor_json
from vespid.config import ConstantConfig, RankProfileConfig
from vespid.document.tensor_type import parse_tensor_type
from vespid.errors import InvalidQueryError
from vespid.expression import (
    ExpressionError,
    ExpressionEvaluationError,
    TensorTypeError,
    parse_expression,
)
from vespid.expression.compiler import CompiledExpression, compile_expression
from vespid.expression.inline import FeatureRef, FunctionDef
from vespid.expression.tensor import Tensor


@dataclass(frozen=True, slots=True)
class Ranking:
    """The outcome of ranking: the kept candidates (in no particular order) and scores."""

    lids: LidArray
    scores: FloatArray
    first_phase: FloatArray
    """First-phase score of each kept candidate (for ``firstPhase`` in feature lists)."""


class RankProgram:
    """One rank profile's compiled expressions."""

    def __init__(self, profile: RankProfileConfig) -> None:
        self.profile = profile
        functions = {
            f.name: FunctionDef(f.arguments, _parse(profile, f.name, f.expression))
            for f in profile.functions
        }
        self._functions = functions
        self.first_phase = self._compile("first-phase", profile.first_phase)
        self.second_phase = (
            self._compile("second-phase", profile.second_phase) if profile.second_phase else None
        )
        self._constants = {c.name: _constant_value(profile, c) for c in profile.constants}
        self._match_features = self._compile_list(profile.match_features)
        self._summary_features = self._compile_list(profile.summary_features)
        self.bm25_sum = bm25_sum_of(profile, self.first_phase.node)
        """The profile as a weighted bm25 sum for the lean text path, None if it is not one."""

    def first_phase_scores(self, context: RankContext, lids: LidArray) -> FloatArray:
        """Return the first-phase score of every one of ``lids``."""
        features = RankFeatures(context, lids)
        value = _evaluate(self.first_phase, _Resolver(self, features), lids.size, "first-phase")
        return _as_array(value, lids)

    def rank(self, context: RankContext, lids: LidArray) -> Ranking:
        """Rank the matched ``lids``; see the module docstring for the phases."""
        first = self.first_phase_scores(context, lids)
        limit = self.profile.rank_score_drop_limit
        if limit is not None:
            above = first > limit
            lids, first = lids[above], first[above]
        if lids.size > self.profile.keep_rank_count:
            kept = best_set(lids, first, self.profile.keep_rank_count)
            lids, first = lids[kept], first[kept]
        scores = first if self.second_phase is None else first.copy()
        if self.second_phase is not None and lids.size:
            top = best_set(lids, first, self.profile.rerank_count)
            rerank = RankFeatures(context, lids[top])
            rerank.first_phase = first[top]
            second = _as_array(
                _evaluate(self.second_phase, _Resolver(self, rerank), top.size, "second-phase"),
                lids[top],
            )
            rest = np.ones(lids.size, dtype=bool)
            rest[top] = False
            scores[top] = second
            scores[rest] = _below(first[rest], second)
        return Ranking(lids, scores, first)

    def hit_features(
        self, context: RankContext, lids: LidArray, first_phase: FloatArray
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Return match-features and summary-features of each hit in ``lids``.

        Numbers are floats; tensors are canonical tensor JSON (``type`` plus ``values``
        or ``cells``, as in docs/internals.md "Document values").
        """
        if not self._match_features and not self._summary_features:
            return [{} for _ in range(lids.size)], [{} for _ in range(lids.size)]
        match_rows, summary_rows = self._rows(
            context, lids, first_phase, self._match_features, self._summary_features
        )
        return match_rows, summary_rows

    def listed_features(
        self, context: RankContext, lids: LidArray, first_phase: FloatArray, names: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Return the features ``names`` of each hit in ``lids`` (`ranking.listFeatures`)."""
        (rows,) = self._rows(context, lids, first_phase, self._compile_list(names))
        return rows

    def _rows(
        self,
        context: RankContext,
        lids: LidArray,
        first_phase: FloatArray,
        *lists: list[tuple[str, CompiledExpression]],
    ) -> list[list[dict[str, Any]]]:
        """Each feature list's values per hit of ``lids``, computed over the hits sorted."""
        order = np.argsort(lids)
        features = RankFeatures(context, lids[order])
        features.first_phase = first_phase[order]
        resolver = _Resolver(self, features)
        back = np.argsort(order)
        out = []
        for compiled in lists:
            rows = _feature_rows(compiled, resolver, lids[order])
            out.append([rows[i] for i in back])
        return out

    def _compile(self, where: str, text: str) -> CompiledExpression:
        node = _parse(self.profile, where, text)
        try:
            return compile_expression(node, self._functions)
        except ExpressionError as e:
            raise InvalidQueryError(
                f"Rank profile '{self.profile.name}': {where} cannot be compiled: {e}"
            ) from e

    def _compile_list(self, names: Sequence[str]) -> list[tuple[str, CompiledExpression]]:
        return [(name, self._compile(f"feature {name}", name)) for name in names]

    def constant(self, name: str) -> float | Tensor | None:
        """Return the value of the profile constant called ``name``, None if there is none."""
        return self._constants.get(name)


class _Resolver:
    """Adapts :class:`RankFeatures` (and the profile's constants) to the evaluator."""

    def __init__(self, program: RankProgram, features: RankFeatures) -> None:
        self.program = program
        self.features = features

    def feature(self, ref: FeatureRef) -> Any:
        if ref.name == "constant" and len(ref.args) == 1:
            return self._constant(ref.args[0])
        if not ref.args and self.program.constant(ref.name) is not None:
            return self._constant(ref.name)
        value: FeatureValue = self.features.value(ref.name, ref.args, ref.output)
        return value

    def _constant(self, name: str) -> float | Tensor:
        constant = self.program.constant(name)
        if constant is None:
            raise InvalidQueryError(f"Rank profile has no constant '{name}'")
        return constant


def _evaluate(expression: CompiledExpression, resolver: _Resolver, n: int, where: str) -> Any:
    """Evaluate for ``n`` candidates; a value that does not fit (say a query tensor of
    the wrong type) is the query's fault, so it becomes an InvalidQueryError."""
    try:
        return expression.evaluate_value(resolver, n)
    except (ExpressionEvaluationError, TensorTypeError) as e:
        raise InvalidQueryError(f"Cannot evaluate {where}: {e}") from e


def _parse(profile: RankProfileConfig, where: str, text: str) -> Any:
    try:
        return parse_expression(text)
    except ExpressionError as e:
        raise InvalidQueryError(
            f"Rank profile '{profile.name}': {where} is not a valid expression: {e}"
        ) from e


def _constant_value(profile: RankProfileConfig, constant: ConstantConfig) -> float | Tensor:
    try:
        if constant.type.startswith("tensor"):
            tensor_type = parse_tensor_type(constant.type)
            return shared_tensor(tensor_type, literal_cells(constant.value, tensor_type))
        return float(constant.value)
    except (ExpressionError, ValueError) as e:
        raise InvalidQueryError(
            f"Rank profile '{profile.name}': constant '{constant.name}' is not a "
            f"{constant.type}: {e}"
        ) from e


def _as_array(value: Any, lids: LidArray) -> FloatArray:
    if isinstance(value, Tensor):
        raise InvalidQueryError(f"A rank phase must compute a number, not a {value.type}")
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full(lids.size, float(array))
    return array


def _below(scores: FloatArray, reranked: FloatArray) -> FloatArray:
    """Shift first-phase-only scores below the lowest re-ranked score, keeping order."""
    if scores.size == 0 or reranked.size == 0:
        return scores
    floor = float(np.nanmin(reranked))
    ceiling = float(np.nanmax(scores))
    if math.isnan(floor) or math.isnan(ceiling) or ceiling < floor:
        return scores
    return scores - (ceiling - floor) - 1.0


def _feature_rows(
    compiled: list[tuple[str, CompiledExpression]], resolver: _Resolver, lids: LidArray
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{} for _ in range(lids.size)]
    for name, expression in compiled:
        value = _evaluate(expression, resolver, lids.size, name)
        if isinstance(value, Tensor):
            for b, row in enumerate(rows):
                row[name] = tensor_json(value, b)
            continue
        for row, number in zip(rows, _as_array(value, lids).tolist(), strict=True):
            row[name] = number
    return rows
