"""Named numpy arrays in one file, each checksummed: how search-side snapshots are stored.

Layout, version 1 (integers little-endian)::

    magic b"VSPARRS1" | u32 header length H | u32 CRC-32 of the header
    header: H bytes of UTF-8 JSON {"meta": <any JSON>, "arrays": [{"name", "dtype",
            "shape", "nbytes", "crc32"}, ...]}
    each array's raw C-order bytes, back to back, in the order "arrays" lists them

The serializer yields each array's own buffer (no copy); the reader returns read-only
arrays that are views of the bytes it was given (no copy either), after checking every
length and checksum, so loading a large snapshot costs one read and one CRC pass.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from content.errors import CorruptionError

MAGIC = b"VSPARRS1"
_PREAMBLE = struct.Struct("<8sII")

AnyArray = np.ndarray[Any, Any]


class ArraysCorruptionError(CorruptionError):
    """An array file is cut short, fails a checksum or is not an array file."""


def serialize_arrays(meta: Any, arrays: Mapping[str, AnyArray]) -> Iterator[bytes | memoryview]:
    """Yield the file's bytes: the header, then each array's buffer as it is."""
    ordered = [(name, np.ascontiguousarray(array)) for name, array in arrays.items()]
    header = {"meta": meta, "arrays": [_describe(name, array) for name, array in ordered]}
    encoded = json.dumps(header, sort_keys=True).encode()
    yield _PREAMBLE.pack(MAGIC, len(encoded), zlib.crc32(encoded))
    yield encoded
    for _, array in ordered:
        if array.nbytes:
            yield array.data.cast("B")


def read_arrays(data: bytes, source: str) -> tuple[Any, dict[str, AnyArray]]:
    """Return the meta and the arrays stored in ``data`` (views of it, read-only).

    Raises:
        ArraysCorruptionError: when ``data`` is not a whole, intact array file.
    """
    if len(data) < _PREAMBLE.size:
        raise ArraysCorruptionError(source, 0, f"{len(data)} bytes, shorter than the preamble")
    magic, length, crc = _PREAMBLE.unpack_from(data)
    if magic != MAGIC:
        raise ArraysCorruptionError(source, 0, f"magic {magic!r}, expected {MAGIC!r}")
    offset = _PREAMBLE.size
    encoded = data[offset : offset + length]
    if len(encoded) != length or zlib.crc32(encoded) != crc:
        raise ArraysCorruptionError(source, offset, "header cut short or checksum mismatch")
    header = json.loads(encoded)
    offset += length
    view = memoryview(data)
    arrays: dict[str, AnyArray] = {}
    for entry in header["arrays"]:
        nbytes = int(entry["nbytes"])
        chunk = view[offset : offset + nbytes]
        if len(chunk) != nbytes:
            raise ArraysCorruptionError(source, offset, f"array {entry['name']} cut short")
        if zlib.crc32(chunk) != entry["crc32"]:
            raise ArraysCorruptionError(source, offset, f"array {entry['name']} checksum mismatch")
        array = np.frombuffer(chunk, dtype=np.dtype(entry["dtype"])).reshape(entry["shape"])
        arrays[entry["name"]] = array
        offset += nbytes
    if offset != len(data):
        raise ArraysCorruptionError(source, offset, f"{len(data) - offset} bytes after the arrays")
    return header["meta"], arrays


def _describe(name: str, array: AnyArray) -> dict[str, Any]:
    return {
        "name": name,
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "nbytes": array.nbytes,
        "crc32": zlib.crc32(array.data.cast("B")) if array.nbytes else 0,
    }
