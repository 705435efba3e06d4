"""A scanner over schema (.sd) text that knows line and column of everything it reads.

Vespa's schema language mixes a block structure (`name { ... }`) with free text that
belongs to other languages: indexing statements and ranking expressions run to the end
of the line (`indexing: a | b`) or fill a brace block (`expression { ... }`). So instead
of cutting the whole file into tokens up front, the parser pulls what it expects next
from a :class:`Scanner`: a word, a type, a number, a quoted string, the rest of a line
or the raw inside of a balanced block. Comments start with `#` and run to the line end.
Every failure is an :class:`InvalidApplicationPackageError` naming `path:line:col`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from configserver.errors import InvalidApplicationPackageError

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.]*")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SPACE = " \t\r\f\v"


@dataclass(frozen=True, slots=True)
class Pos:
    """A 1-based line and column in a source file."""

    line: int
    col: int


class Scanner:
    """Reads schema text left to right; ``pos`` is the offset of the next character."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.pos = 0
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    # -- positions and errors -------------------------------------------------------

    def where(self, offset: int | None = None) -> Pos:
        """Return the line and column of ``offset`` (default: the next character)."""
        at = self.pos if offset is None else offset
        line = bisect.bisect_right(self._line_starts, at)
        return Pos(line, at - self._line_starts[line - 1] + 1)

    def error(self, message: str, at: Pos | None = None) -> InvalidApplicationPackageError:
        """Return the package error for ``message`` at ``at`` (default: here)."""
        p = at or self.where()
        return InvalidApplicationPackageError([f"{self.path}:{p.line}:{p.col}: {message}"])

    def _found(self) -> str:
        if self.pos >= len(self.text):
            return "end of file"
        m = _WORD.match(self.text, self.pos)
        return f"'{m.group()}'" if m else f"'{self.text[self.pos]}'"

    # -- whitespace ------------------------------------------------------------------

    def skip_space(self, newlines: bool = True) -> None:
        """Skip blanks and comments, and line breaks too unless ``newlines`` is False."""
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch in _SPACE or (newlines and ch == "\n"):
                self.pos += 1
            elif ch == "#":
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end
            else:
                return

    def at_end(self) -> bool:
        """True when only blanks and comments are left."""
        self.skip_space()
        return self.pos >= len(self.text)

    def at_line_end(self) -> bool:
        """True when nothing but blanks and a comment remain on this line."""
        self.skip_space(newlines=False)
        return self.pos >= len(self.text) or self.text[self.pos] == "\n"

    # -- single items -----------------------------------------------------------------

    def peek(self, newlines: bool = True) -> str:
        """Return the next significant character, or '' at the end."""
        self.skip_space(newlines)
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def accept(self, ch: str, newlines: bool = True) -> bool:
        """Consume ``ch`` if it comes next."""
        if self.peek(newlines) == ch:
            self.pos += 1
            return True
        return False

    def expect(self, ch: str, what: str = "") -> Pos:
        """Consume ``ch`` or fail; return where it was."""
        at = self.where_next()
        if not self.accept(ch):
            context = f" {what}" if what else ""
            raise self.error(f"expected '{ch}'{context}, got {self._found()}")
        return at

    def where_next(self, newlines: bool = True) -> Pos:
        """Skip blanks, then return the position of the next character."""
        self.skip_space(newlines)
        return self.where()

    def peek_word(self, newlines: bool = True) -> str:
        """Return the next word without consuming it, or ''."""
        self.skip_space(newlines)
        m = _WORD.match(self.text, self.pos)
        return m.group() if m else ""

    def word(self, what: str = "a name", newlines: bool = True) -> str:
        """Consume and return a word (letters, digits, `_`, `-`, `.`)."""
        self.skip_space(newlines)
        m = _WORD.match(self.text, self.pos)
        if not m:
            raise self.error(f"expected {what}, got {self._found()}")
        self.pos = m.end()
        return m.group()

    def keyword(self, kw: str) -> bool:
        """Consume the word ``kw`` if it comes next (whole word only)."""
        if self.peek_word() == kw:
            self.pos += len(kw)
            return True
        return False

    def number(self, what: str = "a number") -> str:
        """Consume and return a number literal as written."""
        self.skip_space(newlines=False)
        m = _NUMBER.match(self.text, self.pos)
        if not m:
            raise self.error(f"expected {what}, got {self._found()}")
        self.pos = m.end()
        return m.group()

    def integer(self, what: str = "an integer") -> int:
        """Consume an integer literal."""
        at = self.where_next(newlines=False)
        text = self.number(what)
        try:
            return int(text)
        except ValueError:
            raise self.error(f"expected {what}, got '{text}'", at) from None

    def real(self, what: str = "a number") -> float:
        """Consume a numeric literal as a float."""
        return float(self.number(what))

    def string(self) -> str:
        """Consume a double- or single-quoted string and return its unescaped content."""
        self.skip_space()
        start = self.pos
        quote = self.text[start] if start < len(self.text) else ""
        if quote not in ("'", '"'):
            raise self.error(f"expected a quoted string, got {self._found()}")
        end = _string_end(self.text, start)
        if end < 0:
            raise self.error("unterminated string", self.where(start))
        self.pos = end
        body = self.text[start + 1 : end - 1]
        return re.sub(r"\\(.)", r"\1", body)

    # -- free text ---------------------------------------------------------------------

    def rest_of_line(self) -> tuple[str, Pos]:
        """Consume the text to the end of the line, continuing over balanced braces.

        A trailing `# comment` is dropped. Returns the stripped text and its position.
        """
        self.skip_space(newlines=False)
        start = self.pos
        end = self._scan_free(stop_at_newline=True)
        text = _strip_comment(self.text[start:end]).strip()
        self.pos = end
        return text, self.where(start)

    def block_body(self) -> tuple[str, Pos]:
        """After `{` was consumed: consume up to the matching `}`.

        Returns the inside with comments blanked and surrounding space stripped, and the
        position of its first character.
        """
        start = self.pos
        end = self._scan_free(stop_at_newline=False)
        if end >= len(self.text):
            raise self.error("unbalanced '{': no matching '}'", self.where(start - 1))
        self.pos = end + 1
        raw = blank_comments(self.text[start:end])
        lead = len(raw) - len(raw.lstrip())
        return raw.strip(), self.where(start + lead)

    def _scan_free(self, stop_at_newline: bool) -> int:
        """Return the offset where free text ends: a newline or `}` at depth 0, or EOF."""
        text, n, i, depth = self.text, len(self.text), self.pos, 0
        while i < n:
            ch = text[i]
            if ch in ("'", '"'):
                end = _string_end(text, i)
                if end < 0:
                    raise self.error("unterminated string", self.where(i))
                i = end
                continue
            if ch == "#":
                nl = text.find("\n", i)
                i = n if nl < 0 else nl
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                if depth == 0:
                    return i
                depth -= 1
            elif ch == "\n" and stop_at_newline and depth == 0:
                return i
            i += 1
        return n

    def skip_setting(self) -> None:
        """Skip the rest of a setting whose keyword was read: `: value`, `[args] { ... }`."""
        if self.accept(":", newlines=False):
            self.rest_of_line()
            return
        while not self.at_line_end():
            if self.accept("{"):
                self.block_body()
                return
            if self.peek(newlines=False) == "}":
                return
            self.pos += 1
        if self.accept("{"):
            self.block_body()

    def type_text(self) -> str:
        """Consume a field type: `string`, `array<map<string,int>>`, `tensor<float>(x[4])`."""
        at = self.where_next()
        name = self.word("a type")
        parts = [name]
        if self.peek(newlines=False) == "<":
            parts.append(self._bracketed("<", ">", at))
        if name == "tensor" and self.peek(newlines=False) == "(":
            parts.append(self._bracketed("(", ")", at))
        result = "".join(parts)
        while self.text.startswith("[]", self.pos):
            self.pos += 2
            result = f"array<{result}>"
        return result

    def _bracketed(self, open_: str, close: str, at: Pos) -> str:
        start, depth, text = self.pos, 0, self.text
        while self.pos < len(text):
            ch = text[self.pos]
            self.pos += 1
            if ch == open_:
                depth += 1
            elif ch == close:
                depth -= 1
                if depth == 0:
                    return re.sub(r"\s+", "", text[start : self.pos])
            elif ch in "{}\n" and open_ == "<":
                break
        raise self.error(f"unbalanced '{open_}' in type", at)


def offset_pos(text: str, offset: int, base: Pos) -> Pos:
    """Return where ``offset`` into ``text`` lies, given that ``text`` starts at ``base``."""
    before = text[:offset]
    newlines = before.count("\n")
    if newlines == 0:
        return Pos(base.line, base.col + offset)
    return Pos(base.line + newlines, offset - before.rfind("\n"))


def blank_comments(text: str) -> str:
    """Replace every `#` comment outside strings by spaces, keeping offsets unchanged."""
    return "\n".join(
        line[: len(stripped)] + " " * (len(line) - len(stripped))
        for line, stripped in ((ln, _strip_comment(ln)) for ln in text.split("\n"))
    )


def _string_end(text: str, start: int) -> int:
    """Return the offset just after the string starting at ``start``, or -1."""
    quote, i, n = text[start], start + 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return i + 1
        if ch == "\n":
            return -1
        i += 1
    return -1


def _strip_comment(text: str) -> str:
    """Drop a `#` comment that is not inside a quoted string."""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in ("'", '"'):
            end = _string_end(text, i)
            if end < 0:
                return text
            i = end
            continue
        if ch == "#":
            return text[:i]
        i += 1
    return text
