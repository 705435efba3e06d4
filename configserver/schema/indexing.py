"""Vespa's indexing language (`indexing: input title | lowercase | summary | index`).

The whole language is parsed, so any valid statement is accepted by the schema parser:
`;`-separated statements of `|` pipes over calls with bare arguments (`input x`,
`tokenize normalize stem:"BEST"`, `substring 0 10`), literals, arithmetic and `.`
concatenation, `{ ... }` blocks, `if (...) { } else { }`, `switch { case "a": ...; }`,
`select_input { f: ...; }` and block functions such as `for_each { }`. What Vespid can
execute is decided later (`configserver.schema.indexing_analysis`). ``str()`` of every
node prints parseable text, so parse → print → parse gives the same tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union

from configserver.errors import InvalidApplicationPackageError
from configserver.schema.lexer import Pos, offset_pos

_TOKEN = re.compile(
    r"""(?P<space>[ \t\r\n]+|\#[^\n]*)
      | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?[LlFfDd]?)
      | (?P<ident>[A-Za-z_@][A-Za-z0-9_\-.@]*(?<![.\-]))
      | (?P<op>==|!=|<=|>=|&&|\|\||[|;{}():.+\-*/%<>!,])""",
    re.VERBOSE,
)
START = Pos(1, 1)
_BINARY = ("+", "-", "*", "/", "%", ".")
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")
_LOGIC = ("and", "or", "&&", "||")
_STOP_WORDS = frozenset({"else", "case", "default", "and", "or"})
_BLOCK_CALLS = frozenset({"for_each", "guard", "if", "switch", "select_input", "with"})


@dataclass(frozen=True, slots=True)
class Literal:
    """A string or number literal, kept as written (`"en"`, `10`)."""

    text: str
    pos: Pos = field(default=Pos(0, 0), compare=False)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Call:
    """A named expression with bare arguments, optionally followed by a block."""

    name: str
    args: tuple[str, ...] = ()
    body: Script | None = None
    pos: Pos = field(default=Pos(0, 0), compare=False)

    def __str__(self) -> str:
        parts = [self.name, *self.args]
        if self.body is not None:
            parts.append(f"{{ {self.body} }}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class BinOp:
    """`left op right` for arithmetic, concatenation (`.`), comparison and logic."""

    op: str
    left: Expr
    right: Expr

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


@dataclass(frozen=True, slots=True)
class If:
    """`if (cond) { ... } [else { ... }]`."""

    cond: Expr
    then: Script
    otherwise: Script | None = None

    def __str__(self) -> str:
        text = f"if ({self.cond}) {{ {self.then} }}"
        return text if self.otherwise is None else f"{text} else {{ {self.otherwise} }}"


@dataclass(frozen=True, slots=True)
class Cases:
    """`switch { case "x": ...; default: ...; }` or `select_input { f: ...; }`."""

    kind: str
    cases: tuple[tuple[str, Pipe], ...]

    def __str__(self) -> str:
        prefix = "case " if self.kind == "switch" else ""
        body = " ".join(
            f"{'default' if k == '' and self.kind == 'switch' else prefix + k}: {v};"
            for k, v in self.cases
        )
        return f"{self.kind} {{ {body} }}"


@dataclass(frozen=True, slots=True)
class Block:
    """`{ a; b }` (or a parenthesised pipe): statements run on the same input."""

    script: Script

    def __str__(self) -> str:
        return f"{{ {self.script} }}"


@dataclass(frozen=True, slots=True)
class Pipe:
    """`a | b | c`: each step's output feeds the next."""

    steps: tuple[Expr, ...]

    def __str__(self) -> str:
        return " | ".join(str(s) for s in self.steps)


@dataclass(frozen=True, slots=True)
class Script:
    """`;`-separated statements (a whole indexing statement or a `{ }` block)."""

    statements: tuple[Pipe, ...]

    def __str__(self) -> str:
        if len(self.statements) == 1:
            return str(self.statements[0])
        return " ".join(f"{s};" for s in self.statements)


Expr = Union[Literal, Call, BinOp, If, Cases, Block]  # noqa: UP007 (forward refs)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    offset: int


class _Parser:
    def __init__(self, text: str, path: str, base: Pos) -> None:
        self.text, self.path, self.base = text, path, base
        self.toks = self._tokenize()
        self.i = 0

    def _pos(self, offset: int) -> Pos:
        return offset_pos(self.text, offset, self.base)

    def error(self, message: str, offset: int) -> InvalidApplicationPackageError:
        p = self._pos(offset)
        return InvalidApplicationPackageError([f"{self.path}:{p.line}:{p.col}: {message}"])

    def _tokenize(self) -> list[_Tok]:
        toks, at = [], 0
        while at < len(self.text):
            m = _TOKEN.match(self.text, at)
            if not m or m.end() == at:
                raise self.error(f"unexpected character {self.text[at]!r} in indexing", at)
            kind = m.lastgroup or ""
            if kind != "space":
                toks.append(_Tok(kind, m.group(), at))
            at = m.end()
        toks.append(_Tok("eof", "", len(self.text)))
        return toks

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def is_op(self, *ops: str) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.text in ops

    def expect(self, op: str) -> None:
        tok = self.take()
        if tok.kind != "op" or tok.text != op:
            found = tok.text or "end of statement"
            raise self.error(f"expected '{op}' in indexing, got '{found}'", tok.offset)

    def script(self, closing: str) -> Script:
        statements: list[Pipe] = []
        while True:
            while self.is_op(";"):
                self.take()
            if self.peek().kind == "eof" or self.is_op(closing):
                break
            statements.append(self.pipe())
            if not (self.is_op(";") or self.is_op(closing) or self.peek().kind == "eof"):
                tok = self.peek()
                raise self.error(f"unexpected '{tok.text}' in indexing", tok.offset)
        if not statements:
            raise self.error("empty indexing statement", self.peek().offset)
        return Script(tuple(statements))

    def pipe(self) -> Pipe:
        steps = [self.logic()]
        while self.is_op("|"):
            self.take()
            steps.append(self.logic())
        return Pipe(tuple(steps))

    def logic(self) -> Expr:
        left = self.comparison()
        while self.is_op("&&", "||") or self.peek().text in ("and", "or"):
            op = self.take().text
            left = BinOp(op, left, self.comparison())
        return left

    def comparison(self) -> Expr:
        left = self.arith()
        if self.is_op(*_COMPARE):
            op = self.take().text
            return BinOp(op, left, self.arith())
        return left

    def arith(self) -> Expr:
        left = self.primary()
        while self.is_op(*_BINARY):
            op = self.take().text
            left = BinOp(op, left, self.primary())
        return left

    def primary(self) -> Expr:
        tok = self.take()
        if tok.kind in ("string", "number"):
            return Literal(tok.text, self._pos(tok.offset))
        if tok.kind == "op" and tok.text == "-" and self.peek().kind == "number":
            return Literal("-" + self.take().text, self._pos(tok.offset))
        if tok.kind == "op" and tok.text == "{":
            body = self.script("}")
            self.expect("}")
            return Block(body)
        if tok.kind == "op" and tok.text == "(":
            inner = self.pipe()
            self.expect(")")
            return Block(Script((inner,))) if len(inner.steps) > 1 else inner.steps[0]
        if tok.kind == "ident":
            return self.call(tok)
        found = tok.text or "end of statement"
        raise self.error(f"expected an indexing expression, got '{found}'", tok.offset)

    def call(self, tok: _Tok) -> Expr:
        name = tok.text
        if name == "if":
            return self.if_rest()
        if name in ("switch", "select_input"):
            return self.cases(name)
        args: list[str] = []
        while self.peek().kind in ("ident", "string", "number") and (
            self.peek().text not in _STOP_WORDS
        ):
            arg = self.take().text
            if self.is_op(":") and self.toks[self.i + 1].kind in ("string", "number", "ident"):
                self.take()
                arg += ":" + self.take().text
            args.append(arg)
        body = None
        if name in _BLOCK_CALLS and self.is_op("{"):
            self.take()
            body = self.script("}")
            self.expect("}")
        return Call(name, tuple(args), body, self._pos(tok.offset))

    def if_rest(self) -> If:
        self.expect("(")
        cond = self.logic()
        self.expect(")")
        self.expect("{")
        then = self.script("}")
        self.expect("}")
        otherwise = None
        if self.peek().text == "else":
            self.take()
            if self.peek().text == "if":
                self.take()
                otherwise = Script((Pipe((self.if_rest(),)),))
            else:
                self.expect("{")
                otherwise = self.script("}")
                self.expect("}")
        return If(cond, then, otherwise)

    def cases(self, kind: str) -> Cases:
        self.expect("{")
        cases: list[tuple[str, Pipe]] = []
        while not self.is_op("}"):
            tok = self.take()
            if kind == "switch" and tok.text == "case":
                key = self.take()
                if key.kind != "string":
                    raise self.error("expected a string after 'case'", key.offset)
                label = key.text
            elif kind == "switch" and tok.text == "default":
                label = ""
            elif kind == "select_input" and tok.kind == "ident":
                label = tok.text
            else:
                raise self.error(f"unexpected '{tok.text or 'end'}' in {kind}", tok.offset)
            self.expect(":")
            cases.append((label, self.pipe()))
            while self.is_op(";"):
                self.take()
        self.expect("}")
        return Cases(kind, tuple(cases))


def parse_indexing(text: str, path: str = "", base: Pos = START) -> Script:
    """Parse an indexing statement; ``base`` is where ``text`` starts in ``path``.

    Raises:
        InvalidApplicationPackageError: with `path:line:col` of the first syntax error.
    """
    parser = _Parser(text, path, base)
    script = parser.script("}")
    tok = parser.peek()
    if tok.kind != "eof":
        raise parser.error(f"unexpected '{tok.text}' in indexing", tok.offset)
    return script
