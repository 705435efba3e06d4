"""Evaluation state shared by compiled closures: the resolver, batch size and variables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from vespid.expression.ast import Node
from vespid.expression.inline import FeatureRef
from vespid.expression.values import Value, from_resolver


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

    def feature(self, ref: FeatureRef) -> Value:
        """The value of ``ref``, asking the resolver once per evaluation."""
        value = self.cache.get(ref)
        if value is None:
            value = from_resolver(self.resolver.feature(ref), ref, self.n)
            self.cache[ref] = value
        return value

    def bind(self, names: Sequence[str], values: Sequence[Value]) -> Env:
        """An environment with ``names`` bound to ``values``, sharing the feature cache."""
        variables = {**self.variables, **dict(zip(names, values, strict=True))}
        return Env(self.resolver, self.n, variables, self.cache)


Fn = Callable[[Env], Value]
"""A compiled expression node."""

CompileFn = Callable[[Node, frozenset[str]], Fn]
"""Compiles a child node given the variable names in scope."""
