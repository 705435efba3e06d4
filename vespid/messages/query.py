"""The query tree: what a container sends to content nodes to match.

Plain, value-equal dataclasses with a JSON form (``{"type": "and", "children": [...]}``),
so a query crosses the process boundary as data and tests can compare trees. The
container's YQL and simple-query parsers produce these; content nodes evaluate them.

>>> tree = AndItem((TermItem("title", "love"), RangeItem("year", lower=2000.0)))
>>> item_from_json(item_to_json(tree)) == tree
True
>>> item_to_json(TermItem("title", "love"))["type"]
'term'
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any, ClassVar

from vespid.config._codec import Decoder, decoder_for, hints_of, to_data


class Item:
    """Base of every query tree node."""

    type_name: ClassVar[str] = ""


_ITEM_TYPES: dict[str, type[Item]] = {}


def _item(cls: type[Item]) -> type[Item]:
    _ITEM_TYPES[cls.type_name] = cls
    return cls


@_item
@dataclass(frozen=True, slots=True)
class TrueItem(Item):
    """Matches every document (`where true`)."""

    type_name: ClassVar[str] = "true"


@_item
@dataclass(frozen=True, slots=True)
class FalseItem(Item):
    """Matches no document (`where false`)."""

    type_name: ClassVar[str] = "false"


@_item
@dataclass(frozen=True, slots=True)
class AndItem(Item):
    """All children must match."""

    children: tuple[Item, ...]
    type_name: ClassVar[str] = "and"


@_item
@dataclass(frozen=True, slots=True)
class OrItem(Item):
    """At least one child must match."""

    children: tuple[Item, ...]
    type_name: ClassVar[str] = "or"


@_item
@dataclass(frozen=True, slots=True)
class NotItem(Item):
    """Vespa's ANDNOT: ``positive`` matches and none of ``negatives`` does."""

    positive: Item
    negatives: tuple[Item, ...]
    type_name: ClassVar[str] = "not"


@_item
@dataclass(frozen=True, slots=True)
class RankItem(Item):
    """The first child decides matching; the others only add to ranking (`rank()`)."""

    children: tuple[Item, ...]
    type_name: ClassVar[str] = "rank"


@_item
@dataclass(frozen=True, slots=True)
class WeakAndItem(Item):
    """A top-k OR over term children (`weakAnd()`, `userQuery()` with model.type weakAnd)."""

    children: tuple[Item, ...]
    target_hits: int = 100
    type_name: ClassVar[str] = "weakand"


@_item
@dataclass(frozen=True, slots=True)
class TermItem(Item):
    """`field contains "term"`: one word against an index, attribute or fieldset.

    ``kind`` is `word`, `prefix`, `substring`, `suffix` or `exact`; ``stem`` and
    ``normalize`` say whether the term may be stemmed and accent-folded as the field asks.
    """

    field: str
    term: str
    kind: str = "word"
    stem: bool = True
    normalize: bool = True
    weight: int = 100
    filter: bool = False
    ranked: bool = True
    label: str | None = None
    type_name: ClassVar[str] = "term"


@_item
@dataclass(frozen=True, slots=True)
class PhraseItem(Item):
    """Terms that must appear next to each other, in order, in ``field``."""

    field: str
    terms: tuple[str, ...]
    type_name: ClassVar[str] = "phrase"


@_item
@dataclass(frozen=True, slots=True)
class NearItem(Item):
    """Terms within ``distance`` words of each other; in order when ``ordered`` (onear)."""

    field: str
    terms: tuple[str, ...]
    distance: int = 2
    ordered: bool = False
    type_name: ClassVar[str] = "near"


@_item
@dataclass(frozen=True, slots=True)
class EqualsItem(Item):
    """`field = value` on an attribute (number, string or bool)."""

    field: str
    value: bool | int | float | str
    filter: bool = False
    """`{filter: true}`: matches, but is no query term for ranking."""
    type_name: ClassVar[str] = "equals"


@_item
@dataclass(frozen=True, slots=True)
class RangeItem(Item):
    """A numeric range on an attribute; a missing bound is open."""

    field: str
    lower: float | None = None
    upper: float | None = None
    include_lower: bool = True
    include_upper: bool = True
    hit_limit: int = 0
    """Vespa's capped range (`{hitLimit: n}range(...)`): only the documents with the n
    lowest values (n > 0) or the n highest (n < 0, `descending: true`), ties at the cut
    included; 0 for no cap."""
    filter: bool = False
    """`{filter: true}`: matches, but is no query term for ranking."""
    type_name: ClassVar[str] = "range"


@_item
@dataclass(frozen=True, slots=True)
class InItem(Item):
    """`field in (v1, v2, ...)`."""

    field: str
    values: tuple[int | float | str, ...]
    type_name: ClassVar[str] = "in"


@_item
@dataclass(frozen=True, slots=True)
class RegexItem(Item):
    """`field matches "regex"` on an attribute."""

    field: str
    pattern: str
    type_name: ClassVar[str] = "regex"


@_item
@dataclass(frozen=True, slots=True)
class FuzzyItem(Item):
    """`field contains ({maxEditDistance: 2, prefixLength: 0}fuzzy("text"))`: strings of
    a string attribute within a Levenshtein distance of ``term`` (uncased).

    The first ``prefix_length`` characters must match exactly; with ``prefix``, a
    prefix of the string need only be that close to ``term``.
    """

    field: str
    term: str
    max_edit_distance: int = 2
    prefix_length: int = 0
    prefix: bool = False
    type_name: ClassVar[str] = "fuzzy"


@_item
@dataclass(frozen=True, slots=True)
class SameElementItem(Item):
    """Children must match within one element of an array of struct / map field."""

    field: str
    children: tuple[Item, ...]
    element_filter: tuple[int, ...] = ()
    """`{elementFilter: [0, 2]}`: only these element indexes may match; empty for any."""
    type_name: ClassVar[str] = "sameelement"


@_item
@dataclass(frozen=True, slots=True)
class WeightedSetItem(Item):
    """`weightedSet(field, {token: weight})`: matches any token; ranks by weights."""

    field: str
    tokens: dict[str, int]
    type_name: ClassVar[str] = "weightedset"


@_item
@dataclass(frozen=True, slots=True)
class DotProductItem(Item):
    """`dotProduct(field, {token: weight})`."""

    field: str
    tokens: dict[str, float]
    type_name: ClassVar[str] = "dotproduct"


@_item
@dataclass(frozen=True, slots=True)
class WandItem(Item):
    """`wand(field, {token: weight})` with a target number of hits."""

    field: str
    tokens: dict[str, float]
    target_hits: int = 10
    score_threshold: float = 0.0
    """`scoreThreshold`: only documents whose dot product exceeds it match (0: no bound)."""
    threshold_boost_factor: float = 1.0
    """`thresholdBoostFactor`: kept for the query tree; the top-k cut here is exact."""
    type_name: ClassVar[str] = "wand"


@_item
@dataclass(frozen=True, slots=True)
class NearestNeighborItem(Item):
    """`{targetHits: k}nearestNeighbor(field, q)`; ``query_tensor`` names `query(q)`."""

    field: str
    query_tensor: str
    target_hits: int = 10
    approximate: bool = True
    explore_additional_hits: int = 0
    distance_threshold: float | None = None
    label: str | None = None
    type_name: ClassVar[str] = "nearestneighbor"


def item_to_json(item: Item) -> dict[str, Any]:
    """Return ``item`` as JSON-compatible data with a ``type`` discriminator."""
    data: dict[str, Any] = {"type": item.type_name}
    for name, kind, _ in _layout(type(item)):
        value = getattr(item, name)
        if kind is _Kind.ITEM:
            data[name] = item_to_json(value)
        elif kind is _Kind.ITEMS:
            data[name] = [item_to_json(v) for v in value]
        else:
            data[name] = to_data(value)
    return data


def item_from_json(data: Any) -> Item:
    """Build a query tree from :func:`item_to_json` output.

    Raises:
        ValueError: for an unknown item type or a malformed item.
    """
    if not isinstance(data, dict) or data.get("type") not in _ITEM_TYPES:
        raise ValueError(f"not a query item: {data!r}")
    cls = _ITEM_TYPES[data["type"]]
    kwargs: dict[str, Any] = {}
    for name, kind, decode in _layout(cls):
        if name not in data:
            continue
        value = data[name]
        if kind is _Kind.DATA:
            try:
                kwargs[name] = decode(value)
            except ValueError as e:
                raise ValueError(f"{cls.type_name}.{name}{e}") from None
        elif kind is _Kind.ITEM:
            kwargs[name] = item_from_json(value)
        elif isinstance(value, list):
            kwargs[name] = tuple(item_from_json(v) for v in value)
        else:
            raise ValueError(f"{cls.type_name}.{name}: expected a list")
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise ValueError(f"malformed {cls.type_name} item: {e}") from e


class _Kind(enum.Enum):
    """How a field of an item travels: a child item, a tuple of them, or plain data."""

    ITEM = "item"
    ITEMS = "items"
    DATA = "data"


_LAYOUTS: dict[type[Item], tuple[tuple[str, _Kind, Decoder], ...]] = {}


def _layout(cls: type[Item]) -> tuple[tuple[str, _Kind, Decoder], ...]:
    """Each field of ``cls`` with how it travels and its decoder, worked out once per class."""
    layout = _LAYOUTS.get(cls)
    if layout is None:
        hints = hints_of(cls)
        layout = _LAYOUTS[cls] = tuple(
            (f.name, _kind_of(f.name), decoder_for(hints[f.name]))
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        )
    return layout


def _kind_of(name: str) -> _Kind:
    if name == "positive":
        return _Kind.ITEM
    if name in ("children", "negatives"):
        return _Kind.ITEMS
    return _Kind.DATA
