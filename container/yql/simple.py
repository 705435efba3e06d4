"""Vespa's simple query language: the text of ``query=`` and ``userQuery()``.

``love +song -"cover version" title:dreams price:>10 +(a b)`` — words, ``+required``,
``-excluded``, ``"phrases"``, ``field:term`` (``field:<n``, ``field:>n``,
``field:[a;b]`` for ranges), and parenthesised groups. How the words combine depends
on the query type (``model.type``):

- ``all``: every word must match (AND); ``any``: at least one (OR), with required words
  deciding matching and optional ones only ranking (Vespa's RANK); ``weakAnd``: a
  top-k OR (WEAKAND); ``phrase``: the whole text is one phrase; ``tokenize``: like
  weakAnd, with every operator character taken as text.

Excluded words become the negative side of an ANDNOT. Words are split where letters
and digits end (``foo.bar`` is the phrase ``"foo bar"``), as Vespa's tokenizer does.
The language is lenient: it never fails; an empty query gives None.

>>> item = parse_simple("a +b -c", query_type="any")
>>> [type(c).__name__ for c in item.children]
['NotItem', 'TermItem']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vespid.messages import (
    AndItem,
    Item,
    NotItem,
    OrItem,
    PhraseItem,
    RangeItem,
    RankItem,
    TermItem,
    TrueItem,
    WeakAndItem,
)

MAX_GROUP_DEPTH = 32
"""Parenthesised groups nested deeper than this are read as plain words."""

QUERY_TYPES = ("all", "any", "weakAnd", "phrase", "tokenize")

_WORD = re.compile(r"\w+", re.UNICODE)
_FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*):(?=\S)")
_WEIGHT = re.compile(r"(!+)(\d+)?$")
_RANGE = re.compile(r"(<|>)(-?\d+(?:\.\d+)?)$|\[(-?\d+(?:\.\d+)?)?;(-?\d+(?:\.\d+)?)?\]$")


@dataclass(frozen=True, slots=True)
class QueryModel:
    """What ``userQuery()`` parses: the query text and how (Vespa's ``model.*``)."""

    query: str | None = None
    default_index: str = "default"
    type: str = "all"


@dataclass(slots=True)
class _Clauses:
    required: list[Item] = field(default_factory=list)
    optional: list[Item] = field(default_factory=list)
    excluded: list[Item] = field(default_factory=list)
    positive: list[Item] = field(default_factory=list)
    """Required and optional items in the order written."""


def parse_simple(text: str, default_index: str = "default", query_type: str = "all") -> Item | None:
    """Parse ``text`` as a simple query of type ``query_type`` (one of `QUERY_TYPES`)."""
    if query_type == "phrase":
        words = _WORD.findall(text)
        return _phrase_or_term(default_index, words)
    scanner = _Scanner(text, default_index, query_type)
    return _combine(scanner.clauses(top=True), query_type)


def _combine(clauses: _Clauses, query_type: str) -> Item | None:
    if query_type == "any" and clauses.required:
        positive = _excluding(_all_of(clauses.required), clauses.excluded)
        return RankItem((positive, *clauses.optional)) if clauses.optional else positive
    if query_type in ("weakAnd", "tokenize"):
        optional = _group(clauses.optional, query_type)
        matching = _all_of([*clauses.required, *([optional] if optional else [])])
    elif query_type == "any":
        matching = _group(clauses.optional, query_type)
    else:
        matching = _all_of(clauses.positive)
    if matching is None and not clauses.excluded:
        return None
    return _excluding(matching, clauses.excluded)


def _excluding(positive: Item | None, excluded: list[Item]) -> Item:
    """ANDNOT; with nothing positive, everything not excluded matches."""
    if not excluded:
        assert positive is not None
        return positive
    return NotItem(positive or TrueItem(), tuple(excluded))


def _group(items: list[Item], query_type: str) -> Item | None:
    if len(items) <= 1:
        return items[0] if items else None
    if query_type == "any":
        return OrItem(tuple(items))
    if query_type in ("weakAnd", "tokenize"):
        return WeakAndItem(tuple(items))
    return AndItem(tuple(items))


def _all_of(items: list[Item]) -> Item | None:
    """AND of ``items``; nested ANDs are flattened (AND is associative, Vespa prints flat)."""
    flat: list[Item] = []
    for item in items:
        flat.extend(item.children if isinstance(item, AndItem) else (item,))
    if len(flat) <= 1:
        return flat[0] if flat else None
    return AndItem(tuple(flat))


def _phrase_or_term(index: str, words: list[str]) -> Item | None:
    if not words:
        return None
    if len(words) == 1:
        return TermItem(index, words[0])
    return PhraseItem(index, tuple(words))


class _Scanner:
    """Reads clauses left to right; one method per construct."""

    def __init__(self, text: str, default_index: str, query_type: str) -> None:
        self.text = text
        self.pos = 0
        self.default_index = default_index
        self.query_type = query_type
        self.literal = query_type == "tokenize"
        self.depth = 0

    def clauses(self, top: bool) -> _Clauses:
        result = _Clauses()
        while True:
            self.skip_space()
            if self.pos >= len(self.text) or (not top and self.peek() == ")"):
                self.pos += 1
                return result
            sign = self.sign()
            item = self.clause(sign)
            if item is None:
                continue
            {"+": result.required, "-": result.excluded}.get(sign, result.optional).append(item)
            if sign != "-":
                result.positive.append(item)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def sign(self) -> str:
        char = self.peek()
        if not self.literal and char in "+-" and self.pos + 1 < len(self.text):
            after = self.text[self.pos + 1]
            if not after.isspace():
                self.pos += 1
                return char
        return ""

    def clause(self, sign: str) -> Item | None:
        if not self.literal and self.peek() == "(":
            self.pos += 1
            if self.depth >= MAX_GROUP_DEPTH:
                return None  # deeper groups are read as their words, keeping the stack small
            self.depth += 1
            inner = self.clauses(top=False)
            self.depth -= 1
            # Vespa ORs a group's words, except in an excluded group, which must all match.
            return _combine(inner, "all" if sign == "-" else "any")
        index = self.default_index
        m = None if self.literal else _FIELD.match(self.text, self.pos)
        if m:
            index = m.group(1)
            self.pos = m.end()
        if not self.literal and self.peek() == '"':
            return self.phrase(index)
        return self.word(index)

    def phrase(self, index: str) -> Item | None:
        end = self.text.find('"', self.pos + 1)
        end = len(self.text) if end < 0 else end
        words = _WORD.findall(self.text[self.pos + 1 : end])
        self.pos = end + 1
        return _phrase_or_term(index, words)

    def word(self, index: str) -> Item | None:
        start = self.pos
        stop = ")" if not self.literal else ""
        while self.pos < len(self.text) and not self.text[self.pos].isspace():
            if stop and self.text[self.pos] == stop:
                break
            self.pos += 1
        raw = self.text[start : self.pos]
        if start == self.pos:
            self.pos += 1
            return None
        if self.literal:
            return _all_words(index, _WORD.findall(raw))
        ranged = _RANGE.match(raw)
        if ranged:
            return _range(index, ranged)
        return _word(index, raw)


def _word(index: str, raw: str) -> Item | None:
    """One unquoted word: ``prefix*``, ``*suffix``, ``*substring*``, ``word!150``.

    A word that the tokenizer splits (``b.c``) becomes an AND of its parts, as Vespa
    does when phrase segmenting is off.
    """
    weight = 100
    bangs = _WEIGHT.search(raw)
    if bangs:
        raw = raw[: bangs.start()]
        digits = bangs.group(2)
        weight = int(digits) if digits else 100 + 50 * len(bangs.group(1))
    words = _WORD.findall(raw)
    if len(words) != 1:
        return _all_words(index, words)
    prefix, suffix = raw.endswith("*"), raw.startswith("*")
    kind = {(True, True): "substring", (True, False): "prefix", (False, True): "suffix"}
    return TermItem(index, words[0], kind=kind.get((prefix, suffix), "word"), weight=weight)


def _all_words(index: str, words: list[str]) -> Item | None:
    return _all_of([TermItem(index, w) for w in words])


def _range(index: str, m: re.Match[str]) -> Item:
    if m.group(1) == "<":
        return RangeItem(index, upper=float(m.group(2)), include_upper=False)
    if m.group(1) == ">":
        return RangeItem(index, lower=float(m.group(2)), include_lower=False)
    low, high = m.group(3), m.group(4)
    return RangeItem(
        index,
        float(low) if low is not None else None,
        float(high) if high is not None else None,
    )
