"""Choosing the best hits by ``order by`` attribute keys instead of relevance.

``order by`` sorts on single-value attributes, each key ascending or descending;
documents without a value sort last in either direction; ties fall back to
relevance, then lid. Strings sort by their binary (code point) order, like Vespa's
``raw`` sort function. Relevance order lives in `content.ranking.selection`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from content.attribute import AnyAttribute, LidArray, NumericAttribute, StringAttribute
from content.index.field_index import FloatArray
from content.ranking.selection import IndexArray
from vespid.errors import InvalidQueryError
from vespid.messages import OrderBy


def best_by_attributes(
    lids: LidArray,
    scores: FloatArray,
    order_by: Sequence[OrderBy],
    attributes: Mapping[str, AnyAttribute],
    count: int,
) -> IndexArray:
    """Return positions of the first ``count`` candidates in ``order_by`` order.

    Raises:
        InvalidQueryError: when a key is not a single-value numeric or string attribute.
    """
    keys: list[npt.NDArray[Any]] = [lids, -np.where(np.isnan(scores), -np.inf, scores)]
    for key in reversed(order_by):
        value, missing = _sort_key(key.field, attributes.get(key.field), lids)
        keys.append(value if key.ascending else -value)
        keys.append(missing)
    chosen: IndexArray = np.lexsort(keys)[:count]
    return chosen


def sort_values(
    lid: int, order_by: Sequence[OrderBy], attributes: Mapping[str, AnyAttribute]
) -> tuple[Any, ...]:
    """Return the ``order by`` key values of one hit, for the container's merge."""
    values: list[Any] = []
    for key in order_by:
        attribute = attributes.get(key.field)
        if isinstance(attribute, NumericAttribute | StringAttribute):
            values.append(attribute.value_of(lid))
    return tuple(values)


def _sort_key(
    name: str, attribute: AnyAttribute | None, lids: LidArray
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    if isinstance(attribute, NumericAttribute):
        present = attribute.presence_for(lids)
        return np.where(present, attribute.values_for(lids), 0.0), ~present
    if isinstance(attribute, StringAttribute):
        codes = attribute.codes_for(lids)
        ranks = np.append(attribute.dictionary.sort_ranks(), -1)[codes]
        return ranks.astype(np.float64), codes < 0
    raise InvalidQueryError(
        f"Cannot order by '{name}': it is not a single-value numeric or string attribute"
    )
