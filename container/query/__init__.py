"""Query construction: request parameters (URL or JSON body) → `SearchQuery`.

Pure: no I/O. Vespa's parameter names, aliases, defaults and limits.
"""

from __future__ import annotations

from container.query.field_kinds import resolve_field_kinds
from container.query.inputs import input_value, query_inputs
from container.query.parameters import Parameters, flatten, parse_timeout
from container.query.search_query import (
    DEFAULT_TIMEOUT,
    MAX_HITS,
    MAX_OFFSET,
    SearchQuery,
    build_search_query,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_HITS",
    "MAX_OFFSET",
    "Parameters",
    "SearchQuery",
    "build_search_query",
    "flatten",
    "input_value",
    "parse_timeout",
    "query_inputs",
    "resolve_field_kinds",
]
