"""Merging the hit lists of several content nodes into one page (Vespa's dispatcher merge).

Without `order by` hits sort by relevance, best first; with it, by the nodes' sort
values key by key, each ascending or descending, missing values last. Ties break on
the document id so that a page is the same whichever node answered first.

>>> from vespid.messages import OrderBy
>>> hits = [_Hit("a", 1.0, (3,)), _Hit("b", 2.0, (1,)), _Hit("c", 0.5, (None,))]
>>> [h.id for h in merge_hits(hits, (), 0, 10)]
['b', 'a', 'c']
>>> [h.id for h in merge_hits(hits, (OrderBy("year"),), 0, 10)]
['b', 'a', 'c']
>>> [h.id for h in merge_hits(hits, (OrderBy("year", ascending=False),), 1, 1)]
['b']
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from vespid.messages import OrderBy


class Sortable(Protocol):
    """What merging needs of a hit."""

    @property
    def id(self) -> str: ...

    @property
    def relevance(self) -> float: ...

    @property
    def sort_values(self) -> tuple[Any, ...]: ...


H = TypeVar("H", bound=Sortable)


@dataclass(frozen=True, slots=True)
class _Hit:
    id: str
    relevance: float
    sort_values: tuple[Any, ...]


def merge_hits(hits: Sequence[H], order_by: Sequence[OrderBy], offset: int, count: int) -> list[H]:
    """The hits at ``offset`` .. ``offset + count`` of the merged order."""
    if order_by:

        def compare(a: H, b: H) -> int:
            return _compare_sorted(a, b, order_by)

        ordered = sorted(hits, key=functools.cmp_to_key(compare))
    else:
        ordered = sorted(hits, key=lambda h: (-h.relevance, h.id))
    return ordered[offset : offset + count]


def _compare_sorted(a: Sortable, b: Sortable, order_by: Sequence[OrderBy]) -> int:
    for i, key in enumerate(order_by):
        left = a.sort_values[i] if i < len(a.sort_values) else None
        right = b.sort_values[i] if i < len(b.sort_values) else None
        result = _compare_values(left, right, key.ascending)
        if result:
            return result
    return (a.id > b.id) - (a.id < b.id)


def _compare_values(left: Any, right: Any, ascending: bool) -> int:
    if left is None or right is None:
        return (left is None) - (right is None)
    if isinstance(left, str) != isinstance(right, str):
        left, right = str(left), str(right)
    result = int(left > right) - int(left < right)
    return result if ascending else -result
