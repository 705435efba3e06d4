"""Request parameters of /search/: one flat view of URL parameters and JSON bodies.

Vespa accepts the same parameters in the URL (``?hits=5&ranking.profile=bm25``) and in
a POST JSON body, flat (``{"ranking.profile": "bm25"}``) or nested
(``{"ranking": {"profile": "bm25"}}``); a URL parameter wins over the body. `flatten`
turns all of these into dotted keys; `Parameters` reads typed values from them and
refuses bad ones with `InvalidQueryParameterError` (Vespa's error code 4).

>>> sorted(flatten({"ranking": {"profile": "x", "features": {"query(q)": 1}}, "hits": 3}).items())
[('hits', 3), ('ranking.features.query(q)', 1), ('ranking.profile', 'x')]
>>> parse_timeout("timeout", "1.5s"), parse_timeout("timeout", "250ms")
(1.5, 0.25)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from container.errors import InvalidQueryParameterError

_TIMEOUT = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(ms|s|m|ks)?\s*")
_UNITS = {None: 1.0, "s": 1.0, "ms": 0.001, "m": 60.0, "ks": 1000.0}
_ALIASES = {
    "count": "hits",
    "start": "offset",
    "ranking": "ranking.profile",
    "trace.level": "tracelevel",
    "type": "model.type",
    "restrict": "model.restrict",
    "default-index": "model.defaultIndex",
    "summary": "presentation.summary",
    "sorting": "ranking.sorting",
    "rankfeatures": "ranking.listFeatures",
}
"""Short names Vespa accepts for a parameter, mapped to the full name. Full names are
case-sensitive; the short names are not (Vespa's query API reference)."""


def flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """Nested JSON objects to dotted keys; values that are not objects are kept as they are.

    The objects under ``input.query(x)`` style keys are tensor values, not nesting, and
    stay whole; so do objects under any key that contains ``(``. Iterative, so a deeply
    nested body cannot exhaust the stack.
    """
    result: dict[str, Any] = {}
    pending: list[tuple[str, Mapping[str, Any]]] = [("", data)]
    while pending:
        prefix, mapping = pending.pop()
        for key, value in mapping.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict) and "(" not in key and value:
                pending.append((name + ".", value))
            else:
                result[name] = value
    return result


def canonical_names(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Apply Vespa's parameter aliases (`ranking` → `ranking.profile`, ...)."""
    result: dict[str, Any] = {}
    for key, value in flat.items():
        result[_ALIASES.get(key.lower(), key)] = value
    return result


def parse_timeout(name: str, value: Any) -> float:
    """Seconds from ``"500ms"``, ``"1.5s"``, ``"2"`` (seconds) or a JSON number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        m = _TIMEOUT.fullmatch(str(value))
        if m is None:
            raise InvalidQueryParameterError(name, value, "expected a duration like 500ms or 1.5s")
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds <= 0:
        raise InvalidQueryParameterError(name, value, "the timeout must be positive")
    return seconds


class Parameters:
    """Typed access to the flattened, alias-resolved parameters of one request."""

    def __init__(self, flat: Mapping[str, Any]) -> None:
        self.values = canonical_names(flat)

    def text(self, name: str, default: str | None = None) -> str | None:
        """The parameter as text, or ``default`` when absent or empty."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, dict | list):
            raise InvalidQueryParameterError(name, value, "expected a string")
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            return default
        try:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError(raw)
            value = int(raw)
        except (TypeError, ValueError):
            raise InvalidQueryParameterError(name, raw, "expected an integer") from None
        if not low <= value <= high:
            raise InvalidQueryParameterError(name, raw, f"must be in range [{low}, {high}]")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        """``true``/``false`` (any case), ``1``/``0``, or a JSON boolean."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            return default
        if isinstance(raw, bool):
            return raw
        text = str(raw).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise InvalidQueryParameterError(name, raw, "expected true or false")

    def timeout(self, name: str, default: float) -> float:
        """A duration in seconds (see `parse_timeout`)."""
        raw = self.values.get(name)
        return default if raw is None or raw == "" else parse_timeout(name, raw)

    def names_list(self, name: str) -> tuple[str, ...] | None:
        """A comma-separated list (``model.restrict=music,books``), or None when absent."""
        text = self.text(name)
        if text is None:
            return None
        return tuple(n.strip() for n in text.split(",") if n.strip())

    def with_prefix(self, prefix: str) -> dict[str, Any]:
        """Parameters whose name starts with ``prefix``, keyed by the rest of the name."""
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}

    def as_strings(self) -> dict[str, str]:
        """Every scalar parameter as text, for ``@name`` references in YQL."""
        return {
            k: self.text(k) or "" for k, v in self.values.items() if not isinstance(v, dict | list)
        }
