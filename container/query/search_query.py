"""A /search/ request as the container runs it: parsed, checked, with Vespa's defaults.

`build_search_query` reads the request parameters (see `container.query.parameters`),
parses `yql` (or builds the query from `query` alone, as Vespa does when no YQL is
given), resolves the schemas to search, fits the tree to their field kinds
(`container.query.field_kinds`), and checks every value against Vespa's
limits: `hits` 0..400 (default 10), `offset` 0..1000. YQL's ``limit``/``offset``
take precedence over the `hits`/`offset` parameters, with hits = limit - offset.

``ranking.listFeatures`` (alias ``rankfeatures``) asks content nodes for the rank
features Vespa dumps; hits carry them in ``rankfeatures``. Not supported yet: grouping
(kept as text in `YqlQuery.grouping`, not executed).

Deviation: the default timeout is 5 s, not Vespa's 500 ms, because a Python content
node needs more time for a first query against a new generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from container.errors import IllegalQueryError, InvalidQueryParameterError, NullQueryError
from container.query.field_kinds import resolve_field_kinds
from container.query.inputs import query_inputs
from container.query.parameters import Parameters
from container.yql import QUERY_TYPES, QueryModel, YqlQuery, parse_simple, parse_yql
from vespid.config import ContainerConfig, SchemaConfig
from vespid.document import TENSOR_FORMATS
from vespid.messages import Item, OrderBy

MAX_HITS = 400
MAX_OFFSET = 1000
DEFAULT_TIMEOUT = 5.0
_QUERY_TYPES = {t.lower(): t for t in QUERY_TYPES}


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Everything dispatch and rendering need from one request."""

    tree: Item
    schemas: tuple[str, ...]
    """Document types to search, in config order."""
    hits: int = 10
    offset: int = 0
    ranking: str = "default"
    inputs: dict[str, Any] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    """Seconds for the whole request."""
    summary: str | None = None
    """`presentation.summary`: the document summary class; None for the default."""
    select: tuple[str, ...] | None = None
    """Summary fields named in YQL `select`; None for `*`."""
    order_by: tuple[OrderBy, ...] = ()
    timing: bool = False
    trace_level: int = 0
    tensor_format: str = "short"
    """`presentation.format.tensors`: how tensor fields of hits are rendered."""
    list_features: bool = False
    """`ranking.listFeatures`: hits carry every dumped rank feature in ``rankfeatures``."""
    yql: YqlQuery | None = None


def build_search_query(flat: dict[str, Any], config: ContainerConfig) -> SearchQuery:
    """Build the query of one request from its flattened parameters.

    Raises:
        YqlSyntaxError: the `yql` parameter does not parse.
        InvalidQueryParameterError: a parameter has a value Vespa refuses.
        IllegalQueryError: a source or restriction names no schema of the application.
        NullQueryError: neither `yql` nor `query` was given.
    """
    params = Parameters(flat)
    model = _query_model(params)
    yql_text = params.text("yql")
    yql = parse_yql(yql_text, params.as_strings(), model) if yql_text is not None else None
    schemas = _schemas(config, yql.sources if yql else None, params.names_list("model.restrict"))
    tree = resolve_field_kinds(yql.where if yql is not None else _simple_tree(model), schemas)
    hits, offset = _hits_and_offset(params, yql)
    ranking = params.text("ranking.profile", "default") or "default"
    timeout = params.timeout("timeout", DEFAULT_TIMEOUT)
    if yql is not None and yql.timeout_ms is not None:
        timeout = yql.timeout_ms / 1000.0
    return SearchQuery(
        tree=tree,
        schemas=tuple(s.name for s in schemas),
        hits=hits,
        offset=offset,
        ranking=ranking,
        inputs=query_inputs(params.values, schemas, ranking),
        timeout=timeout,
        summary=params.text("presentation.summary"),
        select=yql.select if yql else None,
        order_by=(yql.order_by if yql and yql.order_by else _sorting(params)),
        timing=params.boolean("presentation.timing"),
        trace_level=params.integer("tracelevel", 0, 0, 10),
        tensor_format=_tensor_format(params),
        list_features=params.boolean("ranking.listFeatures"),
        yql=yql,
    )


def _query_model(params: Parameters) -> QueryModel:
    raw_type = params.text("model.type", "all") or "all"
    query_type = _QUERY_TYPES.get(raw_type.lower())
    if query_type is None:
        raise InvalidQueryParameterError(
            "model.type", raw_type, "expected one of " + ", ".join(QUERY_TYPES)
        )
    return QueryModel(
        query=params.text("query"),
        default_index=params.text("model.defaultIndex", "default") or "default",
        type=query_type,
    )


def _simple_tree(model: QueryModel) -> Item:
    if model.query is None:
        raise NullQueryError("No query")
    tree = parse_simple(model.query, model.default_index, model.type)
    if tree is None:
        raise NullQueryError(f"The query '{model.query}' has no terms")
    return tree


def _schemas(
    config: ContainerConfig,
    sources: tuple[str, ...] | None,
    restrict: tuple[str, ...] | None,
) -> list[SchemaConfig]:
    """The schemas named by YQL sources and `model.restrict` (all when neither is given).

    A source may name a schema or a content cluster (all the cluster's schemas).
    """
    chosen = [
        s
        for s in config.schemas
        if (sources is None or s.name in _expand(config, sources))
        and (restrict is None or s.name in _expand(config, restrict))
    ]
    if not chosen:
        if not config.schemas:
            raise IllegalQueryError("No schema to search: the application has no document types")
        raise IllegalQueryError("No schema is both among the sources and in model.restrict")
    return chosen


def _expand(config: ContainerConfig, names: tuple[str, ...]) -> set[str]:
    schemas: set[str] = set()
    for name in names:
        cluster = next((c for c in config.content_clusters if c.name == name), None)
        if cluster is not None:
            schemas.update(t.name for t in cluster.document_types)
        elif config.schema(name) is not None:
            schemas.add(name)
        else:
            raise IllegalQueryError(f"Could not resolve source ref '{name}'.")
    return schemas


def _hits_and_offset(params: Parameters, yql: YqlQuery | None) -> tuple[int, int]:
    offset = params.integer("offset", 0, 0, MAX_OFFSET)
    hits = params.integer("hits", 10, 0, MAX_HITS)
    if yql is not None and yql.offset is not None:
        offset = yql.offset
        if offset > MAX_OFFSET:
            raise InvalidQueryParameterError("offset", offset, f"must be at most {MAX_OFFSET}")
    if yql is not None and yql.limit is not None:
        hits = max(0, yql.limit - offset)
        if hits > MAX_HITS:
            raise InvalidQueryParameterError("hits", hits, f"must be at most {MAX_HITS}")
    return hits, offset


def _tensor_format(params: Parameters) -> str:
    form = params.text("presentation.format.tensors", "short") or "short"
    if form not in TENSOR_FORMATS:
        raise InvalidQueryParameterError(
            "presentation.format.tensors", form, "expected one of " + ", ".join(TENSOR_FORMATS)
        )
    return form


def _sorting(params: Parameters) -> tuple[OrderBy, ...]:
    """Vespa's sorting parameter: ``-year +title`` (``+`` ascending is the default)."""
    text = params.text("ranking.sorting")
    if text is None:
        return ()
    keys = []
    for word in text.split():
        if word[0] in "+-":
            keys.append(OrderBy(word[1:], ascending=word[0] == "+"))
        else:
            keys.append(OrderBy(word))
    return tuple(keys)
