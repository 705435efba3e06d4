"""Common value tests for attribute filters (see `content.attribute.base`)."""

from __future__ import annotations

import numpy as np

from content.attribute.base import ValueTest


def token_test(value_kind: str, token: str) -> ValueTest:
    """Return the test "equals ``token``": lower-cased for strings, numeric otherwise.

    Raises:
        ValueError: when ``value_kind`` is numeric and ``token`` is not a number.
    """
    if value_kind == "string":
        needle = token.lower()
        return lambda values: np.asarray(values == needle, dtype=bool)
    number = float(token)
    return lambda values: np.asarray(values == number, dtype=bool)
