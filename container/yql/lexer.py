"""YQL tokens: the lexer turns query text into a list of `Token` with their positions.

Token kinds: ``ident`` (letters, digits, ``_``, ``.`` and ``[n]`` for struct/map paths
such as ``inventory.in_stock[10000]``), ``string`` (single or double quotes, backslash
escapes), ``int`` and ``float`` (an ``L`` suffix on integers is accepted and dropped),
``param`` (``@name``), ``op`` (punctuation and comparison operators) and ``eof``.
Comments (``// ...``, ``# ...``, ``/* ... */``) and white space are skipped, as Vespa's
YQL grammar does. Keywords are plain ``ident`` tokens; the parser compares them case
insensitively.

>>> [t.text for t in tokenize("a contains 'b' limit 5;")]
['a', 'contains', 'b', 'limit', '5', ';', '']
>>> tokenize("@q")[0].kind
'param'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from container.errors import YqlSyntaxError


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text (unescaped for strings) and where it starts."""

    kind: str
    text: str
    position: int


_SKIP = re.compile(r"(?:\s+|//[^\n]*|#[^\n]*|/\*.*?\*/)+", re.DOTALL)
_NUMBER = re.compile(r"(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[lL]?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:(?:\.[A-Za-z_][A-Za-z0-9_]*)|\[\d+\])*")
_PARAM = re.compile(r"@[A-Za-z_][A-Za-z0-9_.]*")
_OPS = (
    "!=",
    "<=",
    ">=",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    ";",
    "=",
    "<",
    ">",
    "!",
    "|",
    "*",
    "-",
    "+",
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``eof`` token.

    Raises:
        YqlSyntaxError: at the first character that starts no token.
    """
    tokens: list[Token] = []
    pos = 0
    while True:
        skipped = _SKIP.match(text, pos)
        if skipped:
            pos = skipped.end()
        if pos >= len(text):
            tokens.append(Token("eof", "", len(text)))
            return tokens
        token, pos = _next_token(text, pos)
        tokens.append(token)


def _next_token(text: str, pos: int) -> tuple[Token, int]:
    char = text[pos]
    if char in "'\"":
        return _string(text, pos)
    for pattern, kind in ((_NUMBER, "number"), (_IDENT, "ident"), (_PARAM, "param")):
        m = pattern.match(text, pos)
        if m:
            return _token_of(kind, m.group(), pos), m.end()
    for op in _OPS:
        if text.startswith(op, pos):
            return Token("op", op, pos), pos + len(op)
    raise YqlSyntaxError(text, pos, "a token", f"'{char}'")


def _token_of(kind: str, text: str, pos: int) -> Token:
    if kind == "param":
        return Token("param", text[1:], pos)
    if kind == "number":
        if text[-1] in "lL":
            return Token("int", text[:-1], pos)
        is_float = any(c in text for c in ".eE")
        return Token("float" if is_float else "int", text, pos)
    return Token(kind, text, pos)


def _string(text: str, start: int) -> tuple[Token, int]:
    quote = text[start]
    out: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == quote:
            return Token("string", "".join(out), start), pos + 1
        if char == "\\":
            decoded, pos = _escape(text, pos)
            out.append(decoded)
            continue
        out.append(char)
        pos += 1
    raise YqlSyntaxError(text, len(text), f"closing {quote}", "end of query")


def _escape(text: str, pos: int) -> tuple[str, int]:
    if pos + 1 >= len(text):
        raise YqlSyntaxError(text, pos, "an escaped character", "end of query")
    code = text[pos + 1]
    if code == "u":
        digits = text[pos + 2 : pos + 6]
        if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise YqlSyntaxError(text, pos, "four hex digits after \\u", repr(digits))
        return chr(int(digits, 16)), pos + 6
    return _ESCAPES.get(code, code), pos + 2
