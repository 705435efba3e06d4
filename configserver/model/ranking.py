"""Flatten rank profiles: inheritance merged, Vespa's implicit profiles added.

Every schema has a `default` profile (first phase `nativeRank`) and an `unranked`
profile (first phase `0`), unless it declares its own. A profile without `inherits`
inherits `default`. With several parents, the first gives the phases and settings;
inputs, constants, functions and rank properties of all parents are merged, then the
profile's own declarations replace same-named ones. `match-features`,
`summary-features` and `rank-features` are inherited unless redeclared; a
redeclaration keeps the lists of the profiles it names after `inherits`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from configserver.schema.model import Features, Phase, RankProfile
from configserver.schema.resolve import ResolvedSchema
from vespid.config import (
    ConstantConfig,
    FunctionConfig,
    InputConfig,
    RankProfileConfig,
)

IMPLICIT_PROFILES = (RankProfile("default"), RankProfile("unranked"))
_UNRANKED = RankProfileConfig("unranked", first_phase="0", keep_rank_count=0)
_N = TypeVar("_N", InputConfig, ConstantConfig, FunctionConfig)


def flatten_profiles(schema: ResolvedSchema, errors: list[str]) -> tuple[RankProfileConfig, ...]:
    """Return every rank profile of ``schema`` flattened; problems go to ``errors``."""
    declared = {p.name: p for p in schema.rank_profiles}
    profiles = {p.name: p for p in IMPLICIT_PROFILES} | declared
    done: dict[str, RankProfileConfig] = {}

    def flatten(name: str, stack: tuple[str, ...]) -> RankProfileConfig:
        if name in done:
            return done[name]
        profile = profiles[name]
        if profile is IMPLICIT_PROFILES[1]:
            done[name] = _UNRANKED
            return _UNRANKED
        parents: list[RankProfileConfig] = []
        where = schema.at(profile.pos, profile.path)
        for parent in _parents_of(profile):
            if parent in stack or parent == name:
                cycle = " -> ".join((*stack, name, parent))
                errors.append(f"{where}: rank-profile inheritance cycle: {cycle}")
            elif parent not in profiles:
                errors.append(
                    f"{where}: rank-profile '{name}' inherits unknown rank-profile '{parent}'"
                )
            else:
                parents.append(flatten(parent, (*stack, name)))
        done[name] = _apply(profile, parents, done, schema, errors)
        return done[name]

    return tuple(flatten(name, ()) for name in profiles)


def _parents_of(profile: RankProfile) -> tuple[str, ...]:
    if profile.inherits:
        # Vespa accepts `rank-profile default inherits default` and means plain default.
        return tuple(p for p in profile.inherits if not (p == profile.name == "default"))
    return () if profile.name in ("default", "unranked") else ("default",)


def _apply(
    p: RankProfile,
    parents: Sequence[RankProfileConfig],
    done: dict[str, RankProfileConfig],
    schema: ResolvedSchema,
    errors: list[str],
) -> RankProfileConfig:
    base = replace(parents[0], name=p.name) if parents else RankProfileConfig(p.name)
    inputs, constants, functions = list(base.inputs), list(base.constants), list(base.functions)
    properties = list(base.rank_properties)
    for other in parents[1:]:
        inputs = _by_name(inputs, other.inputs)
        constants = _by_name(constants, other.constants)
        functions = _by_name(functions, other.functions)
        properties += [kv for kv in other.rank_properties if kv not in properties]
    own_inputs = [InputConfig(i.name, i.type, i.default) for i in p.inputs]
    own_constants = [ConstantConfig(c.name, c.type, c.value) for c in p.constants]
    own_functions = [FunctionConfig(f.name, f.arguments, f.expression.text) for f in p.functions]
    config = replace(
        base,
        inputs=tuple(_by_name(inputs, own_inputs)),
        constants=tuple(_by_name(constants, own_constants)),
        functions=tuple(_by_name(functions, own_functions)),
        rank_properties=tuple(properties + list(p.rank_properties)),
    )
    config = _phases(config, p)
    if p.match_features is not None:
        matched = _features(p.match_features, "match_features", p, done, schema, errors)
        config = replace(config, match_features=matched)
    if p.summary_features is not None:
        summary = _features(p.summary_features, "summary_features", p, done, schema, errors)
        config = replace(config, summary_features=summary)
    if p.rank_features is not None:
        listed = _features(p.rank_features, "rank_features", p, done, schema, errors)
        config = replace(config, rank_features=listed)
    if p.ignore_default_rank_features:
        config = replace(config, ignore_default_rank_features=True)
    if p.approximate_threshold is not None:
        config = replace(config, approximate_threshold=p.approximate_threshold)
    if p.post_filter_threshold is not None:
        config = replace(config, post_filter_threshold=p.post_filter_threshold)
    if p.target_hits_max_adjustment_factor is not None:
        factor = p.target_hits_max_adjustment_factor
        config = replace(config, target_hits_max_adjustment_factor=factor)
    return config


def _phases(config: RankProfileConfig, p: RankProfile) -> RankProfileConfig:
    first, second, global_ = p.first_phase, p.second_phase, p.global_phase
    if first is not None:
        config = _first_phase(config, first)
    if second is not None:
        if second.expression is not None:
            config = replace(config, second_phase=second.expression.text)
        if second.rerank_count is not None:
            config = replace(config, rerank_count=second.rerank_count)
    if global_ is not None:
        if global_.expression is not None:
            config = replace(config, global_phase=global_.expression.text)
        if global_.rerank_count is not None:
            config = replace(config, global_rerank_count=global_.rerank_count)
    return config


def _first_phase(config: RankProfileConfig, first: Phase) -> RankProfileConfig:
    if first.expression is not None:
        config = replace(config, first_phase=first.expression.text)
    if first.keep_rank_count is not None:
        config = replace(config, keep_rank_count=first.keep_rank_count)
    if first.rank_score_drop_limit is not None:
        config = replace(config, rank_score_drop_limit=first.rank_score_drop_limit)
    return config


def _features(
    features: Features,
    attr: str,
    p: RankProfile,
    done: dict[str, RankProfileConfig],
    schema: ResolvedSchema,
    errors: list[str],
) -> tuple[str, ...]:
    result: list[str] = []
    for name in features.inherits:
        if name not in _parents_of(p) or name not in done:
            kind = attr.replace("_", "-")
            errors.append(
                f"{schema.at(p.pos, p.path)}: {kind} of rank-profile '{p.name}' inherits "
                f"'{name}', which is not a parent of the profile"
            )
            continue
        result += [f for f in getattr(done[name], attr) if f not in result]
    return tuple(result + [f for f in features.features if f not in result])


def _by_name(items: Sequence[_N], own: Sequence[_N]) -> list[_N]:
    names = {o.name for o in own}
    return [i for i in items if i.name not in names] + list(own)
