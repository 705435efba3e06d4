"""Evaluation state shared by compiled closures: the resolver, batch size and variables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from vespid.expression.ast import Node
from vespid.expression.inline import FeatureRef
from vespid.expression.values import Value, from_resolver, repeat_rows


class Resolver(Protocol):
    """What a content node supplies: the value of each rank feature for the candidates."""

    def feature(self, ref: FeatureRef) -> object:
        """Return a float (same for all), an array of shape (n,), a `Tensor`, or a str."""
        ...


@dataclass(slots=True)
class Env:
    """Evaluation state: the resolver, the batch size, bound variables and a feature cache."""

    resolver: Resolver
    n: int
    variables: dict[str, Value] = field(default_factory=dict)
    cache: dict[FeatureRef, Value] = field(default_factory=dict)
    lift: Callable[[Value], Value] | None = None
    """Inside a lambda: turns a per-candidate value of the outer evaluation into one per row."""
    candidates: int = -1
    """The candidate count of the outermost evaluation (``n`` when -1)."""

    def feature(self, ref: FeatureRef) -> Value:
        """The value of ``ref``, asking the resolver once per evaluation."""
        value = self.cache.get(ref)
        if value is None:
            outer = self.candidates if self.candidates >= 0 else self.n
            value = from_resolver(self.resolver.feature(ref), ref, outer)
            self.cache[ref] = value
        return value if self.lift is None else self.lift(value)

    def bind(self, names: Sequence[str], values: Sequence[Value]) -> Env:
        """An environment with ``names`` bound to ``values``, sharing the feature cache."""
        variables = {**self.variables, **dict(zip(names, values, strict=True))}
        return Env(self.resolver, self.n, variables, self.cache, self.lift, self.candidates)

    def rows(self, count: int, per_candidate: int) -> Env:
        """An environment where each of this one's ``n`` candidates became ``per_candidate``
        consecutive rows (the cells a lambda is applied to), ``count`` rows in all."""
        n = self.n

        def repeat(value: Value) -> Value:
            return repeat_rows(value, n, per_candidate)

        outer = self.lift
        lift = repeat if outer is None else (lambda value: repeat(outer(value)))
        variables = {name: repeat(v) for name, v in self.variables.items()}
        candidates = self.candidates if self.candidates >= 0 else self.n
        return Env(self.resolver, count, variables, self.cache, lift, candidates)


Fn = Callable[[Env], Value]
"""A compiled expression node."""

CompileFn = Callable[[Node, frozenset[str]], Fn]
"""Compiles a child node given the variable names in scope."""
