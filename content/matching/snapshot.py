"""Saving and loading the search side of one document type, so a restart need not rebuild it.

A flush takes the state of a :class:`content.matching.DocumentTypeIndex` at one log
serial on the writer's thread (:func:`take_snapshot`: copies of the attribute arrays and
the live lids, a sealed memory part per text field, a copy of each HNSW graph; nothing
here waits), then :meth:`TypeIndexFlush.write` fuses and writes it in a worker thread
and :meth:`TypeIndexFlush.install` lets the text fields serve the fused segments.

Files in the snapshot directory, per document type ``T``:

- ``index.T.snapshot``: a `content.storage.arrays` file; its meta holds the format
  version, the serial it covers, the schema (its repr), and the names of the attributes,
  text fields and graph files; its arrays are ``live``, ``attribute.<field>.<part>`` and
  ``text.<field>.<part>``. Written last, so it never names a graph file not yet written.
- ``index.T.<field>.<serial>.hnsw``: each HNSW graph (`content.hnsw.serializer`);
  older ones are deleted once the main file names the new ones.

:func:`load_snapshot` refuses (:class:`IndexSnapshotError`) a file of another serial or
schema or a damaged one; the caller then rebuilds from the document store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from content.attribute.base import Arrays
from content.errors import ContentError, CorruptionError
from content.hnsw import HnswIndex, HnswSnapshot, load_index
from content.hnsw.serializer import serialize_snapshot
from content.index import DocIdSet, docids_from_lids, lids_of
from content.index.field_index import FieldFlush
from content.matching.catalog import FieldCatalog
from content.storage import Directory
from content.storage.arrays import read_arrays, serialize_arrays
from content.types import SerialNum

FORMAT_VERSION = 1


class IndexSnapshotError(ContentError):
    """A saved search index cannot be used: missing, stale, of another schema, or damaged."""


@runtime_checkable
class PersistentAttribute(Protocol):
    """An attribute that can save and load its state as arrays."""

    def save_state(self) -> Arrays: ...
    def load_state(self, arrays: Arrays) -> None: ...


def snapshot_name(doctype: str) -> str:
    """The main file of ``doctype``'s saved index."""
    return f"index.{doctype}.snapshot"


def _graph_name(doctype: str, field: str, serial: int) -> str:
    return f"index.{doctype}.{field}.{serial:020d}.hnsw"


@dataclass(frozen=True, slots=True)
class TypeIndexFlush:
    """The search side of one document type at one serial, on its way to disk."""

    doctype: str
    serial: SerialNum
    meta: dict[str, Any]
    arrays: dict[str, npt.NDArray[Any]]
    fields: dict[str, FieldFlush]
    graphs: dict[str, HnswSnapshot]
    catalog: FieldCatalog

    def write(self, directory: Directory) -> None:
        """Fuse the text fields and write every file (a worker thread may call this)."""
        arrays = dict(self.arrays)
        for name, flush in self.fields.items():
            arrays.update({f"text.{name}.{k}": v for k, v in flush.arrays().items()})
        graph_files = {}
        for name, graph in self.graphs.items():
            graph_files[name] = _graph_name(self.doctype, name, self.serial)
            directory.write_atomic(graph_files[name], serialize_snapshot(graph))
        meta = {**self.meta, "graphs": graph_files}
        directory.write_atomic(snapshot_name(self.doctype), serialize_arrays(meta, arrays))
        prefix = f"index.{self.doctype}."
        for file in directory.list():
            stale = file not in graph_files.values()
            if file.startswith(prefix) and file.endswith(".hnsw") and stale:
                directory.delete(file)

    def install(self) -> None:
        """Serve the fused text segments (on the writer's thread, after :meth:`write`)."""
        for name, flush in self.fields.items():
            self.catalog.indexes[name].install(flush)


def take_snapshot(
    doctype: str, serial: SerialNum, catalog: FieldCatalog, live: DocIdSet
) -> TypeIndexFlush | None:
    """Copy the state as of now (no waiting); None when some attribute cannot be saved."""
    if not all(isinstance(a, PersistentAttribute) for a in catalog.attributes.values()):
        return None
    arrays: dict[str, npt.NDArray[Any]] = {"live": lids_of(live)}
    for name, attribute in catalog.attributes.items():
        assert isinstance(attribute, PersistentAttribute)
        for part, array in attribute.save_state().items():
            arrays[f"attribute.{name}.{part}"] = array
    meta = {
        "version": FORMAT_VERSION,
        "serial": int(serial),
        "schema": _schema_text(catalog),
        "attributes": sorted(catalog.attributes),
        "fields": sorted(catalog.indexes),
    }
    fields = {name: index.seal() for name, index in catalog.indexes.items()}
    graphs = {name: graph.snapshot() for name, graph in catalog.graphs.items()}
    return TypeIndexFlush(doctype, serial, meta, arrays, fields, graphs, catalog)


def load_snapshot(
    directory: Directory, doctype: str, serial: SerialNum, catalog: FieldCatalog
) -> DocIdSet:
    """Fill the empty ``catalog`` from the saved index of ``doctype``; return its live lids.

    Raises:
        IndexSnapshotError: when there is no usable saved index at ``serial`` for the
            catalog's schema (the catalog may then be half filled: discard it).
    """
    name = snapshot_name(doctype)
    try:
        meta, arrays = read_arrays(directory.read(name), directory.describe(name))
    except FileNotFoundError as e:
        raise IndexSnapshotError(f"no saved index {name}") from e
    except CorruptionError as e:
        raise IndexSnapshotError(str(e)) from e
    if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION:
        raise IndexSnapshotError(f"{name}: not format version {FORMAT_VERSION}")
    if meta.get("serial") != serial:
        raise IndexSnapshotError(f"{name}: saved at serial {meta.get('serial')}, not {serial}")
    if meta.get("schema") != _schema_text(catalog):
        raise IndexSnapshotError(f"{name}: saved for another version of the schema")
    expected = (sorted(catalog.attributes), sorted(catalog.indexes), sorted(catalog.graphs))
    if (meta["attributes"], meta["fields"], sorted(meta["graphs"])) != expected:
        raise IndexSnapshotError(f"{name}: holds other fields than the schema has")
    try:
        for field, attribute in catalog.attributes.items():
            if not isinstance(attribute, PersistentAttribute):
                raise IndexSnapshotError(f"{name}: attribute {field} cannot be loaded")
            attribute.load_state(_parts(arrays, f"attribute.{field}."))
        for field, index in catalog.indexes.items():
            index.load(_parts(arrays, f"text.{field}."))
        for field, file in meta["graphs"].items():
            catalog.replace_graph(field, _graph(directory, file, catalog.graphs[field]))
        return docids_from_lids(np.asarray(arrays["live"], dtype=np.uint32))
    except (KeyError, ValueError, TypeError, CorruptionError, FileNotFoundError) as e:
        raise IndexSnapshotError(f"{name}: {type(e).__name__}: {e}") from e


def _graph(directory: Directory, file: str, empty: HnswIndex) -> HnswIndex:
    loaded = load_index(directory, file)
    if loaded.settings != empty.settings:
        raise ValueError(f"{file}: graph settings differ from the schema's")
    return loaded


def _parts(arrays: Mapping[str, npt.NDArray[Any]], prefix: str) -> Arrays:
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def _schema_text(catalog: FieldCatalog) -> str:
    return repr(catalog.schema)  # frozen dataclasses all the way down: every setting shows
