"""Token cursor and literal rules shared by the YQL grammar.

`TokenCursor` walks the token list of `container.yql.lexer`; every failure is a
`YqlSyntaxError` at the offending token with what was expected there. Literal rules
(numbers, strings, ``@parameter`` references, JSON-like maps and arrays, and
``{...}`` annotations) live here so the grammar module holds only query structure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from container.errors import YqlSyntaxError
from container.yql.lexer import Token, tokenize

MAX_DEPTH = 64
"""Deepest nesting (parentheses, negations, literals) a query may have; guards the stack."""

Annotations = dict[str, Any]
"""Parsed ``{key: value, ...}`` annotations; keys may be dotted (`hnsw.exploreAdditionalHits`)."""


class TokenCursor:
    """A position in the token list of one query text, with parameters for ``@name``."""

    def __init__(self, text: str, parameters: Mapping[str, str]) -> None:
        self.text = text
        self.parameters = parameters
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @contextmanager
    def nested(self) -> Iterator[None]:
        """One more level of nesting for the rule inside; too deep is a syntax error."""
        if self.depth >= MAX_DEPTH:
            raise self.error(f"at most {MAX_DEPTH} levels of nesting")
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    @property
    def token(self) -> Token:
        """The current token."""
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        """The token ``offset`` places ahead (the eof token past the end)."""
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        """Consume and return the current token."""
        token = self.token
        if token.kind != "eof":
            self.index += 1
        return token

    def error(self, expected: str, token: Token | None = None) -> YqlSyntaxError:
        """An error at ``token`` (default: the current one) saying what was expected."""
        at = token or self.token
        found = "end of query" if at.kind == "eof" else f"'{at.text}'"
        return YqlSyntaxError(self.text, at.position, expected, found)

    def at_op(self, op: str) -> bool:
        """Whether the current token is the operator ``op``."""
        return self.token.kind == "op" and self.token.text == op

    def at_keyword(self, *words: str) -> bool:
        """Whether the current token is one of ``words`` (case insensitive)."""
        return self.token.kind == "ident" and self.token.text.lower() in words

    def accept_op(self, op: str) -> bool:
        """Consume the operator ``op`` if it is next; say whether it was."""
        if self.at_op(op):
            self.advance()
            return True
        return False

    def accept_keyword(self, word: str) -> bool:
        """Consume the keyword ``word`` if it is next; say whether it was."""
        if self.at_keyword(word):
            self.advance()
            return True
        return False

    def expect_op(self, op: str) -> Token:
        """Consume the operator ``op`` or fail."""
        if not self.at_op(op):
            raise self.error(f"'{op}'")
        return self.advance()

    def expect_keyword(self, word: str) -> Token:
        """Consume the keyword ``word`` or fail."""
        if not self.at_keyword(word):
            raise self.error(f"'{word}'")
        return self.advance()

    def expect_ident(self, what: str = "a field name") -> str:
        """Consume an identifier and return its text."""
        if self.token.kind != "ident":
            raise self.error(what)
        return self.advance().text

    def expect_int(self, what: str = "an integer") -> int:
        """Consume a (possibly negative) integer literal."""
        value = self.number(what)
        if not isinstance(value, int):
            raise self.error(what, self.tokens[self.index - 1])
        return value

    def number(self, what: str = "a number") -> int | float:
        """Consume a number literal, a leading ``-`` allowed, or a numeric ``@param``."""
        negative = self.accept_op("-")
        token = self.token
        if token.kind == "param":
            value: int | float = _number_text(self.param_value(), lambda: self.error(what, token))
        elif token.kind in ("int", "float"):
            self.advance()
            value = int(token.text) if token.kind == "int" else float(token.text)
        elif token.kind == "ident" and token.text == "Infinity":
            self.advance()
            value = float("inf")
        else:
            raise self.error(what)
        return -value if negative else value

    def string(self, what: str = "a string") -> str:
        """Consume a quoted string or a ``@param`` reference and return its text."""
        if self.token.kind == "string":
            return self.advance().text
        if self.token.kind == "param":
            return self.param_value()
        raise self.error(what)

    def param_value(self) -> str:
        """Consume ``@name`` and return the request parameter's value."""
        token = self.advance()
        if token.text not in self.parameters:
            raise self.error(f"a value for the query parameter '{token.text}'", token)
        return self.parameters[token.text]

    def annotations(self) -> Annotations:
        """Parse ``{key: value, ...}``, or the older ``[{...}]`` form, at the cursor."""
        bracketed = self.accept_op("[")
        result = self.map_literal()
        if bracketed:
            self.expect_op("]")
        return result

    def map_literal(self) -> dict[str, Any]:
        """Parse ``{key: value, ...}`` with identifier or string keys."""
        with self.nested():
            return self._map_body()

    def _map_body(self) -> dict[str, Any]:
        self.expect_op("{")
        result: dict[str, Any] = {}
        while not self.at_op("}"):
            if result:
                self.expect_op(",")
            key_token = self.advance()
            if key_token.kind not in ("ident", "string"):
                raise self.error("a key", key_token)
            self.expect_op(":")
            result[key_token.text] = self.value()
        self.advance()
        return result

    def array_literal(self) -> list[Any]:
        """Parse ``[value, ...]``."""
        with self.nested():
            return self._array_body()

    def _array_body(self) -> list[Any]:
        self.expect_op("[")
        result: list[Any] = []
        while not self.at_op("]"):
            if result:
                self.expect_op(",")
            result.append(self.value())
        self.advance()
        return result

    def value(self) -> Any:
        """A literal: string, number, true/false, map or array."""
        token = self.token
        if token.kind in ("string", "param"):
            return self.string()
        if self.at_op("{"):
            return self.map_literal()
        if self.at_op("["):
            return self.array_literal()
        if self.at_keyword("true", "false"):
            return self.advance().text.lower() == "true"
        return self.number("a value")


def _number_text(text: str, fail: Any) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise fail() from None
