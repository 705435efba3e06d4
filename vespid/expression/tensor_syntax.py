"""Parsing of the tensor functions of the expression language, for the parser.

``reduce`` and its shortcuts (``sum(t, x)``, ``max(t)``), ``min``/``max`` with two
arguments (kept as math calls; the compiler decides), functions taking a lambda
(``map``, ``join``...), named tensor functions (``l2_normalize``, ``matmul``,
``cell_cast``...), ``rename``, tensor literals and generators, and Java's ``range`` and
``diag`` generators.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from vespid.expression.ast import (
    REDUCE_AGGREGATORS,
    Binary,
    Call,
    Feature,
    Lambda,
    LambdaCall,
    Node,
    Num,
    Reduce,
    Rename,
    TensorCall,
    TensorGenerate,
)
from vespid.expression.errors import ExpressionSyntaxError
from vespid.expression.lexer import Cursor, Kind, Token
from vespid.expression.literals import read_tensor_literal
from vespid.expression.tensor_type import (
    CELL_TYPES,
    Dimension,
    TensorType,
    read_dimension,
    read_tensor_type,
)
from vespid.tensor_type import TensorTypeError

LAMBDA_FUNCTIONS = {"map": 1, "join": 2, "merge": 2, "map_subspaces": 1, "filter_subspaces": 1}
"""Tensor functions whose last argument is a lambda, with their count of tensor arguments."""

TENSOR_FUNCTIONS: dict[str, tuple[int, int, int]] = {
    "l2_normalize": (1, 1, 1),
    "l1_normalize": (1, 1, 1),
    "softmax": (1, 1, 1),
    "matmul": (2, 1, 1),
    "xw_plus_b": (3, 1, 1),
    "concat": (2, 1, 1),
    "expand": (1, 1, 1),
    "argmax": (1, 0, 64),
    "argmin": (1, 0, 64),
    "cell_cast": (1, 1, 1),
    "cell_order": (1, 1, 1),
    "top": (2, 0, 0),
    "unpack_bits": (1, 0, 2),
}
"""Other tensor functions: (expression arguments, fewest and most name arguments)."""

_NAME_CHOICES = {
    "cell_cast": CELL_TYPES,
    "cell_order": ("max", "min"),
    "unpack_bits": ("float", "double", "bfloat16", "int8", "big", "little"),
}

SHORTCUT_REDUCERS = frozenset({"avg", "count", "prod", "sum", "median"})
"""Aggregators usable as functions: ``sum(t, x)`` is ``reduce(t, sum, x)`` (and ``max``,
``min`` when their extra arguments are dimension names)."""


class TensorSyntax:
    """Reads tensor functions at a cursor; ``expression`` reads one sub-expression and
    ``arguments`` a parenthesized argument list."""

    def __init__(
        self,
        cursor: Cursor,
        expression: Callable[[], Node],
        arguments: Callable[[], tuple[Node, ...]],
    ) -> None:
        self.cursor = cursor
        self.expression = expression
        self.arguments = arguments
        self.calls: dict[str, Callable[[str], Node]] = {
            "reduce": self._reduce,
            "rename": self._rename,
            "min": self._min_max,
            "max": self._min_max,
        }

    def read(self, name: str) -> Node | None:
        """The tensor function called ``name`` at the cursor (on its name, before ``(``),
        or None when ``name`` is not one."""
        cursor = self.cursor
        if name == "tensor" and cursor.peek().text in ("<", "("):
            return self._tensor()
        if cursor.peek().text != "(" or cursor.peek().kind is not Kind.OP:
            return None
        if (
            name in ("range", "diag")
            and cursor.peek(3).text == "["
            and cursor.peek(2).kind is Kind.NAME
        ):
            return self._index_generator(name)
        if name in self.calls:
            cursor.advance()
            return self.calls[name](name)
        if name in SHORTCUT_REDUCERS:
            cursor.advance()
            return self._shortcut_reduce(name)
        if name in LAMBDA_FUNCTIONS:
            return self._lambda_call(name)
        if name in TENSOR_FUNCTIONS:
            return self._tensor_call(name)
        return None

    def _index_generator(self, name: str) -> Node:
        """Java's ``range(x[3],y[2])`` (cell = sum of its indexes) and ``diag(...)`` (1 where
        all indexes are equal), read as tensor generators."""
        cursor = self.cursor
        start = cursor.advance().position
        cursor.expect("(")
        dims = [self._indexed_dimension()]
        while cursor.accept(","):
            dims.append(self._indexed_dimension())
        cursor.expect(")")
        try:
            tensor_type = TensorType("double", tuple(dims))
        except TensorTypeError as e:
            raise ExpressionSyntaxError(e.message, start) from e
        names = [Feature(d.name) for d in dims]
        body: Node = names[0] if name == "range" else Num(1.0)
        for left, right in itertools.pairwise(names):
            if name == "range":
                body = Binary("+", body, right)
            else:
                equal = Binary("==", left, right)
                body = equal if isinstance(body, Num) else Binary("&&", body, equal)
        return TensorGenerate(tensor_type, body)

    def _indexed_dimension(self) -> Dimension:
        position = self.cursor.token.position
        dimension = read_dimension(self.cursor)
        if dimension.mapped:
            raise ExpressionSyntaxError(
                f"expected an indexed dimension, found {dimension}", position
            )
        return dimension

    def _min_max(self, name: str) -> Node:
        start = self.cursor.token.position
        args = self.arguments()
        if not args:
            raise ExpressionSyntaxError(f"expected arguments to {name}, found none", start)
        if len(args) == 1:
            return Reduce(args[0], name)
        if len(args) == 2:
            return Call(name, args)
        dimensions = [_bare_name(a) for a in args[1:]]
        if None in dimensions:
            raise ExpressionSyntaxError(
                f"expected {name}(a, b) or {name}(tensor, dimension...), found {len(args)} "
                "arguments that are not all dimension names",
                start,
            )
        return Reduce(args[0], name, tuple(d for d in dimensions if d is not None))

    def _shortcut_reduce(self, aggregator: str) -> Node:
        cursor = self.cursor
        cursor.expect("(")
        operand = self.expression()
        return Reduce(operand, aggregator, self._trailing_names())

    def _trailing_names(self) -> tuple[str, ...]:
        return tuple(t.text for t in self._trailing_name_tokens())

    def _trailing_name_tokens(self) -> list[Token]:
        tokens: list[Token] = []
        while self.cursor.accept(","):
            tokens.append(self.cursor.expect_kind(Kind.NAME, "a dimension name"))
        self.cursor.expect(")")
        return tokens

    def _reduce(self, _name: str) -> Node:
        cursor = self.cursor
        cursor.expect("(")
        operand = self.expression()
        cursor.expect(",")
        token = cursor.expect_kind(Kind.NAME, "an aggregator")
        if token.text not in REDUCE_AGGREGATORS:
            raise ExpressionSyntaxError(
                f"expected an aggregator among {', '.join(REDUCE_AGGREGATORS)}, "
                f"found '{token.text}'",
                token.position,
            )
        return Reduce(operand, token.text, self._trailing_names())

    def _lambda_call(self, name: str) -> Node:
        cursor = self.cursor
        cursor.advance()
        cursor.expect("(")
        args: list[Node] = []
        for _ in range(LAMBDA_FUNCTIONS[name]):
            args.append(self.expression())
            cursor.expect(",")
        function = self._lambda()
        cursor.expect(")")
        return LambdaCall(name, tuple(args), function)

    def _lambda(self) -> Lambda:
        cursor = self.cursor
        cursor.expect("f", Kind.NAME)
        cursor.expect("(")
        params: list[str] = []
        while not cursor.accept(")"):
            if params:
                cursor.expect(",")
            params.append(cursor.expect_kind(Kind.NAME, "a lambda parameter name").text)
        cursor.expect("(")
        body = self.expression()
        cursor.expect(")")
        return Lambda(tuple(params), body)

    def _tensor_call(self, name: str) -> Node:
        cursor = self.cursor
        cursor.advance()
        cursor.expect("(")
        n_args, fewest, most = TENSOR_FUNCTIONS[name]
        args = [self.expression()]
        for _ in range(n_args - 1):
            cursor.expect(",")
            args.append(self.expression())
        start = cursor.token.position
        tokens = self._trailing_name_tokens()
        if not fewest <= len(tokens) <= most:
            raise ExpressionSyntaxError(
                f"expected {fewest}..{most} name arguments to {name}, found {len(tokens)}", start
            )
        allowed = _NAME_CHOICES.get(name)
        for token in tokens:
            if allowed is not None and token.text not in allowed:
                raise ExpressionSyntaxError(
                    f"expected one of {', '.join(allowed)} in {name}, found '{token.text}'",
                    token.position,
                )
        return TensorCall(name, tuple(args), tuple(t.text for t in tokens))

    def _rename(self, _name: str) -> Node:
        cursor = self.cursor
        cursor.expect("(")
        operand = self.expression()
        cursor.expect(",")
        start = cursor.token.position
        from_ = self._name_list()
        cursor.expect(",")
        to = self._name_list()
        cursor.expect(")")
        if len(from_) != len(to):
            raise ExpressionSyntaxError(
                f"expected as many new dimension names as old ones ({len(from_)}), found {len(to)}",
                start,
            )
        return Rename(operand, from_, to)

    def _name_list(self) -> tuple[str, ...]:
        cursor = self.cursor
        if not cursor.accept("("):
            return (cursor.expect_kind(Kind.NAME, "a dimension name").text,)
        names = [cursor.expect_kind(Kind.NAME, "a dimension name").text]
        while cursor.accept(","):
            names.append(cursor.expect_kind(Kind.NAME, "a dimension name").text)
        cursor.expect(")")
        return tuple(names)

    def _tensor(self) -> Node:
        cursor = self.cursor
        start = cursor.token.position
        tensor_type, written = read_tensor_type(cursor)
        if cursor.accept(":"):
            return read_tensor_literal(cursor, tensor_type, written, self.expression)
        if tensor_type.mapped_names:
            raise ExpressionSyntaxError(
                f"expected only indexed dimensions in a tensor generator, found {tensor_type}",
                start,
            )
        cursor.expect("(")
        body = self.expression()
        cursor.expect(")")
        return TensorGenerate(tensor_type, body)


def _bare_name(node: Node) -> str | None:
    if isinstance(node, Feature) and not node.args and node.output is None:
        return node.name
    return None
