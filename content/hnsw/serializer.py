"""HnswIndex serializer: an index snapshot as immutable bytes, written once.

File layout, version 1 (integers little-endian):

| offset | size | content |
|---|---|---|
| 0 | 8 | magic ``b"VSPHNSW\\0"`` |
| 8 | 4 | u32 format version (1) |
| 12 | 4 | u32 header length H |
| 16 | 4 | u32 CRC-32 of the header |
| 20 | H | header, UTF-8 JSON: ``settings``, ``graph`` (hnswlib scalars or null), ``arrays`` |
| 20 + H | … | the arrays' raw bytes back to back, in the order ``arrays`` lists them |

Each ``arrays`` entry is ``{"name", "dtype", "shape", "nbytes", "crc32"}``: ``states``
(a uint8 ABSENT/LIVE/REMOVED per lid), then either hnswlib's arrays as
``graph.<key>`` (level-0 data and links, upper-level links, element levels, the label
table, sorted by label) or ``rows`` (the vectors of an exact metric), then ``digests``
(a uint64 digest of each lid's vector; optional: older files lack it). The graph is
stored as hnswlib holds it in memory, so loading copies it back and never rebuilds it.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from content.hnsw.index import HnswIndex, HnswSnapshot
from content.storage import Directory

MAGIC = b"VSPHNSW\0"
FORMAT_VERSION = 1
PREAMBLE = struct.Struct("<8sIII")
"""magic, version, header length, header CRC-32."""


def serialize_snapshot(snapshot: HnswSnapshot) -> Iterator[bytes]:
    """Yield the bytes of ``snapshot`` in the version 1 layout, in chunks."""
    arrays: list[tuple[str, np.ndarray[Any, Any]]] = [("states", snapshot.states)]
    scalars: dict[str, Any] | None = None
    if snapshot.graph is not None:
        scalars = {}
        for key, value in _sorted_labels(snapshot.graph).items():
            if isinstance(value, np.ndarray):
                arrays.append((f"graph.{key}", np.ascontiguousarray(value)))
            else:
                scalars[key] = value
    if snapshot.rows is not None:
        arrays.append(("rows", np.ascontiguousarray(snapshot.rows)))
    if snapshot.digests is not None:
        arrays.append(("digests", np.ascontiguousarray(snapshot.digests)))
    settings = snapshot.settings
    header = {
        "settings": {
            "dimensions": settings.dimensions,
            "metric": settings.metric.value,
            "max_links_per_node": settings.max_links_per_node,
            "neighbors_to_explore_at_insert": settings.neighbors_to_explore_at_insert,
            "random_seed": settings.random_seed,
        },
        "graph": scalars,
        "arrays": [_describe(name, array) for name, array in arrays],
    }
    encoded = json.dumps(header, sort_keys=True).encode()
    yield PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(encoded), zlib.crc32(encoded))
    yield encoded
    for _, array in arrays:
        yield array.tobytes()


def serialize_index(index: HnswIndex) -> bytes:
    """Return the whole index as bytes (a snapshot taken while no write runs)."""
    return b"".join(serialize_snapshot(index.snapshot()))


def save_index(directory: Directory, name: str, index: HnswIndex) -> None:
    """Write ``index`` to file ``name`` of ``directory``, atomically and durably."""
    directory.write_atomic(name, serialize_snapshot(index.snapshot()))


def _sorted_labels(graph: dict[str, Any]) -> dict[str, Any]:
    """Order hnswlib's label table by label: it comes from a hash map in no stable
    order, and sorting makes equal indexes serialize to equal bytes."""
    order = np.argsort(graph["label_lookup_external"], kind="stable")
    return {
        **graph,
        "label_lookup_external": graph["label_lookup_external"][order],
        "label_lookup_internal": graph["label_lookup_internal"][order],
    }


def _describe(name: str, array: np.ndarray[Any, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "nbytes": array.nbytes,
        "crc32": zlib.crc32(array.data),
    }
