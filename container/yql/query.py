"""A parsed YQL statement: what to select, from where, which documents, in which order.

`YqlQuery` is plain, value-equal data; `container.yql.render.render_yql` prints it back
as YQL that parses to the same value.
"""

from __future__ import annotations

from dataclasses import dataclass

from vespid.messages import Item, OrderBy


@dataclass(frozen=True, slots=True)
class YqlQuery:
    """One ``select ... from ... where ...`` statement."""

    where: Item
    """The query tree sent to content nodes."""
    select: tuple[str, ...] | None = None
    """Selected summary fields; None for ``*``."""
    sources: tuple[str, ...] | None = None
    """Schemas (document types) to search; None for ``sources *``."""
    order_by: tuple[OrderBy, ...] = ()
    limit: int | None = None
    """``limit n``: hits end at n (Vespa: hits = limit - offset)."""
    offset: int | None = None
    timeout_ms: int | None = None
    """``timeout n`` in milliseconds."""
    grouping: tuple[str, ...] = ()
    """Raw text of each ``| all(...)`` grouping step; kept, not yet executed."""
