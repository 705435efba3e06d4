"""HnswIndex reader: an index back from the serializer's bytes, with no rebuild.

Checks the magic, version, header checksum and each array's length and CRC-32 before
handing the arrays to hnswlib, which copies them into its own memory; a file that
fails any check raises :class:`HnswCorruptionError` with the offset of the bad part.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

import numpy as np

from content.errors import CorruptionError
from content.hnsw.index import HnswIndex, HnswSettings, HnswSnapshot
from content.hnsw.metric import DistanceMetric
from content.hnsw.serializer import FORMAT_VERSION, MAGIC, PREAMBLE
from content.storage import Directory


class HnswCorruptionError(CorruptionError):
    """A stored HNSW index is cut short, has a bad checksum or an unknown format."""


def read_snapshot(data: bytes, source: str = "<bytes>") -> HnswSnapshot:
    """Parse the serializer's bytes into a snapshot.

    Raises:
        HnswCorruptionError: when the bytes are not a whole, intact version 1 index.
    """
    if len(data) < PREAMBLE.size:
        raise HnswCorruptionError(source, 0, f"{len(data)} bytes, shorter than the preamble")
    magic, version, header_length, header_crc = PREAMBLE.unpack_from(data)
    if magic != MAGIC:
        raise HnswCorruptionError(source, 0, f"magic {magic!r}, expected {MAGIC!r}")
    if version != FORMAT_VERSION:
        raise HnswCorruptionError(source, 8, f"format version {version}, expected 1")
    start = PREAMBLE.size
    encoded = data[start : start + header_length]
    if len(encoded) != header_length or zlib.crc32(encoded) != header_crc:
        raise HnswCorruptionError(source, start, "header cut short or checksum mismatch")
    header = json.loads(encoded)
    arrays = _arrays(data, start + header_length, header["arrays"], source)
    settings = header["settings"]
    graph = None
    if header["graph"] is not None:
        graph = dict(header["graph"])
        graph.update({k[6:]: v for k, v in arrays.items() if k.startswith("graph.")})
    return HnswSnapshot(
        HnswSettings(
            settings["dimensions"],
            DistanceMetric.parse(settings["metric"]),
            settings["max_links_per_node"],
            settings["neighbors_to_explore_at_insert"],
            settings["random_seed"],
        ),
        arrays["states"],
        graph,
        arrays.get("rows"),
        arrays.get("digests"),
    )


def read_index(data: bytes, source: str = "<bytes>", insert_threads: int = 1) -> HnswIndex:
    """Return the index the serializer wrote to ``data``.

    Raises:
        HnswCorruptionError: when the bytes are not a whole, intact version 1 index.
    """
    return HnswIndex.from_snapshot(read_snapshot(data, source), insert_threads)


def load_index(directory: Directory, name: str, insert_threads: int = 1) -> HnswIndex:
    """Return the index stored as ``name`` in ``directory``.

    Raises:
        FileNotFoundError: when there is no such file.
        HnswCorruptionError: when the file is damaged.
    """
    return read_index(directory.read(name), directory.describe(name), insert_threads)


def _arrays(
    data: bytes, offset: int, described: list[dict[str, Any]], source: str
) -> dict[str, np.ndarray[Any, Any]]:
    found: dict[str, np.ndarray[Any, Any]] = {}
    view = memoryview(data)
    for entry in described:
        nbytes = int(entry["nbytes"])
        chunk = view[offset : offset + nbytes]
        if len(chunk) != nbytes:
            raise HnswCorruptionError(source, offset, f"array {entry['name']} cut short")
        if zlib.crc32(chunk) != entry["crc32"]:
            raise HnswCorruptionError(source, offset, f"array {entry['name']} checksum mismatch")
        array = np.frombuffer(chunk, dtype=np.dtype(entry["dtype"]))
        found[entry["name"]] = array.reshape(entry["shape"])
        offset += nbytes
    if offset != len(data):
        raise HnswCorruptionError(source, offset, f"{len(data) - offset} bytes after the arrays")
    return found
