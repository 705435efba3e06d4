"""YQL and the simple query language: query text in, `vespid.messages` query tree out.

Pure: no I/O. `parse_yql` reads a statement, `render_yql` writes one back, and
`parse_simple` reads the ``query=`` / ``userQuery()`` language.
"""

from __future__ import annotations

from container.yql.parser import parse_yql
from container.yql.query import YqlQuery
from container.yql.render import quote, render_item, render_yql
from container.yql.simple import QUERY_TYPES, QueryModel, parse_simple

__all__ = [
    "QUERY_TYPES",
    "QueryModel",
    "YqlQuery",
    "parse_simple",
    "parse_yql",
    "quote",
    "render_item",
    "render_yql",
]
