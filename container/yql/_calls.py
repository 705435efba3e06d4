"""YQL function calls: one method per function (`weakAnd`, `wand`, `nearestNeighbor`, ...).

`CallRules` builds the query item for a call once the grammar has read its name and any
``{...}`` annotations; the boolean structure around calls is in `container.yql.parser`.
Calls that only make sense after ``contains`` (`phrase`, `near`, `onear`, `equiv`,
`sameElement`) take the field on the left of ``contains``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from container.yql._annotations import AnnotationReader
from container.yql._cursor import Annotations, TokenCursor
from container.yql.simple import QueryModel, parse_simple
from vespid.messages import (
    DotProductItem,
    FuzzyItem,
    Item,
    NearestNeighborItem,
    NearItem,
    OrItem,
    PhraseItem,
    RangeItem,
    RankItem,
    SameElementItem,
    TermItem,
    WandItem,
    WeakAndItem,
    WeightedSetItem,
)

_GRAMMARS = ("raw", "all", "any", "weakAnd", "phrase", "tokenize")


class CallRules(TokenCursor, abc.ABC):
    """Grammar rules for function calls; the subclass supplies the expression rule."""

    model: QueryModel
    element_field: str | None
    """The field of the enclosing `sameElement`, where bare strings are terms."""

    @abc.abstractmethod
    def expression(self) -> Item | None:
        """Parse a boolean expression (the grammar's top rule inside `where`)."""

    def reader(self, annotations: Annotations, position: int) -> AnnotationReader:
        """Typed access to ``annotations`` with errors at ``position``."""
        return AnnotationReader(annotations, self.text, position)

    def arguments(self, rule: Callable[[], Any]) -> list[Any]:
        """``( arg, arg, ... )`` with each argument read by ``rule``."""
        self.expect_op("(")
        args: list[Any] = []
        while not self.at_op(")"):
            if args:
                self.expect_op(",")
            args.append(rule())
        self.advance()
        return args

    def top_level_call(self, name: str, annotations: Annotations, position: int) -> Item | None:
        """A call that stands alone in a `where` expression."""
        rules: dict[str, Callable[[AnnotationReader], Item | None]] = {
            "userquery": self.user_query,
            "userinput": self.user_input,
            "weakand": self.weak_and,
            "rank": self.rank,
            "wand": self.wand,
            "weightedset": self.weighted_set,
            "dotproduct": self.dot_product,
            "nearestneighbor": self.nearest_neighbor,
            "range": self.range,
            "nonempty": self.non_empty,
        }
        rule = rules.get(name.lower())
        if rule is None:
            if self.element_field is not None and name.lower() in _CONTAINS_CALLS:
                return self.contains_call(self.element_field, name, annotations, position)
            raise self.error("a supported function", self.tokens[self.index - 1])
        return rule(self.reader(annotations, position))

    def contains_call(self, field: str, name: str, annotations: Annotations, position: int) -> Item:
        """A call on the right of ``field contains``."""
        reader = self.reader(annotations, position)
        lowered = name.lower()
        if lowered == "phrase":
            return PhraseItem(field, tuple(self.phrase_terms()))
        if lowered in ("near", "onear"):
            return self.near(field, reader, ordered=lowered == "onear")
        if lowered == "equiv":
            return self.equiv(field, position)
        if lowered == "sameelement":
            return self.same_element(field, reader)
        if lowered == "fuzzy":
            return self.fuzzy(field, reader)
        if lowered == "text":
            return self.text_call(field, reader)
        raise self.error(
            "phrase, near, onear, equiv, fuzzy, text or sameElement", self.tokens[self.index - 1]
        )

    def user_query(self, reader: AnnotationReader) -> Item | None:
        """``userQuery()``: the `query` parameter in the simple query language."""
        self.arguments(self.value)
        if not self.model.query:
            return None
        return parse_simple(self.model.query, self.model.default_index, self.model.type)

    def user_input(self, reader: AnnotationReader) -> Item | None:
        """``userInput(@p)`` / ``userInput("text")`` with `grammar` and `defaultIndex`."""
        args = self.arguments(self.string)
        if len(args) != 1:
            raise self.error("exactly one argument to userInput", self.tokens[self.index - 1])
        return self.user_text(
            args[0], reader.text("defaultIndex") or self.model.default_index, reader
        )

    def text_call(self, field: str, reader: AnnotationReader) -> Item:
        """``field contains ({grammar: ...}text("some text"))``: the text searched in
        ``field`` as userInput would (weakAnd of its words by default).

        Deviation: the text is read in the simple query language, as userInput's is,
        so ``-word`` and quotes keep that meaning.
        """
        start = self.token
        args = self.arguments(self.string)
        if len(args) != 1:
            raise self.error("exactly one argument to text", self.tokens[self.index - 1])
        item = self.user_text(args[0], field, reader)
        if item is None:
            raise self.error("a text with a searchable word", start)
        return item

    def user_text(self, text: str, index: str, reader: AnnotationReader) -> Item | None:
        """User text searched in ``index`` by the `grammar` annotation (weakAnd default)."""
        grammar = reader.choice("grammar", "weakAnd", _GRAMMARS)
        if grammar == "raw":
            return TermItem(index, text)
        item = parse_simple(text, index, grammar)
        if isinstance(item, WeakAndItem):
            return WeakAndItem(item.children, reader.integer("targetHits", item.target_hits))
        return item

    def non_empty(self, reader: AnnotationReader) -> Item:
        """``nonEmpty(expr)``: ``expr``, unless it has an empty term or operator, or is
        empty itself (say an empty userInput), which fails the query as in Vespa."""
        start = self.token
        args = self.arguments(self.expression)
        if len(args) != 1:
            raise self.error("exactly one argument to nonEmpty", self.tokens[self.index - 1])
        item: Item | None = args[0]
        if item is None or _has_empty(item):
            raise self.error("an expression without empty terms in nonEmpty", start)
        return item

    def weak_and(self, reader: AnnotationReader) -> Item:
        """``{targetHits: n}weakAnd(expr, ...)``."""
        children = [c for c in self.arguments(self.expression) if c is not None]
        return WeakAndItem(tuple(children), reader.integer("targetHits", 100))

    def rank(self, reader: AnnotationReader) -> Item | None:
        """``rank(match, ranked, ...)``: the first argument decides matching."""
        children = [c for c in self.arguments(self.expression) if c is not None]
        return RankItem(tuple(children)) if children else None

    def wand(self, reader: AnnotationReader) -> Item:
        """``{targetHits: n, scoreThreshold: s, thresholdBoostFactor: f}wand(field,
        {token: weight})``."""
        field, tokens = self.field_and_tokens()
        return WandItem(
            field,
            {k: float(v) for k, v in tokens.items()},
            reader.integer("targetHits", 10),
            reader.number("scoreThreshold") or 0.0,
            _default(reader.number("thresholdBoostFactor"), 1.0),
        )

    def weighted_set(self, reader: AnnotationReader) -> Item:
        """``weightedSet(field, {token: weight})``."""
        field, tokens = self.field_and_tokens()
        return WeightedSetItem(field, {k: int(v) for k, v in tokens.items()})

    def dot_product(self, reader: AnnotationReader) -> Item:
        """``dotProduct(field, {token: weight})``."""
        field, tokens = self.field_and_tokens()
        return DotProductItem(field, {k: float(v) for k, v in tokens.items()})

    def nearest_neighbor(self, reader: AnnotationReader) -> Item:
        """``{targetHits: k, ...}nearestNeighbor(field, queryTensorName)``."""
        self.expect_op("(")
        field = self.expect_ident()
        self.expect_op(",")
        tensor = self.expect_ident("the name of a query tensor")
        self.expect_op(")")
        return NearestNeighborItem(
            field,
            tensor,
            target_hits=reader.integer("targetHits", 10),
            approximate=reader.boolean("approximate", True),
            explore_additional_hits=reader.integer("hnsw.exploreAdditionalHits", 0),
            distance_threshold=reader.number("distanceThreshold"),
            label=reader.text("label"),
        )

    def range(self, reader: AnnotationReader) -> Item:
        """``{bounds: "open"|"leftOpen"|"rightOpen"}range(field, low, high)``, capped with
        ``{hitLimit: n, descending: true}`` (or ``ascending: false``) as in Vespa."""
        self.expect_op("(")
        field = self.expect_ident()
        self.expect_op(",")
        low = self.number("a number or Infinity")
        self.expect_op(",")
        high = self.number("a number or Infinity")
        self.expect_op(")")
        bounds = reader.choice("bounds", "closed", ("closed", "open", "leftOpen", "rightOpen"))
        hit_limit = reader.integer("hitLimit", 0)
        if reader.boolean("descending", False) or not reader.boolean("ascending", True):
            hit_limit = -abs(hit_limit)
        return RangeItem(
            field,
            None if low == float("-inf") else float(low),
            None if high == float("inf") else float(high),
            include_lower=bounds in ("closed", "rightOpen"),
            include_upper=bounds in ("closed", "leftOpen"),
            filter=reader.boolean("filter", False),
            hit_limit=hit_limit,
        )

    def field_and_tokens(self) -> tuple[str, dict[str, int | float]]:
        """``(field, {token: weight})``, the weights also as ``[[token, weight], ...]``."""
        self.expect_op("(")
        field = self.expect_ident()
        self.expect_op(",")
        if self.token.kind == "param":
            start = self.token
            sub = TokenCursor(self.param_value(), {})
            tokens = _weights(sub.value(), lambda: self.error("a map of weights", start))
        else:
            start = self.token
            tokens = _weights(self.value(), lambda: self.error("a map or array of weights", start))
        self.expect_op(")")
        return field, tokens

    def phrase_terms(self) -> list[str]:
        """The terms of ``phrase("a", "b", phrase("c"))``, nested phrases flattened."""
        terms: list[str] = []
        for arg in self.arguments(self.phrase_argument):
            terms.extend(arg)
        return terms

    def phrase_argument(self) -> list[str]:
        """One phrase argument: a string or a nested (possibly annotated) phrase()."""
        if self.at_op("[") or self.at_op("{"):
            self.annotations()
        if self.at_keyword("phrase"):
            self.advance()
            with self.nested():
                return self.phrase_terms()
        return [self.string("a string or phrase()")]

    def near(self, field: str, reader: AnnotationReader, ordered: bool) -> Item:
        """``{distance: n}near("a", "b")`` (or onear); negative terms are refused."""
        terms = self.arguments(self.near_term)
        return NearItem(field, tuple(terms), reader.integer("distance", 2), ordered)

    def near_term(self) -> str:
        """One near() argument: a plain string."""
        if self.at_op("!"):
            raise self.error("a positive term (negative near terms are not supported)")
        return self.string()

    def equiv(self, field: str, position: int) -> Item:
        """``equiv("a", phrase("b", "c"))``: alternatives for one term (kept as an OR)."""
        args = self.arguments(lambda: self.equiv_argument(field))
        if len(args) < 2:
            raise self.error("2 or more arguments to equiv", self.tokens[self.index - 1])
        return OrItem(tuple(args))

    def equiv_argument(self, field: str) -> Item:
        """A string or a phrase() inside equiv()."""
        if self.token.kind == "ident":
            if not self.at_keyword("phrase"):
                raise self.error("function 'phrase'")
            self.advance()
            return PhraseItem(field, tuple(self.phrase_terms()))
        return TermItem(field, self.string("a string or phrase()"))

    def fuzzy(self, field: str, reader: AnnotationReader) -> Item:
        """``field contains ({maxEditDistance: n, prefixLength: n, prefix: b}fuzzy("text"))``."""
        args = self.arguments(self.string)
        if len(args) != 1:
            raise self.error("exactly one argument to fuzzy", self.tokens[self.index - 1])
        distance = reader.integer("maxEditDistance", 2)
        prefix_length = reader.integer("prefixLength", 0)
        if distance < 0 or prefix_length < 0:
            raise self.error("non-negative maxEditDistance and prefixLength", self.token)
        return FuzzyItem(field, args[0], distance, prefix_length, reader.boolean("prefix", False))

    def same_element(self, field: str, reader: AnnotationReader) -> Item:
        """``field contains ({elementFilter: [i, ...]}sameElement(expr, ...))``: children
        relative to ``field``."""
        element_filter = reader.element_ids("elementFilter")
        outer, self.element_field = self.element_field, field
        try:
            children = [c for c in self.arguments(self.expression) if c is not None]
        finally:
            self.element_field = outer
        return SameElementItem(field, tuple(children), element_filter)


_CONTAINS_CALLS = frozenset({"phrase", "near", "onear", "equiv", "fuzzy"})


def _default(value: float | None, default: float) -> float:
    return default if value is None else value


def _has_empty(item: Item) -> bool:
    """Whether ``item`` holds an empty term, or an operator with nothing inside."""
    if isinstance(item, TermItem):
        return not item.term.strip()
    if isinstance(item, PhraseItem | NearItem):
        return not item.terms or any(not t.strip() for t in item.terms)
    children: tuple[Item, ...] = getattr(item, "children", ())
    if hasattr(item, "children") and not children:
        return True
    positive = getattr(item, "positive", None)
    parts = [*children, *getattr(item, "negatives", ()), *([positive] if positive else [])]
    return any(_has_empty(part) for part in parts)


def _weights(value: Any, fail: Callable[[], Exception]) -> dict[str, int | float]:
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
        pairs = [(str(k), w) for k, w in value]
    else:
        raise fail()
    if not all(isinstance(w, int | float) and not isinstance(w, bool) for _, w in pairs):
        raise fail()
    return {str(k): w for k, w in pairs}
