"""Typed reads of YQL annotations (``{targetHits: 10, prefix: true}``) with positioned errors.

An annotation with the wrong type is a `YqlSyntaxError` at the annotation, saying which
key wanted which type and what it got; unknown keys are ignored, as Vespa does for the
annotations it does not use in a given place.
"""

from __future__ import annotations

from typing import Any

from container.errors import YqlSyntaxError
from container.yql._cursor import Annotations


class AnnotationReader:
    """Reads keys of one annotation map; errors point at ``position`` in ``text``."""

    def __init__(self, annotations: Annotations, text: str, position: int) -> None:
        self.annotations = annotations
        self.query_text = text
        self.position = position

    def _fail(self, key: str, wanted: str) -> YqlSyntaxError:
        got = repr(self.annotations[key])
        return YqlSyntaxError(self.query_text, self.position, f"{wanted} for '{key}'", got)

    def boolean(self, key: str, default: bool) -> bool:
        """The boolean at ``key``, or ``default``."""
        value = self.annotations.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def integer(self, key: str, default: int) -> int:
        """The integer at ``key``, or ``default``."""
        value = self.annotations.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer")
        return value

    def number(self, key: str) -> float | None:
        """The number at ``key`` as a float, or None when absent."""
        if key not in self.annotations:
            return None
        value: Any = self.annotations[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "a number")
        return float(value)

    def text(self, key: str) -> str | None:
        """The string at ``key``, or None when absent."""
        value = self.annotations.get(key)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def choice(self, key: str, default: str, options: tuple[str, ...]) -> str:
        """The string at ``key``, which must be one of ``options``."""
        value = self.text(key)
        if value is None:
            return default
        if value not in options:
            raise self._fail(key, "one of " + ", ".join(options))
        return value

    def element_ids(self, key: str) -> tuple[int, ...]:
        """One element index or a list of them (``elementFilter``); () when absent.

        >>> AnnotationReader({"elementFilter": [2, 0]}, "", 0).element_ids("elementFilter")
        (2, 0)
        """
        value = self.annotations.get(key)
        if value is None:
            return ()
        ids = value if isinstance(value, list) else [value]
        for element in ids:
            if isinstance(element, float):
                raise self._fail(key, "an integer element id, not floating point number")
            if isinstance(element, bool) or not isinstance(element, int):
                raise self._fail(key, "integer element ids")
            if element < 0:
                raise self._fail(key, f"non-negative element ids, got: {element}")
        return tuple(ids)

    def match_kind(self) -> str:
        """`word`, or `prefix`/`substring`/`suffix` when exactly one of them is true."""
        kinds = [k for k in ("prefix", "substring", "suffix") if self.boolean(k, False)]
        if len(kinds) > 1:
            wanted = "only one of prefix, substring and suffix"
            raise YqlSyntaxError(self.query_text, self.position, wanted, ", ".join(kinds))
        return kinds[0] if kinds else "word"
