"""Query tree → YQL text, in lockstep with `container.yql.parser`.

``parse_yql(render_yql(q)) == q`` for every query whose tree is in the parser's normal
form: negations appear only as `NotItem` (never as an AND child whose positive side
is `TrueItem`, which the parser would fold into the enclosing ANDNOT), and field names
are not YQL keywords. The hypothesis round-trip test holds the two to this.

>>> from vespid.messages import TermItem, RangeItem, AndItem
>>> render_item(AndItem((TermItem("title", "love"), RangeItem("year", lower=2000.0))))
'title contains "love" and range(year, 2000.0, Infinity)'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from container.yql.query import YqlQuery
from vespid.messages import (
    AndItem,
    DotProductItem,
    EqualsItem,
    FalseItem,
    FuzzyItem,
    InItem,
    Item,
    NearestNeighborItem,
    NearItem,
    NotItem,
    OrItem,
    PhraseItem,
    RangeItem,
    RankItem,
    RegexItem,
    SameElementItem,
    TermItem,
    TrueItem,
    WandItem,
    WeakAndItem,
    WeightedSetItem,
)


def render_yql(query: YqlQuery) -> str:
    """The whole statement as YQL."""
    parts = [
        "select",
        "*" if query.select is None else ", ".join(query.select),
        "from",
        "sources *" if query.sources is None else "sources " + ", ".join(query.sources),
        "where",
        render_item(query.where),
    ]
    if query.order_by:
        keys = (f"{k.field} {'asc' if k.ascending else 'desc'}" for k in query.order_by)
        parts.append("order by " + ", ".join(keys))
    for word, value in (
        ("limit", query.limit),
        ("offset", query.offset),
        ("timeout", query.timeout_ms),
    ):
        if value is not None:
            parts.append(f"{word} {value}")
    parts.extend(f"| {step}" for step in query.grouping)
    return " ".join(parts)


def render_item(item: Item) -> str:
    """One query item as a YQL expression."""
    renderer = _RENDERERS.get(type(item))
    if renderer is None:
        raise TypeError(f"no YQL form for {type(item).__name__}")
    return renderer(item)


def quote(text: str) -> str:
    """A double-quoted YQL string literal for ``text``."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{quote(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _annotated(annotations: dict[str, Any], body: str) -> str:
    if not annotations:
        return body
    return (
        "({"
        + ", ".join(f"{quote(k)}: {_literal(v)}" for k, v in annotations.items())
        + "}"
        + body
        + ")"
    )


def _operand(item: Item) -> str:
    text = render_item(item)
    return f"({text})" if isinstance(item, AndItem | OrItem | NotItem) else text


def _and(item: AndItem) -> str:
    return " and ".join(_operand(c) for c in item.children)


def _or(item: OrItem) -> str:
    return " or ".join(_operand(c) for c in item.children)


def _not(item: NotItem) -> str:
    parts = [] if isinstance(item.positive, TrueItem) else [_operand(item.positive)]
    parts.extend(f"!({render_item(n)})" for n in item.negatives)
    return " and ".join(parts)


def _calls(name: str, children: tuple[Item, ...]) -> str:
    return f"{name}(" + ", ".join(render_item(c) for c in children) + ")"


def _term(item: TermItem) -> str:
    annotations: dict[str, Any] = {}
    if item.kind != "word":
        annotations[item.kind] = True
    defaults = (("stem", item.stem, True), ("accentDrop", item.normalize, True),
                ("weight", item.weight, 100), ("filter", item.filter, False),
                ("ranked", item.ranked, True), ("label", item.label, None))  # fmt: skip
    annotations.update({k: v for k, v, default in defaults if v != default})
    return f"{item.field} contains " + _annotated(annotations, quote(item.term))


def _near(item: NearItem) -> str:
    name = "onear" if item.ordered else "near"
    body = f"{name}(" + ", ".join(quote(t) for t in item.terms) + ")"
    annotations = {"distance": item.distance} if item.distance != 2 else {}
    return f"{item.field} contains " + _annotated(annotations, body)


def _range(item: RangeItem) -> str:
    low = "-Infinity" if item.lower is None else repr(item.lower)
    high = "Infinity" if item.upper is None else repr(item.upper)
    bounds = {
        (True, True): None,
        (False, False): "open",
        (False, True): "leftOpen",
        (True, False): "rightOpen",
    }[(item.include_lower, item.include_upper)]
    body = f"range({item.field}, {low}, {high})"
    annotations: dict[str, Any] = {"bounds": bounds} if bounds else {}
    if item.filter:
        annotations["filter"] = True
    if item.hit_limit:
        annotations["hitLimit"] = abs(item.hit_limit)
        if item.hit_limit < 0:
            annotations["descending"] = True
    return _annotated(annotations, body)


def _wand_annotations(item: WandItem) -> dict[str, Any]:
    annotations: dict[str, Any] = {"targetHits": item.target_hits}
    if item.score_threshold:
        annotations["scoreThreshold"] = item.score_threshold
    if item.threshold_boost_factor != 1.0:
        annotations["thresholdBoostFactor"] = item.threshold_boost_factor
    return annotations


def _fuzzy_annotations(item: FuzzyItem) -> dict[str, Any]:
    annotations: dict[str, Any] = {}
    if item.max_edit_distance != 2:
        annotations["maxEditDistance"] = item.max_edit_distance
    if item.prefix_length:
        annotations["prefixLength"] = item.prefix_length
    if item.prefix:
        annotations["prefix"] = True
    return annotations


def _nearest_neighbor(item: NearestNeighborItem) -> str:
    annotations: dict[str, Any] = {"targetHits": item.target_hits}
    if not item.approximate:
        annotations["approximate"] = False
    if item.explore_additional_hits:
        annotations["hnsw.exploreAdditionalHits"] = item.explore_additional_hits
    if item.distance_threshold is not None:
        annotations["distanceThreshold"] = item.distance_threshold
    if item.label is not None:
        annotations["label"] = item.label
    return _annotated(annotations, f"nearestNeighbor({item.field}, {item.query_tensor})")


_RENDERERS: dict[type[Item], Callable[[Any], str]] = {
    TrueItem: lambda i: "true",
    FalseItem: lambda i: "false",
    AndItem: _and,
    OrItem: _or,
    NotItem: _not,
    RankItem: lambda i: _calls("rank", i.children),
    WeakAndItem: lambda i: _annotated({"targetHits": i.target_hits}, _calls("weakAnd", i.children)),
    TermItem: _term,
    PhraseItem: lambda i: f"{i.field} contains phrase(" + ", ".join(map(quote, i.terms)) + ")",
    NearItem: _near,
    EqualsItem: lambda i: (
        f"{i.field} = "
        + (f"({{filter: true}}{_literal(i.value)})" if i.filter else _literal(i.value))
    ),
    RangeItem: _range,
    InItem: lambda i: f"{i.field} in (" + ", ".join(map(_literal, i.values)) + ")",
    RegexItem: lambda i: f"{i.field} matches {quote(i.pattern)}",
    FuzzyItem: lambda i: (
        f"{i.field} contains " + _annotated(_fuzzy_annotations(i), f"fuzzy({quote(i.term)})")
    ),
    SameElementItem: lambda i: (
        f"{i.field} contains "
        + _annotated(
            {"elementFilter": list(i.element_filter)} if i.element_filter else {},
            _calls("sameElement", i.children),
        )
    ),
    WeightedSetItem: lambda i: f"weightedSet({i.field}, {_literal(i.tokens)})",
    DotProductItem: lambda i: f"dotProduct({i.field}, {_literal(i.tokens)})",
    WandItem: lambda i: _annotated(_wand_annotations(i), f"wand({i.field}, {_literal(i.tokens)})"),
    NearestNeighborItem: _nearest_neighbor,
}
