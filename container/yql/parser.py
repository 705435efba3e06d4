"""The YQL parser: query text → `YqlQuery` with a `vespid.messages` query tree.

Grammar (keywords case insensitive; ``{...}`` annotations before a call or term)::

    query      := SELECT fields FROM sources WHERE expression [ORDER BY keys]
                  (LIMIT n | OFFSET n | TIMEOUT n)* ('|' grouping)* [';']
    expression := conjunction (OR conjunction)*
    conjunction:= unary (AND unary)*
    unary      := ('!' | NOT) unary | primary
    primary    := '(' expression ')' | TRUE | FALSE | [annotations] call | relation
    relation   := field CONTAINS term-or-call | field MATCHES string
                | field IN '(' values ')' | field op value | value op field

Negations are gathered per conjunction into Vespa's ANDNOT (`NotItem`): ``a and !b``
becomes ``NotItem(a, (b,))`` and a lone ``!b`` has `TrueItem` as its positive side.
Comparisons become `EqualsItem` or `RangeItem` (``price < 500`` is an exclusive upper
bound). ``equiv()`` is kept as an OR of its alternatives.

>>> where = parse_yql('select * from sources * where a contains "x" and !(b > 2)').where
>>> type(where).__name__, where.positive.term, len(where.negatives)
('NotItem', 'x', 1)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from container.errors import YqlSyntaxError
from container.yql._calls import CallRules
from container.yql.query import YqlQuery
from container.yql.simple import QueryModel
from vespid.messages import (
    AndItem,
    EqualsItem,
    FalseItem,
    InItem,
    Item,
    NotItem,
    OrderBy,
    OrItem,
    RangeItem,
    RegexItem,
    SameElementItem,
    TermItem,
    TrueItem,
)

_COMPARISONS = ("=", "!=", "<", ">", "<=", ">=")
_ELEMENT_INDEX = re.compile(r"(.+)\[(\d+)\]")
_MIRRORED = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}
_CLAUSE_WORDS = ("limit", "offset", "timeout")


def parse_yql(
    text: str,
    parameters: Mapping[str, str] | None = None,
    model: QueryModel | None = None,
) -> YqlQuery:
    """Parse one YQL statement.

    Args:
        text: the YQL.
        parameters: request parameters, for ``@name`` references and ``userInput(@name)``.
        model: the `query` text and settings that ``userQuery()`` parses.

    Raises:
        YqlSyntaxError: with the position, what was expected and what was found.
    """
    return YqlParser(text, parameters or {}, model or QueryModel()).statement()


class YqlParser(CallRules):
    """Recursive-descent parser: one method per grammar rule."""

    def __init__(self, text: str, parameters: Mapping[str, str], model: QueryModel) -> None:
        super().__init__(text, parameters)
        self.model = model
        self.element_field = None

    def statement(self) -> YqlQuery:
        """``select ... from ... where ...`` and its clauses, to the end of the text."""
        self.expect_keyword("select")
        select = self.select_list()
        self.expect_keyword("from")
        sources = self.sources()
        self.expect_keyword("where")
        start = self.token
        where = self.expression()
        if where is None:
            raise self.error("a query (userQuery() had no query text)", start)
        order_by = self.order_by()
        clauses = self.clauses()
        grouping = self.grouping()
        self.accept_op(";")
        if self.token.kind != "eof":
            raise self.error("end of query")
        return YqlQuery(
            where, select, sources, order_by,
            clauses.get("limit"), clauses.get("offset"), clauses.get("timeout"), grouping,
        )  # fmt: skip

    def select_list(self) -> tuple[str, ...] | None:
        """``*`` or ``field, field, ...``."""
        if self.accept_op("*"):
            return None
        return tuple(self.names())

    def sources(self) -> tuple[str, ...] | None:
        """``sources *``, ``sources a, b`` or a bare ``schema``."""
        if self.at_keyword("sources") and not self.at_keyword_next("where"):
            self.advance()
            if self.accept_op("*"):
                return None
        return tuple(self.names())

    def at_keyword_next(self, word: str) -> bool:
        """Whether the token after the current one is the keyword ``word``."""
        nxt = self.peek()
        return nxt.kind == "ident" and nxt.text.lower() == word

    def names(self) -> list[str]:
        """``name, name, ...``."""
        names = [self.expect_ident("a name")]
        while self.accept_op(","):
            names.append(self.expect_ident("a name"))
        return names

    def order_by(self) -> tuple[OrderBy, ...]:
        """``order by [annotations] field [asc|desc], ...``."""
        if not self.accept_keyword("order"):
            return ()
        self.expect_keyword("by")
        keys = [self.order_key()]
        while self.accept_op(","):
            keys.append(self.order_key())
        return tuple(keys)

    def order_key(self) -> OrderBy:
        """One sort key; a sort-function annotation is accepted and ignored."""
        if self.at_op("{"):
            self.annotations()
        field = self.expect_ident("a field to order by")
        if self.accept_keyword("desc"):
            return OrderBy(field, ascending=False)
        self.accept_keyword("asc")
        return OrderBy(field)

    def clauses(self) -> dict[str, int]:
        """``limit n``, ``offset n`` and ``timeout n`` in any order, each at most once."""
        found: dict[str, int] = {}
        while self.at_keyword(*_CLAUSE_WORDS):
            word = self.token
            name = word.text.lower()
            if name in found:
                raise self.error(f"one '{name}' clause", word)
            self.advance()
            value = self.expect_int(f"a number after '{name}'")
            if value < 0:
                raise self.error(f"a non-negative number after '{name}'", word)
            found[name] = value
        return found

    def grouping(self) -> tuple[str, ...]:
        """``| all(...)`` steps, kept as text up to the next top-level ``|`` or ``;``."""
        steps: list[str] = []
        while self.accept_op("|"):
            start, depth = self.token.position, 0
            while self.token.kind != "eof" and not (
                depth == 0 and (self.at_op("|") or self.at_op(";"))
            ):
                depth += self.at_op("(") - self.at_op(")")
                self.advance()
            if depth != 0:
                raise self.error("')' closing the grouping expression")
            steps.append(self.text[start : self.token.position].strip())
        return tuple(steps)

    def expression(self) -> Item | None:
        """``conjunction (OR conjunction)*``."""
        with self.nested():
            return self.disjunction()

    def disjunction(self) -> Item | None:
        """The body of `expression`."""
        items = [self.conjunction()]
        while self.accept_keyword("or"):
            items.append(self.conjunction())
        kept = [i for i in items if i is not None]
        if len(kept) <= 1:
            return kept[0] if kept else None
        return OrItem(tuple(kept))

    def conjunction(self) -> Item | None:
        """``unary (AND unary)*``, with negated operands gathered into an ANDNOT."""
        items = [self.unary()]
        while self.accept_keyword("and"):
            items.append(self.unary())
        positives: list[Item] = []
        negatives: list[Item] = []
        for item in items:
            if isinstance(item, NotItem) and isinstance(item.positive, TrueItem):
                negatives.extend(item.negatives)
            elif item is not None:
                positives.append(item)
        positive = _all_of(positives)
        if negatives:
            return NotItem(positive or TrueItem(), tuple(negatives))
        return positive

    def unary(self) -> Item | None:
        """``! unary``, ``not unary`` or a primary."""
        start = self.token
        if self.accept_op("!") or (self.at_keyword("not") and self.peek().text != "in"):
            if start.kind == "ident":
                self.advance()
            with self.nested():
                operand = self.unary()
            if operand is None:
                raise self.error("something to negate", start)
            return NotItem(TrueItem(), (operand,))
        return self.primary()

    def primary(self) -> Item | None:
        """A parenthesised expression, true/false, a call, a relation or a bare term."""
        if self.at_op("("):
            return self.parenthesised()
        if self.at_op("{") or self.at_op("["):
            return self.annotated()
        if self.at_keyword("true", "false") and self.peek().text not in _COMPARISONS:
            return TrueItem() if self.advance().text.lower() == "true" else FalseItem()
        if self.token.kind == "ident" and self.peek().text == "(":
            name = self.advance()
            return self.top_level_call(name.text, {}, name.position)
        if self.token.kind == "ident":
            return self.relation(self.advance().text)
        if self.element_field is not None and self.token.kind == "string":
            return TermItem(self.element_field, self.advance().text)
        return self.value_first_relation()

    def parenthesised(self) -> Item | None:
        """``( expression )``, or a parenthesised value starting ``(500) < price``."""
        mark = self.index
        try:
            self.expect_op("(")
            item = self.expression()
            self.expect_op(")")
            return item
        except YqlSyntaxError as first:
            reached, self.index = self.index, mark
            try:
                return self.value_first_relation()
            except YqlSyntaxError:
                if reached >= self.index:
                    raise first from None
                raise

    def annotated(self) -> Item | None:
        """``{annotations}call(...)``, or an annotated bare term inside sameElement."""
        position = self.token.position
        annotations = self.annotations()
        if self.token.kind == "ident" and self.peek().text == "(":
            name = self.advance().text
            return self.top_level_call(name, annotations, position)
        if self.element_field is not None:
            return self.term(self.element_field, annotations, position)
        raise self.error("a function call after the annotations")

    def relation(self, field: str) -> Item:
        """What follows a field name: contains, matches, in, or a comparison.

        ``f[2] = 42`` is Vespa's shorthand for ``f contains ({elementFilter: [2]}
        sameElement(f = 42))``: the condition on element 2 of array ``f``.
        """
        element = _ELEMENT_INDEX.fullmatch(field)
        if element is not None:
            base = element.group(1)
            item = self.field_relation(base)
            return SameElementItem(base, (item,), (int(element.group(2)),))
        return self.field_relation(field)

    def field_relation(self, field: str) -> Item:
        """:meth:`relation` on a plain field name."""
        if self.accept_keyword("contains"):
            return self.contains(field)
        if self.accept_keyword("matches"):
            return RegexItem(field, self.string("a regular expression"))
        if self.accept_keyword("in"):
            return InItem(field, tuple(self.arguments(self.in_value)))
        if self.token.kind == "op" and self.token.text in _COMPARISONS:
            op = self.advance().text
            return self.comparison(field, op)
        raise self.error("contains, matches, in or a comparison")

    def comparison(self, field: str, op: str) -> Item:
        """The value after ``field op``; ordering operators need a number."""
        start = self.token
        value, filtered = self.annotated_value()
        if op not in ("=", "!=") and isinstance(value, bool | str):
            raise self.error(f"a number after '{op}'", start)
        return _comparison(field, op, value, filtered)

    def value_first_relation(self) -> Item:
        """``value op field``, such as ``500 < price``."""
        start = self.token
        value, filtered = self.annotated_value()
        if not (self.token.kind == "op" and self.token.text in _COMPARISONS):
            raise self.error("a comparison operator")
        op = _MIRRORED[self.advance().text]
        field = self.expect_ident()
        if op not in ("=", "!=") and isinstance(value, bool | str):
            raise self.error(f"a number before '{op}'", start)
        return _comparison(field, op, value, filtered)

    def annotated_value(self) -> tuple[bool | int | float | str, bool]:
        """A comparison value and whether it is annotated ``{filter: true}``."""
        position = self.token.position
        if self.at_op("(") and self.peek().text == "{":
            self.advance()
            reader = self.reader(self.annotations(), position)
            with self.nested():
                value, inner = self.annotated_value()
            self.expect_op(")")
            return value, inner or reader.boolean("filter", False)
        return self.comparison_value(), False

    def comparison_value(self) -> bool | int | float | str:
        """A number, string, true/false or ``@param``; may be ``({annotations}value)``."""
        if self.accept_op("("):
            if self.at_op("{"):
                self.annotations()
            with self.nested():
                value = self.comparison_value()
            self.expect_op(")")
            return value
        if self.at_keyword("true", "false"):
            return self.advance().text.lower() == "true"
        if self.token.kind == "param":
            return _number_or_text(self.param_value())
        if self.token.kind == "string":
            return self.string()
        return self.number("a number, string or boolean")

    def in_value(self) -> int | float | str:
        """One value of ``in (...)``: a number or a string."""
        if self.token.kind in ("string", "param"):
            return self.string()
        return self.number("a number or string")

    def contains(self, field: str) -> Item:
        """The right side of ``field contains``: a term or phrase/near/... call."""
        if self.accept_op("("):
            with self.nested():
                item = self.contains(field)
            self.expect_op(")")
            return item
        position = self.token.position
        annotations = self.annotations() if self.at_op("{") or self.at_op("[") else {}
        if self.token.kind == "ident" and self.peek().text == "(":
            name = self.advance().text
            return self.contains_call(field, name, annotations, position)
        return self.term(field, annotations, position)

    def term(self, field: str, annotations: dict[str, object], position: int) -> Item:
        """A string term with its annotations (prefix, stem, weight, filter, ...)."""
        text = self.string("a string term")
        reader = self.reader(annotations, position)
        return TermItem(
            field,
            text,
            kind=reader.match_kind(),
            stem=reader.boolean("stem", True),
            normalize=reader.boolean("accentDrop", True),
            weight=reader.integer("weight", 100),
            filter=reader.boolean("filter", False),
            ranked=reader.boolean("ranked", True),
            label=reader.text("label"),
        )


def _number_or_text(text: str) -> int | float | str:
    """A parameter's value as a number when it reads as one (`@n` in ``year > @n``)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _all_of(items: list[Item]) -> Item | None:
    if len(items) > 1:
        return AndItem(tuple(items))
    return items[0] if items else None


def _comparison(
    field: str, op: str, value: bool | int | float | str, filtered: bool = False
) -> Item:
    if op in ("=", "!="):
        item: Item = EqualsItem(field, value, filtered)
        return item if op == "=" else NotItem(TrueItem(), (item,))
    assert not isinstance(value, bool | str), "callers check ordering operands"
    bound = float(value)
    if op == "<":
        return RangeItem(field, upper=bound, include_upper=False, filter=filtered)
    if op == "<=":
        return RangeItem(field, upper=bound, filter=filtered)
    if op == ">":
        return RangeItem(field, lower=bound, include_lower=False, filter=filtered)
    return RangeItem(field, lower=bound, filter=filtered)
