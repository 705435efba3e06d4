"""Rank features over attribute values: dotProduct, age and freshness.

``dotProduct(field, vector)``: for an array or weighted set attribute and a query
vector ``query(vector)`` of label → weight, the sum over the query's labels of the
query weight times the document's weight for that label (a weighted set's weight, an
array's occurrence count), as Vespa defines it.

``attribute(field).count`` (elements), ``attribute(field, key).weight`` (the key's
weight in a weighted set; occurrences in an array) and ``attribute(field, key).contains``.

``age(field)``: ``now - attribute(field)`` in seconds; ``freshness(field)``:
``max(1 - age / maxAge, 0)`` with Vespa's default maxAge of three months (7776000 s)
unless the rank-property ``freshness(field).maxAge`` sets another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from content.attribute import (
    AnyAttribute,
    LidArray,
    MultiValueAttribute,
    NumericAttribute,
    token_test,
)
from content.ranking.match_data import FloatArray
from vespid.errors import InvalidQueryError

DEFAULT_MAX_AGE = 7_776_000.0


def dot_product(
    field: str, attribute: AnyAttribute | None, vector: Mapping[str, float], lids: LidArray
) -> FloatArray:
    """Return ``dotProduct(field, vector)`` per candidate.

    Raises:
        InvalidQueryError: when the field is not an array or weighted set attribute,
            or a label does not fit a numeric one.
    """
    if not isinstance(attribute, MultiValueAttribute):
        raise InvalidQueryError(
            f"dotProduct({field}, ...) needs an array or weighted set attribute '{field}'"
        )
    total = np.zeros(lids.size)
    for label, weight in vector.items():
        try:
            test = token_test(attribute.value_kind, label)
        except ValueError:
            raise InvalidQueryError(
                f"dotProduct({field}, ...): label '{label}' is not a number"
            ) from None
        total += weight * attribute.weight_sums(test, lids)
    return total


def element_feature(
    field: str,
    attribute: AnyAttribute | None,
    key: str | None,
    output: str | None,
    lids: LidArray,
) -> FloatArray:
    """Return ``attribute(f).count``, ``attribute(f, key).weight`` or ``.contains``.

    Raises:
        InvalidQueryError: for another output, or a field that is not an array or
            weighted set attribute.
    """
    if not isinstance(attribute, MultiValueAttribute):
        raise InvalidQueryError(f"attribute({field}).{output} needs an array or weighted set")
    if key is None and output == "count":
        return attribute.weight_sums(_everything, lids, count=True)
    if key is not None and output in ("weight", "contains"):
        try:
            test = token_test(attribute.value_kind, key)
        except ValueError:
            raise InvalidQueryError(f"attribute({field},{key}): key is not a number") from None
        if output == "weight":
            return attribute.weight_sums(test, lids)
        return (attribute.weight_sums(test, lids, count=True) > 0).astype(np.float64)
    raise InvalidQueryError(f"attribute({field}) has no output '{output}' here")


def _everything(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    return np.ones(values.shape, dtype=bool)


def age(field: str, attribute: AnyAttribute | None, now: float, lids: LidArray) -> FloatArray:
    """Return ``age(field)``: seconds from the attribute's timestamp to now.

    Raises:
        InvalidQueryError: when the field is not a numeric attribute.
    """
    if not isinstance(attribute, NumericAttribute):
        raise InvalidQueryError(f"age({field}) needs a numeric attribute '{field}'")
    return now - attribute.values_for(lids)


def freshness(
    field: str,
    attribute: AnyAttribute | None,
    now: float,
    lids: LidArray,
    properties: Mapping[str, str],
) -> FloatArray:
    """Return ``freshness(field)``, 1 for brand new and falling linearly to 0 at maxAge."""
    max_age = float(properties.get(f"freshness({field}).maxAge", DEFAULT_MAX_AGE))
    return np.maximum(1.0 - age(field, attribute, now, lids) / max_age, 0.0)
