"""The outcome of a search as the renderer needs it: hits, totals, coverage and errors.

Plain data filled by `container.dispatch.search` and turned into Vespa's JSON by
`container.render`. Error codes are Vespa's (`com.yahoo.container.protect.Error`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NO_BACKENDS_IN_SERVICE = 0
NULL_QUERY = 1
ILLEGAL_QUERY = 3
INVALID_QUERY_PARAMETER = 4
RESULT_HAS_ERRORS = 8
BACKEND_COMMUNICATION_ERROR = 10
TIMEOUT = 12
NOT_FOUND = 16
INTERNAL_SERVER_ERROR = 18

SUMMARIES = {
    NO_BACKENDS_IN_SERVICE: "No backends in service",
    NULL_QUERY: "Null query",
    ILLEGAL_QUERY: "Illegal query",
    INVALID_QUERY_PARAMETER: "Invalid query parameter",
    RESULT_HAS_ERRORS: "Result has errors",
    BACKEND_COMMUNICATION_ERROR: "Backend communication error",
    TIMEOUT: "Timed out",
    NOT_FOUND: "Resource not found",
    INTERNAL_SERVER_ERROR: "Internal server error",
}
"""Vespa's summary text per error code."""


@dataclass(frozen=True, slots=True)
class SearchError:
    """One entry of the result's ``errors`` list."""

    code: int
    message: str
    source: str | None = None
    """The content cluster the error came from, when there is one."""

    @property
    def summary(self) -> str:
        """Vespa's fixed summary for the code."""
        return SUMMARIES.get(self.code, "Error")


@dataclass(slots=True)
class Coverage:
    """How much of the corpus answered (Vespa's ``coverage`` object)."""

    documents: int = 0
    nodes: int = 0
    """Nodes that answered."""
    nodes_queried: int = 0
    results: int = 0
    """Clusters searched."""
    results_full: int = 0
    """Clusters whose every node answered in full."""
    timed_out: bool = False

    @property
    def full(self) -> bool:
        """Every node of every cluster answered, none degraded."""
        return self.results_full == self.results and not self.timed_out

    @property
    def percent(self) -> int:
        """The share of nodes that answered, 0-100."""
        if self.nodes_queried == 0:
            return 100
        return round(100 * self.nodes / self.nodes_queried)


@dataclass(slots=True)
class ResultHit:
    """One hit with its summary fields filled in."""

    id: str
    relevance: float
    source: str
    """The content cluster that returned it."""
    schema: str
    fields: dict[str, Any] = field(default_factory=dict)
    match_features: dict[str, Any] | None = None
    summary_features: dict[str, Any] | None = None
    rank_features: dict[str, Any] | None = None
    sort_values: tuple[Any, ...] = ()
    node: int = 0
    """Distribution key of the node holding the hit, for the docsum fetch."""


@dataclass(slots=True)
class SearchResult:
    """A whole answer to /search/."""

    hits: list[ResultHit] = field(default_factory=list)
    total_count: int = 0
    coverage: Coverage | None = None
    errors: list[SearchError] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    timing: dict[str, float] | None = None
    """Seconds for ``querytime``, ``summaryfetchtime``, ``searchtime``."""
