"""Compile an expression tree into vectorised numpy evaluation over a batch of candidates.

`compile_expression` inlines user functions, lists the rank features the result needs
and builds a tree of closures. `CompiledExpression.evaluate(resolver, n)` then runs it
once for all ``n`` candidates: each value is a float (the same for every candidate), a
float64 array of shape ``(n,)`` (one per candidate) or a `Tensor`, and numpy
broadcasting does the rest. ``if`` evaluates only the branch it needs when the condition
is the same for every candidate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from vespid.expression import functions as fn, tensor_build, tensor_nodes
from vespid.expression.ast import (
    Binary,
    Call,
    Feature,
    If,
    In,
    LambdaCall,
    Neg,
    Node,
    Not,
    Num,
    Reduce,
    Rename,
    Slice,
    Str,
    TensorCall,
    TensorGenerate,
    TensorLiteral,
)
from vespid.expression.env import Env, Fn, Resolver
from vespid.expression.errors import ExpressionCompileError
from vespid.expression.inline import (
    FeatureRef,
    FunctionDef,
    feature_ref,
    free_features,
    inline_functions,
)
from vespid.expression.printer import to_text
from vespid.expression.tensor import Tensor
from vespid.expression.tensor_ops import reduce
from vespid.expression.types import FeatureTypes, resolve_reductions
from vespid.expression.values import (
    Value,
    apply_binary,
    apply_unary,
    mask_of,
    scalar_result,
    select,
    simplify,
    string_hash,
)

_EMPTY_FUNCTIONS: Mapping[str, FunctionDef] = {}


class CompiledExpression:
    """An expression ready to evaluate; build it with `compile_expression`."""

    def __init__(self, node: Node, fn_: Fn, features: frozenset[FeatureRef]) -> None:
        self.node = node
        """The expression with every user function inlined."""
        self.features = features
        """Every rank feature the expression may read."""
        self._fn = fn_

    def evaluate(self, resolver: Resolver, n: int) -> np.ndarray:
        """Evaluate for ``n`` candidates: a float64 array of shape (n,)."""
        return scalar_result(self.evaluate_value(resolver, n), n, to_text(self.node))

    def evaluate_value(self, resolver: Resolver, n: int) -> Value:
        """Evaluate for ``n`` candidates, keeping a tensor result a tensor."""
        return self._fn(Env(resolver, n))

    def __repr__(self) -> str:
        return f"CompiledExpression({to_text(self.node)!r})"


def compile_expression(
    node: Node,
    functions: Mapping[str, FunctionDef] = _EMPTY_FUNCTIONS,
    feature_types: FeatureTypes | None = None,
) -> CompiledExpression:
    """Inline ``functions`` into ``node`` and compile the result. With ``feature_types``
    (see `vespid.expression.types.infer_type`), ``max(t, x)`` over a tensor with a
    dimension ``x`` is known to be a reduction at compile time, so ``x`` is not listed
    among the features."""
    inlined = inline_functions(node, functions)
    if feature_types is not None:
        inlined = resolve_reductions(inlined, feature_types)
    return CompiledExpression(
        inlined, compile_node(inlined, frozenset()), frozenset(free_features(inlined))
    )


def compile_node(node: Node, bound: frozenset[str]) -> Fn:
    """Compile one node; ``bound`` holds the names of variables in scope."""
    compiler = _COMPILERS.get(type(node))
    if compiler is None:
        raise ExpressionCompileError(f"cannot evaluate '{to_text(node)}' ({type(node).__name__})")
    return compiler(node, bound)


def _num(node: Node, _bound: frozenset[str]) -> Fn:
    assert isinstance(node, Num)
    value = float(node.value)
    return lambda _env: value


def _str(node: Node, _bound: frozenset[str]) -> Fn:
    assert isinstance(node, Str)
    value = string_hash(node.value)
    return lambda _env: value


def _feature(node: Node, bound: frozenset[str]) -> Fn:
    assert isinstance(node, Feature)
    if node.name in bound and not node.args and node.output is None:
        name = node.name
        return lambda env: env.variables[name]
    ref = feature_ref(node)
    return lambda env: env.feature(ref)


def _unary(node: Node, bound: frozenset[str]) -> Fn:
    assert isinstance(node, Neg | Not)
    operand = compile_node(node.operand, bound)
    op = fn.negate if isinstance(node, Neg) else fn.logical_not
    return lambda env: apply_unary(op, operand(env))


def _binary(node: Node, bound: frozenset[str]) -> Fn:
    assert isinstance(node, Binary)
    left, right = compile_node(node.left, bound), compile_node(node.right, bound)
    op = fn.BINARY_OPERATORS[node.op]
    return lambda env: apply_binary(op, left(env), right(env))


def _call(node: Node, bound: frozenset[str]) -> Fn:
    assert isinstance(node, Call)
    args = [compile_node(a, bound) for a in node.args]
    if len(args) == 1:
        unary = fn.UNARY_FUNCTIONS[node.name]
        return lambda env: apply_unary(unary, args[0](env))
    binary = fn.BINARY_FUNCTIONS[node.name]
    if node.name in ("max", "min"):
        return _max_min(node, binary, args, bound)
    return lambda env: apply_binary(binary, args[0](env), args[1](env))


def _if(node: Node, bound: frozenset[str]) -> Fn:
    assert isinstance(node, If)
    condition = compile_node(node.condition, bound)
    then, otherwise = compile_node(node.then, bound), compile_node(node.otherwise, bound)

    def evaluate(env: Env) -> Value:
        mask = condition(env)
        if isinstance(mask, float):
            return then(env) if mask != 0.0 else otherwise(env)
        truth = fn.truth(mask_of(mask, "if condition"))
        if truth.all():
            return then(env)
        if not truth.any():
            return otherwise(env)
        return select(truth, then(env), otherwise(env))

    return evaluate


def _in(node: Node, bound: frozenset[str]) -> Fn:
    assert isinstance(node, In)
    operand = compile_node(node.operand, bound)
    items = [compile_node(i, bound) for i in node.items]
    equal = fn.BINARY_OPERATORS["=="]
    either = fn.BINARY_OPERATORS["||"]

    def evaluate(env: Env) -> Value:
        value = operand(env)
        result: Value = 0.0
        for item in items:
            result = apply_binary(either, result, apply_binary(equal, value, item(env)))
        return result

    return evaluate


_COMPILERS: dict[type[Node], Callable[[Node, frozenset[str]], Fn]] = {
    Num: _num,
    Str: _str,
    Feature: _feature,
    Neg: _unary,
    Not: _unary,
    Binary: _binary,
    Call: _call,
    If: _if,
    In: _in,
    Reduce: lambda node, bound: tensor_nodes.compile_reduce(node, bound, compile_node),
    LambdaCall: lambda node, bound: tensor_nodes.compile_lambda_call(node, bound, compile_node),
    TensorCall: lambda node, bound: tensor_nodes.compile_tensor_call(node, bound, compile_node),
    Rename: lambda node, bound: tensor_nodes.compile_rename(node, bound, compile_node),
    TensorLiteral: lambda node, bound: tensor_build.compile_literal(node, bound, compile_node),
    TensorGenerate: lambda node, bound: tensor_build.compile_generate(node, bound, compile_node),
    Slice: lambda node, bound: tensor_build.compile_slice(node, bound, compile_node),
}
"""How each node type compiles (a `Lambda` only inside the function that takes it)."""


def _max_min(
    node: Call, binary: Callable[[Value, Value], Value], args: list[Fn], bound: frozenset[str]
) -> Fn:
    """``max(a, b)``: when ``b`` is a bare name and ``a`` a tensor with that dimension, it is
    ``reduce(a, max, b)``; otherwise the elementwise maximum."""
    second = node.args[1]
    bare = isinstance(second, Feature) and not second.args and second.output is None
    dimension = second.name if isinstance(second, Feature) and bare else None
    if dimension is None or dimension in bound:
        return lambda env: apply_binary(binary, args[0](env), args[1](env))

    def evaluate(env: Env) -> Value:
        first = args[0](env)
        if isinstance(first, Tensor) and first.type.dimension(dimension) is not None:
            return simplify(reduce(first, node.name, (dimension,)))
        return apply_binary(binary, first, args[1](env))

    return evaluate
