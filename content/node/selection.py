"""Vespa's document selection language: parsed into a small tree.

Used for test-and-set conditions and for visiting with a selection:
``music and music.year > 2000``, ``music.title = "love*"``, ``id.namespace == "ns"``,
``(music.a + music.b) % 2 == 0``, ``music.title.lowercase() =~ "^the"``,
``music.expires > now() - 3600``, ``not music.artist``.

Precedence from loose to tight: ``or``, ``and``, ``not``, comparison, ``+ -``,
``* /``, ``%``, then ``.function()`` calls. Keywords are case-insensitive.
`content.node.selection_eval` evaluates a tree against a document.

>>> parse_selection('music.year > 2000 and not music.artist')
And(left=Compare(op='>', left=Field(doctype='music', path='year'), right=Const(value=2000)), \
right=Not(operand=Field(doctype='music', path='artist')))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class SelectionSyntaxError(ValueError):
    """A selection that does not parse; ``position`` is the offset of the problem."""

    def __init__(self, text: str, position: int, message: str) -> None:
        super().__init__(f"{message} at position {position} in '{text}'")
        self.text = text
        self.position = position


class Node:
    """Base of the selection tree."""


@dataclass(frozen=True, slots=True)
class Const(Node):
    """A number, string, boolean or null (None)."""

    value: Any


@dataclass(frozen=True, slots=True)
class DocType(Node):
    """A document type name: true for documents of that type."""

    name: str


@dataclass(frozen=True, slots=True)
class Field(Node):
    """``doctype.path``: a field's value (``a``, ``s.b``, ``m{key}``, ``arr[2]``)."""

    doctype: str
    path: str


@dataclass(frozen=True, slots=True)
class IdPart(Node):
    """``id`` or ``id.<part>`` (scheme, namespace, type, specific, user, group)."""

    part: str | None


@dataclass(frozen=True, slots=True)
class Now(Node):
    """``now()``: seconds since the epoch."""


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``value.function()``: lowercase, hash or abs."""

    value: Node
    function: str


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    """``left op right`` with op one of ``+ - * / %``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """``left op right`` with op one of ``== != < <= > >= = =~``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class And(Node):
    """Both sides hold."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or(Node):
    """Either side holds."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not(Node):
    """The operand does not hold."""

    operand: Node


FUNCTIONS = frozenset({"lowercase", "hash", "abs"})
ID_PARTS = frozenset({"scheme", "namespace", "type", "specific", "user", "group"})
_RESERVED = frozenset({"and", "or", "not"})
_CONDITIONS = (Compare, And, Or, Not, DocType, Field)
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(
    rf"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
    | (?P<word>{_IDENT}(?:\.{_IDENT}|\{{[^}}]*\}}|\[[0-9]+\])*)
    | (?P<op>==|!=|<=|>=|=~|[<>=()+\-*/%.])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", '"': '"', "\\": "\\"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            start = len(text) - len(text[position:].lstrip())
            raise SelectionSyntaxError(text, start, f"Unexpected '{text[start]}'")
        tokens.append(
            _Token(match.lastgroup, match.group(match.lastgroup), match.start(match.lastgroup))
        )
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _unquote(text: str, token: _Token) -> str:
    out: list[str] = []
    body = token.text[1:-1]
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        escape = body[i + 1]
        if escape == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", body[i + 2 : i + 4]):
            out.append(chr(int(body[i + 2 : i + 4], 16)))
            i += 4
        elif escape in _ESCAPES:
            out.append(_ESCAPES[escape])
            i += 2
        else:
            raise SelectionSyntaxError(text, token.position + i + 1, f"Unknown escape '\\{escape}'")
    return "".join(out)


def parse_selection(text: str) -> Node:
    """Parse a document selection.

    Raises:
        SelectionSyntaxError: when ``text`` is not a valid selection.
    """
    parser = _Parser(text)
    tree = parser.condition(parser.or_())
    parser.expect("end")
    return tree


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def error(self, message: str) -> SelectionSyntaxError:
        return SelectionSyntaxError(self.text, self.token.position, message)

    def expect(self, kind: str, text: str | None = None) -> _Token:
        token = self.token
        if token.kind != kind or (text is not None and token.text != text):
            found = token.text or "the end"
            raise self.error(f"Expected {text or kind}, found '{found}'")
        self.index += 1
        return token

    def keyword(self, word: str) -> bool:
        if self.token.kind == "word" and self.token.text.lower() == word:
            self.index += 1
            return True
        return False

    def operator(self, *ops: str) -> str | None:
        if self.token.kind == "op" and self.token.text in ops:
            self.index += 1
            return self.tokens[self.index - 1].text
        return None

    def condition(self, node: Node) -> Node:
        if isinstance(node, _CONDITIONS) or (
            isinstance(node, Const) and isinstance(node.value, bool)
        ):
            return node
        raise self.error("Expected a condition (a comparison, document type or field)")

    def or_(self) -> Node:
        node = self.and_()
        while self.keyword("or"):
            node = Or(self.condition(node), self.condition(self.and_()))
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.keyword("and"):
            node = And(self.condition(node), self.condition(self.not_()))
        return node

    def not_(self) -> Node:
        if self.keyword("not"):
            return Not(self.condition(self.not_()))
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        op = self.operator("==", "!=", "<=", ">=", "<", ">", "=~", "=")
        return left if op is None else Compare(op, left, self.additive())

    def additive(self) -> Node:
        node = self.multiplicative()
        while (op := self.operator("+", "-")) is not None:
            node = Arithmetic(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.modulo()
        while (op := self.operator("*", "/")) is not None:
            node = Arithmetic(op, node, self.modulo())
        return node

    def modulo(self) -> Node:
        node = self.postfix()
        while self.operator("%") is not None:
            node = Arithmetic("%", node, self.postfix())
        return node

    def postfix(self) -> Node:
        node = self.primary()
        while self.operator("."):
            name = self.expect("word").text
            node = self.call(node, name)
        return node

    def call(self, node: Node, name: str) -> Node:
        if name not in FUNCTIONS:
            raise self.error(f"Unknown function '{name}()'; known: abs, hash, lowercase")
        self.expect("op", "(")
        self.expect("op", ")")
        return Call(node, name)

    def primary(self) -> Node:
        token = self.token
        if self.operator("("):
            node = self.or_()
            self.expect("op", ")")
            return node
        if self.operator("-", "+"):
            number = self.expect("number")
            sign = -1 if token.text == "-" else 1
            return Const(sign * _number(number.text))
        self.index += 1
        if token.kind == "number":
            return Const(_number(token.text))
        if token.kind == "string":
            return Const(_unquote(self.text, token))
        if token.kind == "word":
            return self.word(token)
        self.index -= 1
        raise self.error(f"Unexpected '{token.text or 'end'}'")

    def word(self, token: _Token) -> Node:
        lowered = token.text.lower()
        if lowered in ("true", "false"):
            return Const(lowered == "true")
        if lowered == "null":
            return Const(None)
        if lowered in _RESERVED:
            self.index -= 1
            raise self.error(f"Unexpected '{token.text}'")
        calls_function = self.token.kind == "op" and self.token.text == "("
        if calls_function:
            head_and_rest, _, function = token.text.rpartition(".")
            if not head_and_rest and function.lower() == "now":
                self.expect("op", "(")
                self.expect("op", ")")
                return Now()
            if not head_and_rest:
                raise self.error(f"Unknown function '{function}()'")
            return self.call(self.value(head_and_rest, token), function)
        return self.value(token.text, token)

    def value(self, text: str, token: _Token) -> Node:
        head, _, rest = text.partition(".")
        if head.lower() == "id":
            if rest and rest not in ID_PARTS:
                raise SelectionSyntaxError(
                    self.text, token.position, f"Unknown id part 'id.{rest}'"
                )
            return IdPart(rest or None)
        return Field(head, rest) if rest else DocType(head)


def _number(text: str) -> int | float:
    return float(text) if any(c in text for c in ".eE") else int(text)
