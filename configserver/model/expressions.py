"""Prepare-time checks of rank-profile expressions against the derived schema.

Each profile declared in a schema file is compiled with `vespid.expression` using its
flattened functions (so recursion and wrong arity show up), and every rank feature the
phases read is checked against the schema: `attribute(f)` needs an attribute, `bm25(f)`
an index, `closeness(field, f)`/`distance(field, f)` a tensor attribute, field-match
features an existing field, `constant(c)` a declared constant, and any other name must
be a rank feature Vespa knows (`configserver.model.rank_features`). Then the phase is
typed with `vespid.expression.infer_type` from the declared types of attributes,
`query(...)` inputs and constants: tensor types that do not fit are refused, and so is a
phase that gives a tensor instead of a number. Syntax was checked before
(`configserver.validation.expression_rules`). Messages name file, line, column (of the
offending feature where the phase's own text has it), profile and phase:
`schemas/music.sd:12:5: unknown field 'yaer' in 'attribute(yaer)' in rank-profile
'default' first-phase`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from configserver.model.rank_features import ARITY, RANK_FEATURES, UNTYPED_FEATURES
from configserver.schema.lexer import Pos, offset_pos
from configserver.schema.model import RankProfile
from configserver.schema.resolve import ResolvedSchema
from vespid.config import FieldConfig, RankProfileConfig, SchemaConfig
from vespid.expression import (
    ExpressionError,
    FeatureRef,
    FunctionDef,
    TensorType,
    compile_expression,
    infer_type,
    parse_expression,
)
from vespid.tensor_type import TensorTypeError, parse_tensor_type

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
            where = schema.at(declared.pos, declared.path)
            problems.append(f"{where}: {e} in rank-profile '{declared.name}'")
            continue
        types = _FeatureTypes(config, profile)
        for phase, text, own_pos in _phases(declared, profile):
            where = f"in rank-profile '{declared.name}' {phase}"
            problems += [
                f"{schema.at(at or declared.pos, declared.path)}: {message} {where}"
                for at, message in _check_phase(phase, text, own_pos, functions, types)
            ]
        profile_at = schema.at(declared.pos, declared.path)
        for kind, listed in (
            ("match-features", declared.match_features),
            ("summary-features", declared.summary_features),
            ("rank-features", declared.rank_features),
        ):
            for feature in listed.features if listed is not None else ():
                problems += [
                    f"{profile_at}: {message} in rank-profile '{declared.name}' {kind}"
                    for message in _check_listed(feature, functions, types)
                ]
    return problems


def _check_listed(
    text: str, functions: Mapping[str, FunctionDef], types: _FeatureTypes
) -> list[str]:
    """Return the problems of one feature of `match-features` or `summary-features`: the
    rank features it reads must exist, as in a phase, but it may give a tensor."""
    try:
        compiled = compile_expression(parse_expression(text), functions, types)
    except ExpressionError as e:
        return [f"{e} in '{text}'"]
    return [
        problem
        for feature in sorted(compiled.features, key=str)
        if (problem := _check_feature(feature, types.schema, types.profile))
    ]


def _check_phase(
    phase: str,
    text: str,
    pos: Pos | None,
    functions: Mapping[str, FunctionDef],
    types: _FeatureTypes,
) -> list[tuple[Pos | None, str]]:
    """Return (position, message) for each problem of one phase expression written at
    ``pos`` (None: inherited, so no position in this file)."""
    try:
        compiled = compile_expression(parse_expression(text), functions, types)
    except ExpressionError as e:
        return [(pos, str(e))]
    problems = [
        (_locate(text, feature, pos), problem)
        for feature in sorted(compiled.features, key=str)
        if (problem := _check_feature(feature, types.schema, types.profile))
    ]
    if problems or not all(types.knows(f) for f in compiled.features):
        return problems
    try:
        result = infer_type(compiled.node, types)
    except (ExpressionError, TensorTypeError) as e:
        return [(_locate_quoted(text, e.message, pos), e.message)]
    if result.dimensions:
        return [(pos, f"the {phase} expression must give a number, but gives {result}")]
    return []


class _FeatureTypes:
    """The declared type of each rank feature of a profile (None: a number), for
    `infer_type`; `knows` says whether the type can be known at all."""

    def __init__(self, schema: SchemaConfig, profile: RankProfileConfig) -> None:
        self.schema = schema
        self.profile = profile
        self.inputs = {i.name: i.type for i in profile.inputs}
        self.constants = {c.name: c.type for c in profile.constants}

    def knows(self, ref: FeatureRef) -> bool:
        """False for tensors typed by a model or by data, and for undeclared query
        inputs (a query profile type may declare them)."""
        if ref.name in UNTYPED_FEATURES:
            return False
        return not (ref.name == "query" and ref.args and ref.args[0] not in self.inputs)

    def __call__(self, ref: FeatureRef) -> TensorType | None:
        declared: str | None = None
        if ref.name == "attribute" and len(ref.args) == 1 and ref.output is None:
            field = self.schema.field(ref.args[0])
            declared = field.type if field is not None else None
        elif ref.name == "query" and len(ref.args) == 1 and ref.output is None:
            declared = self.inputs.get(ref.args[0])
        elif ref.name == "constant" and len(ref.args) == 1:
            declared = self.constants.get(ref.args[0])
        elif not ref.args and ref.output is None and ref.name not in RANK_FEATURES:
            declared = self.constants.get(ref.name)
        if declared is None or not declared.startswith("tensor"):
            return None
        try:
            return parse_tensor_type(declared)
        except TensorTypeError:
            return None  # reported where the type is declared


_QUOTED = re.compile(r"in '([^']+)'")
_TOKEN = re.compile(r"\w+|\S")


def _locate_quoted(text: str, message: str, start: Pos | None) -> Pos | None:
    """Where the sub-expression a type error quotes (`... in 'a * b'`) is written in
    ``text``; ``start`` when it is not written there the way it prints (it came from a
    function, or the source spells numbers or spacing differently)."""
    quoted = _QUOTED.search(message)
    if start is None or quoted is None:
        return start
    tokens = _TOKEN.findall(quoted.group(1))
    pattern = "".join(
        re.escape(token) + ("" if i == len(tokens) - 1 else r"\s*")
        for i, token in enumerate(tokens)
    )
    match = re.search(rf"(?<![\w$@]){pattern}", text)
    return offset_pos(text, match.start(), start) if match else start


def _locate(text: str, ref: FeatureRef, start: Pos | None) -> Pos | None:
    """Where ``ref`` is written in ``text`` (which starts at ``start``); ``start`` when
    it is not there (it came from a function) or the text is inherited."""
    if start is None:
        return None
    name = re.escape(ref.name)
    patterns = [rf"(?<![\w$@]){name}(?![\w$@])"]
    if ref.args:
        first = re.escape(ref.args[0].strip("\"'"))
        patterns.insert(0, rf"(?<![\w$@]){name}\s*\(\s*[\"']?{first}(?![\w$@])")
    for pattern in patterns:
        match = re.search(pattern, text)
        if match is not None:
            return offset_pos(text, match.start(), start)
    return start


def _phases(
    declared: RankProfile, profile: RankProfileConfig
) -> Iterator[tuple[str, str, Pos | None]]:
    """Yield (phase, expression, position) for the phases the flattened profile has; the
    position is None for a phase inherited from another profile."""
    for phase, text, own in (
        ("first-phase", profile.first_phase, declared.first_phase),
        ("second-phase", profile.second_phase, declared.second_phase),
        ("global-phase", profile.global_phase, declared.global_phase),
    ):
        if text is None:
            continue
        yield phase, text, own.expression.pos if own and own.expression else None


def _check_feature(ref: FeatureRef, schema: SchemaConfig, profile: RankProfileConfig) -> str:
    arity = _arity_problem(ref)
    if arity:
        return arity
    check = _CHECKS.get(ref.name)
    if check is None and ref.name in _FIELD_FEATURES and ref.args:
        check = _field_exists
    if check is None and ref.name not in RANK_FEATURES:
        check = _unknown_name
    return check(ref, schema, profile) if check is not None else ""


def _arity_problem(ref: FeatureRef) -> str:
    least, most = ARITY.get(ref.name, (0, None))
    count = len(ref.args)
    if count >= least and (most is None or count <= most):
        return ""
    if least == most:
        wanted = f"{least} parameter{'' if least == 1 else 's'}"
    elif most is None:
        wanted = f"at least {least} parameters"
    else:
        wanted = f"{least} to {most} parameters"
    return f"rank feature '{ref.name}' takes {wanted}, got {count} in '{ref}'"


def _unknown_name(ref: FeatureRef, _: SchemaConfig, profile: RankProfileConfig) -> str:
    if ref.args or ref.output is not None:
        return f"unknown function '{ref.name}' in '{ref}'"
    if any(c.name == ref.name for c in profile.constants):
        return ""
    return f"unknown name '{ref.name}': not a function, constant or rank feature"


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
