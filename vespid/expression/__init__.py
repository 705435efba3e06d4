"""The ranking-expression language: parse, print, compile and evaluate Vespa expressions.

Parsing and printing::

    node = parse_expression("bm25(title) + 0.1 * attribute(year)")   # -> Node (frozen AST)
    str(node) == to_text(node)                                          # parseable text

Compiling a rank profile's expression, once per config generation::

    functions = {"f": FunctionDef(("x",), parse_expression("x * 2"))}
    compiled = compile_expression(node, functions)      # user functions inlined
    compiled.features   # frozenset[FeatureRef]: every rank feature it may read, e.g.
                        # FeatureRef("bm25", ("title",)), FeatureRef("query", ("q",)),
                        # FeatureRef("fieldMatch", ("t",), "completeness")

Evaluating for ``n`` candidate documents at once::

    scores = compiled.evaluate(resolver, n)             # np.ndarray, shape (n,), float64

Contract for content nodes: ``resolver.feature(ref)`` is called at most once per
feature per evaluation, only for features in ``compiled.features`` and only when
evaluation needs them (``if`` with a condition that is the same for all candidates skips
the other branch). It must return one of:

- a ``float`` (or int/bool): the same value for every candidate (``query(x)`` scalars,
  constants, ``now``);
- an ``np.ndarray`` of shape ``(n,)``: one value per candidate, in candidate order
  (``bm25(title)``, ``attribute(year)``, ``nativeRank``...);
- a `Tensor`: ``Tensor.from_dense(type, values, batched=True)`` with values of shape
  ``(n, *dense)`` or ``Tensor.stack(type, [cells per candidate])`` for per-document
  tensors (``attribute(embedding)``), or a shared tensor (``batched=False``,
  ``Tensor.from_cells`` / `tensor_from_json` / `tensor_from_literal`) for query inputs
  and constants;
- a ``str``, or an array of shape ``(n,)`` of str (dtype ``U`` or ``object``): strings
  compare with string literals by hash, e.g. ``attribute(genre) == "rock"`` or
  ``attribute(genre) in ["rock", "pop"]``.

Raise your own error (or return 0.0) for features you do not know. Expressions that
give a tensor are refused by ``evaluate``; ``evaluate_value`` returns the value itself
(a float, an array of shape (n,) or a `Tensor`, for summary and match features). A
``max(a, b)``/``min(a, b)`` whose ``b`` is a bare name lists ``b`` as a feature but reads
it only when ``a`` is not a tensor with a dimension ``b`` (else it is ``reduce(a, max, b)``);
``compile_expression(node, functions, feature_types)`` settles this at compile time.
Errors are `ExpressionError` subclasses: `ExpressionSyntaxError` (with ``position``),
`ExpressionCompileError` (arity, recursion), `ExpressionEvaluationError` (values that do
not fit an operation), `TensorTypeError` (bad tensor types or values).

Types, for prepare-time checks::

    infer_type(node, feature_types, functions) -> TensorType   # NUMBER for a number

where ``feature_types(ref)`` gives each feature's type (None: a number); it raises
`ExpressionTypeError` quoting the sub-expression whose types do not fit.

Tensor values: `Tensor` (cells batched over candidates, see `vespid.expression.tensor`),
`TensorType`/`parse_tensor_type`, and conversions `tensor_from_json` / `tensor_to_json`
(Vespa's JSON forms), `stack_json` (one JSON value per candidate) and
`tensor_from_literal` (query text such as ``[1,2,3]`` or ``{a:1,b:2}``).
"""

from __future__ import annotations

from vespid.expression.ast import Node
from vespid.expression.compiler import CompiledExpression, compile_expression
from vespid.expression.env import Resolver
from vespid.expression.errors import (
    ExpressionCompileError,
    ExpressionError,
    ExpressionEvaluationError,
    ExpressionSyntaxError,
    TensorTypeError,
)
from vespid.expression.inline import FeatureRef, FunctionDef
from vespid.expression.parser import parse_expression
from vespid.expression.printer import to_text
from vespid.expression.tensor import Tensor
from vespid.expression.tensor_convert import (
    stack_json,
    tensor_from_json,
    tensor_from_literal,
    tensor_to_json,
)
from vespid.expression.tensor_type import Dimension, TensorType, parse_tensor_type
from vespid.expression.types import NUMBER, ExpressionTypeError, FeatureTypes, infer_type

__all__ = [
    "NUMBER",
    "CompiledExpression",
    "Dimension",
    "ExpressionCompileError",
    "ExpressionError",
    "ExpressionEvaluationError",
    "ExpressionSyntaxError",
    "ExpressionTypeError",
    "FeatureRef",
    "FeatureTypes",
    "FunctionDef",
    "Node",
    "Resolver",
    "Tensor",
    "TensorType",
    "TensorTypeError",
    "compile_expression",
    "infer_type",
    "parse_expression",
    "parse_tensor_type",
    "stack_json",
    "tensor_from_json",
    "tensor_from_literal",
    "tensor_to_json",
    "to_text",
]
