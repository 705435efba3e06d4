"""User functions: definitions, inlining into the expression that calls them, and the
rank features an inlined expression needs.

A call ``f(a, b)`` to a user function ``f(x, y)`` is replaced by ``f``'s body with ``x``
and ``y`` substituted by the argument expressions, recursively, so the compiled
expression only contains built-ins and rank-feature references. Lambda parameters and
generator dimensions shadow function and feature names inside their bodies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from vespid.expression.ast import (
    Feature,
    Lambda,
    NamedArg,
    Node,
    Slice,
    TensorGenerate,
    TensorLiteral,
)
from vespid.expression.errors import ExpressionCompileError
from vespid.expression.printer import to_text


@dataclass(frozen=True, slots=True)
class FeatureRef:
    """A rank feature an expression reads, e.g. ``FeatureRef("bm25", ("title",))`` for
    ``bm25(title)`` or ``FeatureRef("fieldMatch", ("title",), "completeness")``.
    Arguments are the printed text of each argument expression."""

    name: str
    args: tuple[str, ...] = ()
    output: str | None = None

    def __str__(self) -> str:
        text = self.name + (f"({','.join(self.args)})" if self.args else "")
        return text + (f".{self.output}" if self.output is not None else "")


@dataclass(frozen=True, slots=True)
class FunctionDef:
    """A user function of a rank profile: parameter names and the body's tree."""

    arguments: tuple[str, ...]
    body: Node


def feature_ref(node: Feature) -> FeatureRef:
    """The reference a `Feature` node stands for."""
    return FeatureRef(node.name, tuple(to_text(a) for a in node.args), node.output)


def inline_functions(node: Node, functions: Mapping[str, FunctionDef]) -> Node:
    """Return ``node`` with every call to a function of ``functions`` replaced by its body."""
    return _Inliner(functions).inline(node, frozenset(), ())


class _Inliner:
    def __init__(self, functions: Mapping[str, FunctionDef]) -> None:
        self.functions = functions

    def inline(self, node: Node, bound: frozenset[str], stack: tuple[str, ...]) -> Node:
        if isinstance(node, Feature) and node.name not in bound and node.name in self.functions:
            return self._call(node, bound, stack)
        extra = _binds(node)
        inner = bound | extra
        return map_children(node, lambda child: self.inline(child, inner, stack))

    def _call(self, node: Feature, bound: frozenset[str], stack: tuple[str, ...]) -> Node:
        function = self.functions[node.name]
        if node.name in stack:
            cycle = " -> ".join((*stack, node.name))
            raise ExpressionCompileError(f"function '{node.name}' calls itself: {cycle}")
        if len(node.args) != len(function.arguments):
            raise ExpressionCompileError(
                f"function '{node.name}' takes {len(function.arguments)} arguments "
                f"({', '.join(function.arguments)}), got {len(node.args)} in '{to_text(node)}'"
            )
        if any(isinstance(a, NamedArg) for a in node.args):
            raise ExpressionCompileError(
                f"function '{node.name}' takes no named arguments (in '{to_text(node)}')"
            )
        if node.output is not None:
            raise ExpressionCompileError(
                f"function '{node.name}' has no output '{node.output}' (in '{to_text(node)}')"
            )
        args = [self.inline(a, bound, stack) for a in node.args]
        body = substitute(function.body, dict(zip(function.arguments, args, strict=True)))
        return self.inline(body, bound, (*stack, node.name))


def substitute(node: Node, values: Mapping[str, Node]) -> Node:
    """Replace free references ``name`` (no arguments, no output) by ``values[name]``."""
    if not values:
        return node
    if isinstance(node, Feature) and not node.args and node.output is None:
        return values.get(node.name, node)
    shadowed = _binds(node)
    remaining = {k: v for k, v in values.items() if k not in shadowed}
    return map_children(node, lambda child: substitute(child, remaining))


def _binds(node: Node) -> frozenset[str]:
    """Names a node binds inside its children (lambda parameters, generator dimensions)."""
    if isinstance(node, Lambda):
        return frozenset(node.params)
    if isinstance(node, TensorGenerate):
        return frozenset(node.type.dimension_names)
    return frozenset()


def map_children(node: Node, fn: Callable[[Node], Node]) -> Node:
    """A copy of ``node`` with ``fn`` applied to each direct child expression."""
    changes: dict[str, object] = {}
    for field in dataclasses.fields(node):  # type: ignore[arg-type]
        value = getattr(node, field.name)
        if isinstance(value, Node):
            changes[field.name] = fn(value)
        elif field.name in ("args", "items"):
            changes[field.name] = tuple(fn(v) for v in value)
        elif isinstance(node, Slice) and field.name == "address":
            changes[field.name] = tuple((d, fn(v)) for d, v in value)
        elif isinstance(node, TensorLiteral) and field.name == "cells":
            changes[field.name] = tuple((labels, fn(v)) for labels, v in value)
    return dataclasses.replace(node, **changes) if changes else node  # type: ignore[type-var]


def children(node: Node) -> list[Node]:
    """The direct child expressions of ``node``."""
    found: list[Node] = []

    def collect(child: Node) -> Node:
        found.append(child)
        return child

    map_children(node, collect)
    return found


def free_features(node: Node, bound: frozenset[str] = frozenset()) -> set[FeatureRef]:
    """Every feature reference in ``node`` not bound by a lambda or generator around it."""
    if isinstance(node, Feature):
        return set() if node.name in bound and not node.args else {feature_ref(node)}
    refs: set[FeatureRef] = set()
    inner = bound | _binds(node)
    for child in children(node):
        refs |= free_features(child, inner)
    return refs
