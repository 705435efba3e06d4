"""The searchable structures of one document type, and how query field names map to them.

A query names a field, a fieldset, or ``default`` (the fieldset called default).
:meth:`FieldCatalog.resolve` turns that name into the concrete fields to search and
rejects names the schema does not define, with the message the user sees.

A dense tensor attribute whose field has ``index { hnsw }`` (and a metric matching
supports) also gets a :class:`content.hnsw.HnswIndex`, with the field's
``max-links-per-node`` and ``neighbors-to-explore-at-insert``; every put and remove
updates it right after the attribute, so the graph always holds exactly the lids
whose attribute has a vector. Mixed (multi-vector) tensors are searched exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from content.attribute import (
    METRICS,
    AnyAttribute,
    DenseTensorAttribute,
    create_attribute,
    element_type,
)
from content.hnsw import HnswIndex
from content.index import Analyzer, FieldIndex
from vespid.config import FieldConfig, SchemaConfig
from vespid.errors import InvalidQueryError

_TEXT_TYPES = {"string"}
_Writer = Callable[[int, Any], None]


class FieldCatalog:
    """The text indexes and attributes of one schema, built empty from its config."""

    def __init__(self, schema: SchemaConfig) -> None:
        self.schema = schema
        self.indexes: dict[str, FieldIndex] = {}
        self.attributes: dict[str, AnyAttribute] = {}
        self.graphs: dict[str, HnswIndex] = {}
        """HNSW indexes by field name (dense tensor attributes with ``index: hnsw``)."""
        for field in schema.fields:
            if field.index and element_type(field.type)[1] in _TEXT_TYPES:
                self.indexes[field.name] = FieldIndex(Analyzer.for_field(field))
            if field.attribute:
                attribute = create_attribute(field)
                if attribute is not None:
                    self.attributes[field.name] = attribute
                graph = _graph_for(field, attribute)
                if graph is not None:
                    self.graphs[field.name] = graph
        self._writers = tuple(self._writers_of(schema))
        """(document field to read, what takes its value) in schema order: `put` runs
        these without looking up each field's structures again."""

    def put(self, lid: int, fields: Mapping[str, Any]) -> None:
        """Index and store every searchable field of a document (replacing ``lid``'s)."""
        for source, write in self._writers:
            write(lid, fields.get(source))

    def replace_graph(self, name: str, graph: HnswIndex) -> None:
        """Serve ``graph`` (loaded from a snapshot) as field ``name``'s HNSW index."""
        self.graphs[name] = graph
        self._writers = tuple(self._writers_of(self.schema))

    def remove(self, lid: int) -> None:
        """Drop ``lid`` from every index, attribute and HNSW graph."""
        for index in self.indexes.values():
            index.remove(lid)
        for attribute in self.attributes.values():
            attribute.remove(lid)
        for graph in self.graphs.values():
            graph.remove(lid)

    def field(self, name: str) -> FieldConfig:
        """Return the field called ``name``.

        Raises:
            InvalidQueryError: when the schema has no such field.
        """
        field = self.schema.field(name)
        if field is None:
            raise InvalidQueryError(f"Field '{name}' does not exist in schema '{self.schema.name}'")
        return field

    def resolve(self, name: str) -> tuple[FieldConfig, ...]:
        """Return the searchable fields a query field name stands for.

        Raises:
            InvalidQueryError: for an unknown field or fieldset, or a field that is
                neither an index nor an attribute.
        """
        fieldset = self.schema.fieldset(name)
        if fieldset is not None and self.schema.field(name) is None:
            return tuple(self._searchable(self.field(f)) for f in fieldset.fields)
        if name == "default" and self.schema.field(name) is None:
            raise InvalidQueryError(
                f"Schema '{self.schema.name}' has no fieldset 'default' to search; "
                "name a field or fieldset"
            )
        return (self._searchable(self.field(name)),)

    def _writers_of(self, schema: SchemaConfig) -> Iterator[tuple[str, _Writer]]:
        """Per field: its text index, then its attribute, then the attribute's graph."""
        for field in schema.fields:
            source = field.name if field.in_document else field.source
            index = self.indexes.get(field.name)
            if index is not None:
                yield source, index.put
            attribute = self.attributes.get(field.name)
            if attribute is not None:
                yield source, attribute.put
            graph = self.graphs.get(field.name)
            if graph is not None and isinstance(attribute, DenseTensorAttribute):
                yield source, functools.partial(_update_graph, graph, attribute)

    def _searchable(self, field: FieldConfig) -> FieldConfig:
        if field.name in self.indexes or field.name in self.attributes:
            return field
        raise InvalidQueryError(
            f"Field '{field.name}' in schema '{self.schema.name}' is not searchable "
            "(it is neither an index nor an attribute)"
        )


def _graph_for(field: FieldConfig, attribute: AnyAttribute | None) -> HnswIndex | None:
    if field.hnsw is None or field.distance_metric not in METRICS:
        return None
    if not isinstance(attribute, DenseTensorAttribute):
        return None
    return HnswIndex(
        attribute.cells,
        field.distance_metric,
        max_links_per_node=field.hnsw.max_links_per_node,
        neighbors_to_explore_at_insert=field.hnsw.neighbors_to_explore_at_insert,
    )


def _update_graph(
    graph: HnswIndex, attribute: DenseTensorAttribute, lid: int, _value: object
) -> None:
    """Give ``graph`` the attribute's vector of ``lid``, or take it out when there is none
    (the attribute has just taken the field's value)."""
    lids = np.array([lid], dtype=np.uint32)
    if attribute.presence_for(lids)[0]:
        graph.set_vector(lid, attribute.vectors_for(lids)[0])
    else:
        graph.remove(lid)
