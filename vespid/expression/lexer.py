"""Tokens of the ranking-expression language, each with its 0-based offset in the text."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from vespid.expression.errors import ExpressionSyntaxError


class Kind(enum.Enum):
    """What a token is."""

    NUMBER = "number"
    STRING = "string"
    NAME = "name"
    OP = "operator"
    END = "end of expression"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``text`` is the source text (a string token holds its unescaped value)."""

    kind: Kind
    text: str
    position: int

    def describe(self) -> str:
        """Describe the token for an error message ("'+'", "name 'foo'", "end of expression")."""
        if self.kind is Kind.END:
            return "end of expression"
        if self.kind is Kind.OP:
            return f"'{self.text}'"
        return f"{self.kind.value} {self.text!r}"


_NAME_START = r"(?:[A-Za-z_@]|[^\x00-\x7f\s])"
_NAME_PART = r"(?:[A-Za-z0-9_@$]|[^\x00-\x7f\s])"
_NOT_NAME = r"(?![A-Za-z0-9_@$])"
_TOKEN = re.compile(
    rf"""(?P<space>\s+|\#[^\n]*)
    |(?P<hex>0[xX][0-9a-fA-F]+)(?:[lL]{_NOT_NAME})?
    |(?P<number>\d+(?:\.\d+|\.(?![A-Za-z_@]))?(?:[eE][+-]?\d+)?)(?:[fFdDlL]{_NOT_NAME})?
    |(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    |(?P<name>{_NAME_START}{_NAME_PART}*)
    |(?P<op>\|\||&&|==|!=|<=|>=|~=|[<>+\-*/%^!()\[\]{{}},:.$])""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "b": "\b", "0": "\0"}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an END token; raise on stray characters."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        match = _TOKEN.match(text, i)
        if match is None:
            raise _stray(text, i)
        kind = match.lastgroup
        if kind == "hex":
            tokens.append(Token(Kind.NUMBER, str(int(match.group("hex")[2:], 16)), i))
        elif kind == "number":
            tokens.append(Token(Kind.NUMBER, match.group("number"), i))
        elif kind == "string":
            body = match.group("string")[1:-1]
            tokens.append(Token(Kind.STRING, _ESCAPE.sub(_unescape, body), i))
        elif kind == "name":
            tokens.append(Token(Kind.NAME, match.group("name"), i))
        elif kind == "op":
            tokens.append(Token(Kind.OP, match.group("op"), i))
        i = match.end()
    tokens.append(Token(Kind.END, "", len(text)))
    return tokens


def _unescape(match: re.Match[str]) -> str:
    return _ESCAPES.get(match.group(1), match.group(1))


def _stray(text: str, i: int) -> ExpressionSyntaxError:
    if text[i] in "\"'":
        return ExpressionSyntaxError(f"expected a closing {text[i]} for the string", i)
    return ExpressionSyntaxError(
        f"expected an operator, number, string or name, found {text[i]!r}", i
    )


class Cursor:
    """A position in the tokens of ``text`` with the look-ahead and expectation helpers
    parsers need."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def token(self) -> Token:
        """The current token."""
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        """The token ``ahead`` places after the current one (END past the end)."""
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        """Consume and return the current token."""
        token = self.token
        if token.kind is not Kind.END:
            self.index += 1
        return token

    def skip_to(self, position: int) -> None:
        """Move to the first token at or after offset ``position`` of the text (after a
        reader that works on the text itself, such as the tensor type parser)."""
        while self.token.kind is not Kind.END and self.token.position < position:
            self.index += 1

    def at(self, text: str, kind: Kind = Kind.OP) -> bool:
        """Whether the current token is ``text`` of ``kind``."""
        return self.token.kind is kind and self.token.text == text

    def accept(self, text: str, kind: Kind = Kind.OP) -> bool:
        """Consume the current token if it is ``text``; return whether it was."""
        if self.at(text, kind):
            self.advance()
            return True
        return False

    def expect(self, text: str, kind: Kind = Kind.OP) -> Token:
        """Consume ``text`` or raise a syntax error saying what was found instead."""
        if not self.at(text, kind):
            raise self.error(f"'{text}'")
        return self.advance()

    def expect_kind(self, kind: Kind, what: str) -> Token:
        """Consume a token of ``kind`` or raise, describing the expectation as ``what``."""
        if self.token.kind is not kind:
            raise self.error(what)
        return self.advance()

    def error(self, expected: str) -> ExpressionSyntaxError:
        """An error at the current token: expected ``expected``, found what is there."""
        return ExpressionSyntaxError(
            f"expected {expected}, found {self.token.describe()}", self.token.position
        )
