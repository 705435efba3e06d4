"""Prepare-time checks of rank-profile expressions against the derived schema.

Each profile declared in a schema file is compiled with `vespid.expression` using its
flattened functions (so recursion and wrong arity show up), and every rank feature the
phases read is checked against the schema: `attribute(f)` needs an attribute, `bm25(f)`
an index, `closeness(field, f)`/`distance(field, f)` a tensor attribute, field-match
features an existing field, `constant(c)` a declared constant. Syntax was checked before
(`configserver.validation.expression_rules`). Messages name file, line, column, profile
and phase: `schemas/music.sd:12:5: unknown field 'yaer' in rank-profile 'default'
first-phase`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from configserver.schema.lexer import Pos
from configserver.schema.model import RankProfile
from configserver.schema.resolve import ResolvedSchema
from vespid.config import FieldConfig, RankProfileConfig, SchemaConfig
from vespid.expression import (
    ExpressionError,
    FeatureRef,
    FunctionDef,
    compile_expression,
    parse_expression,
)

_FIELD_FEATURES = frozenset(
    {"fieldMatch", "fieldLength", "fieldTermMatch", "matchCount", "matches", "nativeRank",
     "nativeFieldMatch", "nativeProximity", "textSimilarity", "elementCompleteness",
     "elementSimilarity", "fieldInfo", "attributeMatch"}
)  # fmt: skip
Check = Callable[[FeatureRef, SchemaConfig, RankProfileConfig], str]


def check_rank_expressions(schema: ResolvedSchema, config: SchemaConfig) -> list[str]:
    """Return a message for each problem in the profiles ``schema``'s file declares."""
    problems: list[str] = []
    flattened = {p.name: p for p in config.rank_profiles}
    for declared in schema.schema.rank_profiles:
        profile = flattened.get(declared.name)
        if profile is None:
            continue
        try:
            functions = {
                f.name: FunctionDef(f.arguments, parse_expression(f.expression))
                for f in profile.functions
            }
        except ExpressionError as e:
            problems.append(f"{schema.at(declared.pos)}: {e} in rank-profile '{declared.name}'")
            continue
        for phase, text, pos in _phases(declared, profile):
            where = f"in rank-profile '{declared.name}' {phase}"
            try:
                compiled = compile_expression(parse_expression(text), functions)
            except ExpressionError as e:
                problems.append(f"{schema.at(pos)}: {e} {where}")
                continue
            for feature in sorted(compiled.features, key=str):
                problem = _check_feature(feature, config, profile)
                if problem:
                    problems.append(f"{schema.at(pos)}: {problem} {where}")
    return problems


def _phases(declared: RankProfile, profile: RankProfileConfig) -> Iterator[tuple[str, str, Pos]]:
    """Yield (phase, expression, position) for the phases the flattened profile has."""
    for phase, text, own in (
        ("first-phase", profile.first_phase, declared.first_phase),
        ("second-phase", profile.second_phase, declared.second_phase),
        ("global-phase", profile.global_phase, declared.global_phase),
    ):
        if text is None:
            continue
        pos = declared.pos
        if own is not None and own.expression is not None:
            pos = own.expression.pos
        yield phase, text, pos


def _check_feature(ref: FeatureRef, schema: SchemaConfig, profile: RankProfileConfig) -> str:
    check = _CHECKS.get(ref.name)
    if check is None and ref.name in _FIELD_FEATURES and ref.args:
        check = _field_exists
    return check(ref, schema, profile) if check is not None else ""


def _field(ref: FeatureRef, schema: SchemaConfig, index: int = 0) -> FieldConfig | str:
    if len(ref.args) <= index:
        return f"'{ref}' needs a field name"
    name = ref.args[index].strip("\"'")
    field = schema.field(name)
    return field if field is not None else f"unknown field '{name}' in '{ref}'"


def _field_exists(ref: FeatureRef, schema: SchemaConfig, _: RankProfileConfig) -> str:
    found = _field(ref, schema)
    return found if isinstance(found, str) else ""


def _attribute(ref: FeatureRef, schema: SchemaConfig, _: RankProfileConfig) -> str:
    found = _field(ref, schema)
    if isinstance(found, str):
        return found
    return "" if found.attribute else f"field '{found.name}' in '{ref}' is not an attribute"


def _bm25(ref: FeatureRef, schema: SchemaConfig, _: RankProfileConfig) -> str:
    found = _field(ref, schema)
    if isinstance(found, str):
        return found
    return "" if found.index else f"field '{found.name}' in '{ref}' is not an index field"


def _nearest(ref: FeatureRef, schema: SchemaConfig, _: RankProfileConfig) -> str:
    if not ref.args or ref.args[0] != "field":
        return ""
    found = _field(ref, schema, 1)
    if isinstance(found, str):
        return found
    if not (found.attribute and found.type.startswith("tensor")):
        return f"field '{found.name}' in '{ref}' is not a tensor attribute"
    return ""


def _constant(ref: FeatureRef, _: SchemaConfig, profile: RankProfileConfig) -> str:
    name = ref.args[0] if ref.args else ""
    if any(c.name == name for c in profile.constants):
        return ""
    return f"unknown constant '{name}' in '{ref}'"


_CHECKS: dict[str, Check] = {
    "attribute": _attribute,
    "bm25": _bm25,
    "closeness": _nearest,
    "distance": _nearest,
    "constant": _constant,
}
