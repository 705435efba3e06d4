"""Recursive-descent parser from ranking-expression text to the tree in `vespid.expression.ast`.

Grammar (Vespa's): an expression is a chain of unary values joined by binary
operators (precedence climbing over `BINARY_PRECEDENCE`, ``^`` binding right),
optionally followed by ``in [list]``. A value is a number, a string, ``(expr)``,
``-value``, ``!value``, ``$name`` (short for ``query(name)``), ``if(...)``, a math or
tensor function, a tensor literal or generator, or a reference ``name(args).output``;
any value may be followed by cell access ``{...}`` or ``[...]``. Tensor functions are
read by `vespid.expression.tensor_syntax`. Errors carry the 0-based offset and say what
was expected and what was found.

>>> str(parse_expression("sum(query(q) * attribute(v), x)"))
'reduce(query(q) * attribute(v), sum, x)'
"""

from __future__ import annotations

from collections.abc import Callable

from vespid.expression.ast import (
    BINARY_PRECEDENCE,
    RIGHT_ASSOCIATIVE,
    Binary,
    Call,
    Feature,
    If,
    In,
    NamedArg,
    Neg,
    Node,
    Not,
    Num,
    Slice,
    Str,
)
from vespid.expression.errors import ExpressionSyntaxError
from vespid.expression.functions import BINARY_FUNCTIONS, UNARY_FUNCTIONS
from vespid.expression.lexer import Cursor, Kind
from vespid.expression.literals import (
    is_label_start,
    label_length,
    read_label,
    read_untyped_literal,
)
from vespid.expression.tensor_syntax import TensorSyntax


def parse_expression(text: str) -> Node:
    """Parse ``text`` into an expression tree, or raise `ExpressionSyntaxError`."""
    parser = _Parser(Cursor(text))
    node = parser.expression()
    if parser.cursor.token.kind is not Kind.END:
        raise parser.cursor.error("an operator or end of expression")
    return node


class _Parser:
    def __init__(self, cursor: Cursor) -> None:
        self.cursor = cursor
        self._calls: dict[str, Callable[[str], Node]] = {"if": self._if, "switch": self._switch}
        self._tensors = TensorSyntax(cursor, self.expression, lambda: self._list("(", ")"))

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
        tensor_function = self._tensors.read(name)
        if tensor_function is not None:
            return tensor_function
        if cursor.peek().text != "(" or cursor.peek().kind is not Kind.OP:
            if name in ("true", "false"):
                cursor.advance()
                return Num(1.0 if name == "true" else 0.0)
            return self._feature()
        if name in self._calls:
            cursor.advance()
            return self._calls[name](name)
        if name in UNARY_FUNCTIONS or name in BINARY_FUNCTIONS:
            return self._math(name)
        return self._feature()

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
