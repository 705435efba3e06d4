"""Ranking expressions must parse: errors name the file, line, column and rank profile.

Each schema file is checked for the profiles it declares itself (inherited profiles are
checked in their own file), with `vespid.expression.parse_expression`.
"""

from __future__ import annotations

from collections.abc import Iterator

from configserver.schema.lexer import offset_pos
from configserver.schema.model import Constant, Expression, Input, RankProfile
from configserver.validation.context import ValidationContext
from configserver.validation.schema_rules import tensor_type_problem
from vespid.expression import ExpressionSyntaxError, parse_expression


def expressions_parse(ctx: ValidationContext) -> None:
    """Every function and phase expression of every rank profile is syntactically valid."""
    for schema in ctx.package.schemas:
        for profile in schema.rank_profiles:
            for where, expression in _expressions(profile):
                try:
                    parse_expression(expression.text)
                except ExpressionSyntaxError as e:
                    pos = offset_pos(expression.text, e.position, expression.pos)
                    ctx.report(
                        f"{profile.path or schema.path}:{pos.line}:{pos.col}: {e.reason} in "
                        f"rank-profile '{profile.name}' {where}"
                    )


def input_and_constant_types(ctx: ValidationContext) -> None:
    """Tensor types of rank-profile inputs and constants are valid tensor types."""
    for schema in ctx.package.schemas:
        for profile in schema.rank_profiles:
            items: list[Input | Constant] = [*profile.inputs, *profile.constants]
            for item in items:
                if item.type.startswith("tensor"):
                    problem = tensor_type_problem(item.type)
                    if problem:
                        ctx.report(
                            f"{profile.path or schema.path}:{item.pos.line}:{item.pos.col}: "
                            f"{problem} "
                            f"of '{item.name}' in rank-profile '{profile.name}'"
                        )


def _expressions(profile: RankProfile) -> Iterator[tuple[str, Expression]]:
    for function in profile.functions:
        yield f"function '{function.name}'", function.expression
    for where, phase in (
        ("first-phase", profile.first_phase),
        ("second-phase", profile.second_phase),
        ("global-phase", profile.global_phase),
    ):
        if phase is not None and phase.expression is not None:
            yield where, phase.expression
