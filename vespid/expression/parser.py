"""Recursive-descent parser from ranking-expression text to the tree in `vespid.expression.ast`.

Grammar (Vespa's): an expression is a chain of unary values joined by binary
operators (precedence climbing over `BINARY_PRECEDENCE`, ``^`` binding right),
optionally followed by ``in [list]``. A value is a number, a string, ``(expr)``,
``-value``, ``!value``, ``$name`` (short for ``query(name)``), ``if(...)``, a math or
tensor function, a tensor literal or generator, or a reference ``name(args).output``;
any value may be followed by cell access ``{...}`` or ``[...]``. Errors carry the
0-based offset and say what was expected and what was found.

>>> str(parse_expression("sum(query(q) * attribute(v), x)"))
'reduce(query(q) * attribute(v), sum, x)'
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from vespid.expression.ast import (
    BINARY_PRECEDENCE,
    REDUCE_AGGREGATORS,
    RIGHT_ASSOCIATIVE,
    Binary,
    Call,
    Feature,
    If,
    In,
    Lambda,
    LambdaCall,
    NamedArg,
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
)
from vespid.expression.errors import ExpressionSyntaxError, TensorTypeError
from vespid.expression.functions import BINARY_FUNCTIONS, UNARY_FUNCTIONS
from vespid.expression.lexer import Cursor, Kind, Token, tokenize
from vespid.expression.literals import (
    is_label_start,
    label_length,
    read_label,
    read_tensor_literal,
    read_untyped_literal,
)
from vespid.expression.tensor_type import (
    CELL_TYPES,
    Dimension,
    TensorType,
    read_dimension,
    read_tensor_type,
)

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

RESERVED = frozenset(
    {"if", "in", "tensor", "switch", "true", "false", "reduce", "rename"}
    | set(UNARY_FUNCTIONS)
    | set(BINARY_FUNCTIONS)
    | set(LAMBDA_FUNCTIONS)
    | set(TENSOR_FUNCTIONS)
    | SHORTCUT_REDUCERS
)
"""Names that are not parsed as references when followed by ``(``."""


def parse_expression(text: str) -> Node:
    """Parse ``text`` into an expression tree, or raise `ExpressionSyntaxError`."""
    parser = _Parser(Cursor(tokenize(text)))
    node = parser.expression()
    if parser.cursor.token.kind is not Kind.END:
        raise parser.cursor.error("an operator or end of expression")
    return node


class _Parser:
    def __init__(self, cursor: Cursor) -> None:
        self.cursor = cursor
        self._calls: dict[str, Callable[[str], Node]] = {
            "if": self._if,
            "reduce": self._reduce,
            "rename": self._rename,
            "min": self._min_max,
            "max": self._min_max,
            "switch": self._switch,
        }

    def expression(self) -> Node:
        node = self._chain(0)
        if self.cursor.accept("in", Kind.NAME):
            node = In(node, self._list("[", "]"))
        return node

    def _chain(self, min_precedence: int) -> Node:
        left = self._unary()
        while True:
            token = self.cursor.token
            precedence = BINARY_PRECEDENCE.get(token.text, -1) if token.kind is Kind.OP else -1
            if precedence < min_precedence:
                return left
            self.cursor.advance()
            next_min = precedence if token.text in RIGHT_ASSOCIATIVE else precedence + 1
            left = Binary(token.text, left, self._chain(next_min))

    def _unary(self) -> Node:
        cursor = self.cursor
        if cursor.at("-") and cursor.peek().kind is Kind.NUMBER:
            cursor.advance()
            return self._postfix(Num(-float(cursor.advance().text)))
        if cursor.accept("-"):
            return Neg(self._unary())
        if cursor.accept("!"):
            return Not(self._unary())
        return self._postfix(self._primary())

    def _postfix(self, node: Node) -> Node:
        while True:
            if self.cursor.accept("{"):
                node = Slice(node, self._address())
            elif self.cursor.accept("["):
                node = Slice(node, ((None, self.expression()),))
                self.cursor.expect("]")
            else:
                return node

    def _address(self) -> tuple[tuple[str | None, Node], ...]:
        cursor = self.cursor
        if is_label_start(cursor) and cursor.peek(label_length(cursor)).text == "}":
            label = read_label(cursor)
            cursor.expect("}")
            return ((None, Str(label)),)
        entries: list[tuple[str | None, Node]] = []
        while not cursor.accept("}"):
            if entries:
                cursor.expect(",")
            dimension = cursor.expect_kind(Kind.NAME, "a dimension name").text
            cursor.expect(":")
            entries.append((dimension, self._address_value()))
        return tuple(entries)

    def _address_value(self) -> Node:
        cursor = self.cursor
        if is_label_start(cursor) and cursor.peek(label_length(cursor)).text in (",", "}"):
            return Str(read_label(cursor))
        return self.expression()

    def _primary(self) -> Node:
        cursor = self.cursor
        token = cursor.token
        if token.kind is Kind.NUMBER:
            cursor.advance()
            return Num(float(token.text))
        if token.kind is Kind.STRING:
            cursor.advance()
            return Str(token.text)
        if cursor.accept("("):
            node = self.expression()
            cursor.expect(")")
            return node
        if cursor.accept("$"):
            name = cursor.expect_kind(Kind.NAME, "a query feature name after '$'").text
            return Feature("query", (Feature(name),))
        if cursor.at("{"):
            return read_untyped_literal(cursor, self.expression)
        if token.kind is Kind.NAME:
            return self._named(token.text)
        raise cursor.error("a number, string, name, '(' or tensor")

    def _named(self, name: str) -> Node:
        cursor = self.cursor
        if name == "tensor" and cursor.peek().text in ("<", "("):
            return self._tensor()
        if cursor.peek().text != "(" or cursor.peek().kind is not Kind.OP:
            if name in ("true", "false"):
                cursor.advance()
                return Num(1.0 if name == "true" else 0.0)
            return self._feature()
        if (
            name in ("range", "diag")
            and cursor.peek(3).text == "["
            and cursor.peek(2).kind is Kind.NAME
        ):
            return self._index_generator(name)
        if name in self._calls:
            cursor.advance()
            return self._calls[name](name)
        if name in UNARY_FUNCTIONS or name in BINARY_FUNCTIONS:
            return self._math(name)
        if name in SHORTCUT_REDUCERS:
            cursor.advance()
            return self._shortcut_reduce(name)
        if name in LAMBDA_FUNCTIONS:
            return self._lambda_call(name)
        if name in TENSOR_FUNCTIONS:
            return self._tensor_call(name)
        return self._feature()

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

    def _feature(self) -> Feature:
        cursor = self.cursor
        name = cursor.advance().text
        args: tuple[Node, ...] = ()
        if cursor.at("("):
            args = self._feature_args()
        output = None
        if cursor.accept("."):
            parts = [self._output_part()]
            while cursor.accept("."):
                parts.append(self._output_part())
            output = ".".join(parts)
        return Feature(name, args, output)

    def _feature_args(self) -> tuple[Node, ...]:
        """Arguments of a reference: expressions, or ``name: value`` (Vespa's named form)."""
        cursor = self.cursor
        cursor.expect("(")
        args: list[Node] = []
        while not cursor.accept(")"):
            if args:
                cursor.expect(",")
            if cursor.token.kind is Kind.NAME and cursor.peek().text == ":":
                name = cursor.advance().text
                cursor.advance()
                args.append(NamedArg(name, self.expression()))
            else:
                args.append(self.expression())
        return tuple(args)

    def _output_part(self) -> str:
        token = self.cursor.token
        if token.kind not in (Kind.NAME, Kind.NUMBER):
            raise self.cursor.error("a feature output name after '.'")
        self.cursor.advance()
        return token.text

    def _list(self, open_: str, close: str) -> tuple[Node, ...]:
        cursor = self.cursor
        cursor.expect(open_)
        items: list[Node] = []
        while not cursor.accept(close):
            if items:
                cursor.expect(",")
            items.append(self.expression())
        return tuple(items)

    def _if(self, _name: str) -> Node:
        cursor = self.cursor
        cursor.expect("(")
        condition = self.expression()
        cursor.expect(",")
        then = self.expression()
        cursor.expect(",")
        otherwise = self.expression()
        probability = None
        if cursor.accept(","):
            sign = -1.0 if cursor.accept("-") else 1.0
            probability = sign * float(cursor.expect_kind(Kind.NUMBER, "a probability").text)
        cursor.expect(")")
        return If(condition, then, otherwise, probability)

    def _switch(self, _name: str) -> Node:
        """``switch(x) { case a: r, ..., default: d }``, read as nested ``if(x == a, r, ...)``."""
        cursor = self.cursor
        cursor.expect("(")
        operand = self.expression()
        cursor.expect(")")
        cursor.expect("{")
        cases: list[tuple[Node, Node]] = []
        while cursor.accept("case", Kind.NAME):
            value = self.expression()
            cursor.expect(":")
            cases.append((value, self.expression()))
            cursor.expect(",")
        if not cases:
            raise cursor.error("'case'")
        cursor.expect("default", Kind.NAME)
        cursor.expect(":")
        result = self.expression()
        cursor.expect("}")
        for value, then in reversed(cases):
            result = If(Binary("==", operand, value), then, result)
        return result

    def _math(self, name: str) -> Node:
        start = self.cursor.token.position
        self.cursor.advance()
        args = self._list("(", ")")
        arity = 1 if name in UNARY_FUNCTIONS else 2
        if len(args) != arity:
            raise ExpressionSyntaxError(
                f"expected {arity} argument{'s' if arity > 1 else ''} to {name}, found {len(args)}",
                start,
            )
        return Call(name, args)

    def _min_max(self, name: str) -> Node:
        start = self.cursor.token.position
        args = self._list("(", ")")
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
