"""Print a query tree in Vespa's `Item.toString()` notation, to compare with Vespa's tests."""

from __future__ import annotations

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


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _prefixed(field: str, text: str) -> str:
    return text if field == "default" else f"{field}:{text}"


def _nested(item: Item) -> str:
    text = vespa_string(item)
    composite = AndItem | OrItem | RankItem | WeakAndItem | NotItem | NearItem
    return f"({text})" if isinstance(item, composite) else text


def _composite(name: str, children: tuple[Item, ...]) -> str:
    return " ".join([name, *(_nested(c) for c in children)])


def _term(item: TermItem) -> str:
    text = item.term
    if " " in text:
        text = f"'{text}'"
    text = {"prefix": f"{text}*", "suffix": f"*{text}", "substring": f"*{text}*"}.get(
        item.kind, text
    )
    out = _prefixed(item.field, text)
    if item.weight != 100:
        out += f"!{item.weight}"
    return ("|" if item.filter else "") + out


def _range(item: RangeItem) -> str:
    low = "" if item.lower is None else _num(item.lower)
    high = "" if item.upper is None else _num(item.upper)
    if item.hit_limit:
        return _prefixed(item.field, f"[{low};{high};{item.hit_limit}]")
    if item.lower is None and not item.include_upper:
        return _prefixed(item.field, f"<{high}")
    if item.upper is None and not item.include_lower:
        return _prefixed(item.field, f">{low}")
    left = "[" if item.include_lower else "<"
    right = "]" if item.include_upper else ">"
    return _prefixed(item.field, f"{left}{low};{high}{right}")


def _not(item: NotItem) -> str:
    parts = [] if isinstance(item.positive, TrueItem) else ["+" + _nested(item.positive)]
    return " ".join([*parts, *("-" + _nested(n) for n in item.negatives)])


def _tokens(tokens: dict[str, int] | dict[str, float]) -> str:
    return "{" + ",".join(f'[{_num(w)}]:"{k}"' for k, w in tokens.items()) + "}"


def _nearest_neighbor(item: NearestNeighborItem) -> str:
    parts = [f"field={item.field}", f"queryTensorName={item.query_tensor}"]
    parts.append(f"targetHits={item.target_hits}")
    if not item.approximate:
        parts.append("approximate=false")
    if item.explore_additional_hits:
        parts.append(f"hnsw.exploreAdditionalHits={item.explore_additional_hits}")
    if item.distance_threshold is not None:
        parts.append(f"distanceThreshold={item.distance_threshold!r}")
    return "NEAREST_NEIGHBOR {" + ",".join(parts) + "}"


def vespa_string(item: Item) -> str:
    """The tree as Vespa prints it."""
    match item:
        case TrueItem():
            return "TRUE"
        case FalseItem():
            return "FALSE"
        case AndItem(children):
            return _composite("AND", children)
        case OrItem(children):
            return _composite("OR", children)
        case RankItem(children):
            return _composite("RANK", children)
        case WeakAndItem(children, target):
            return _composite("WEAKAND" if target == 100 else f"WEAKAND({target})", children)
        case NotItem():
            return _not(item)
        case TermItem():
            return _term(item)
        case PhraseItem(field, terms):
            return _prefixed(field, '"' + " ".join(terms) + '"')
        case NearItem(field, terms, distance, ordered):
            name = ("ONEAR" if ordered else "NEAR") + f"({distance})"
            return " ".join([name, *(f"{field}:{t}" for t in terms)])
        case EqualsItem(field, value, filtered):
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            return ("|" if filtered else "") + f"{field}:{shown}"
        case RangeItem():
            return ("|" if item.filter else "") + _range(item)
        case RegexItem(field, pattern):
            return f"REGEXP {field}:{pattern}"
        case SameElementItem(field, children, only):
            inner = " ".join(_nested(c) for c in children).replace(f"{field}:", "")
            ids = "[" + ",".join(map(str, only)) + "]" if only else ""
            return f"{field}{ids}:{{" + inner + "}"
        case WeightedSetItem(field, tokens):
            return f"WEIGHTEDSET {field}{_tokens(tokens)}"
        case DotProductItem(field, tokens):
            return f"DOTPRODUCT {field}{_tokens(tokens)}"
        case WandItem(field, tokens, target, threshold, boost):
            name = "WAND" if target == 10 else f"WAND({target})"
            if threshold or boost != 1.0:
                name += f" {{scoreThreshold={threshold!r}, thresholdBoostFactor={boost!r}}}"
            return f"{name} {field}{_tokens(tokens)}"
        case NearestNeighborItem():
            return _nearest_neighbor(item)
        case FuzzyItem(field, term, distance, prefix_length, prefix):
            return f"{field}:fuzzy({term},{distance},{prefix_length},{str(prefix).lower()})"
        case InItem(field, values):
            return f"IN {field}" + "{" + ",".join(map(str, values)) + "}"
    raise TypeError(type(item).__name__)
