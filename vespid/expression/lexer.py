"""Tokens of the ranking-expression language, each with its 0-based offset in the text."""

from __future__ import annotations

import enum
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


OPERATORS = (
    "||", "&&", "==", "!=", "<=", ">=", "~=",
    "<", ">", "+", "-", "*", "/", "%", "^", "!",
    "(", ")", "[", "]", "{", "}", ",", ":", ".", "$",
)  # fmt: skip

_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_@")
_NAME_PART = _NAME_START | frozenset("0123456789$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "b": "\b", "0": "\0"}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an END token; raise on stray characters."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif c.isdigit():
            i = _number(text, i, tokens)
        elif c in "\"'":
            i = _string(text, i, tokens)
        elif c in _NAME_START or _unicode_letter(c):
            start = i
            while i < len(text) and (text[i] in _NAME_PART or _unicode_letter(text[i])):
                i += 1
            tokens.append(Token(Kind.NAME, text[start:i], start))
        else:
            op = next((o for o in OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise ExpressionSyntaxError(
                    f"expected an operator, number, string or name, found {c!r}", i
                )
            tokens.append(Token(Kind.OP, op, i))
            i += len(op)
    tokens.append(Token(Kind.END, "", len(text)))
    return tokens


def _unicode_letter(c: str) -> bool:
    return not c.isascii() and not c.isspace()


def _number(text: str, i: int, tokens: list[Token]) -> int:
    start = i
    if text.startswith(("0x", "0X"), i):
        i += 2
        while i < len(text) and text[i] in "0123456789abcdefABCDEF":
            i += 1
        tokens.append(Token(Kind.NUMBER, str(int(text[start + 2 : i] or "0", 16)), start))
        return _skip_suffix(text, i, "lL")
    i = _digits(text, i)
    if i < len(text) - 1 and text[i] == "." and text[i + 1].isdigit():
        i = _digits(text, i + 1)
    elif i < len(text) and text[i] == "." and not _starts_name(text, i + 1):
        i += 1
    if i < len(text) and text[i] in "eE":
        j = i + 1
        if j < len(text) and text[j] in "+-":
            j += 1
        if j < len(text) and text[j].isdigit():
            i = _digits(text, j)
    tokens.append(Token(Kind.NUMBER, text[start:i], start))
    return _skip_suffix(text, i, "fFdDlL")


def _digits(text: str, i: int) -> int:
    while i < len(text) and text[i].isdigit():
        i += 1
    return i


def _starts_name(text: str, i: int) -> bool:
    return i < len(text) and text[i] in _NAME_START


def _skip_suffix(text: str, i: int, suffixes: str) -> int:
    if (
        i < len(text)
        and text[i] in suffixes
        and not (i + 1 < len(text) and text[i + 1] in _NAME_PART)
    ):
        return i + 1
    return i


def _string(text: str, i: int, tokens: list[Token]) -> int:
    quote = text[i]
    start = i
    i += 1
    chars: list[str] = []
    while i < len(text) and text[i] != quote:
        if text[i] == "\\" and i + 1 < len(text):
            chars.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            chars.append(text[i])
            i += 1
    if i >= len(text):
        raise ExpressionSyntaxError(f"expected a closing {quote} for the string", start)
    tokens.append(Token(Kind.STRING, "".join(chars), start))
    return i + 1


class Cursor:
    """A position in a token list with the look-ahead and expectation helpers parsers need."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
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
