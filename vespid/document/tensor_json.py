"""Tensor values in Vespa's document JSON: every input form in, one canonical form out.

Vespa's ``TensorReader`` accepts, for a field of type *T*:

* ``{"cells": [{"address": {"x": "a", "y": "0"}, "value": 1.0}, ...]}`` — any tensor;
* ``{"cells": {"a": 1.0, "b": 2.0}}`` — a tensor with exactly one dimension;
* ``{"values": [[1, 2], [3, 4]]}`` — indexed tensors, nested arrays in dimension
  order (any nesting is flattened), or a hex string of the cells' big-endian bytes
  in the cell type (``"3F800000"`` is a float 1.0);
* ``{"blocks": {"a": [1, 2]}}`` (one mapped dimension) or
  ``{"blocks": [{"address": {"m": "a"}, "values": [1, 2]}]}`` — mixed tensors, one
  dense subspace per mapped address;
* the same without a wrapper: ``[1, 2, 3]``, ``[{"address": ...}]``, ``{"a": 1.0}``
  (one mapped dimension), ``{"a": [1, 2]}`` and ``[{"address": ..., "values": ...}]``
  (mixed), and for indexed tensors any object whose values hold the numbers (pyvespa
  sends ``{"x": [...]}``). So every form :func:`render_tensor` writes reads back,
  except that a one-dimension mapped label ``type``, ``cells``, ``values`` or
  ``blocks`` is ambiguous without the wrapper (as in Vespa).

A ``"type"`` key is ignored, as in Vespa. Numbers may be sent as strings. Each cell
is converted to the cell type (a float cell holds a 32-bit float, bfloat16 keeps the
top 16 bits of one, int8 truncates to a signed byte), so what is stored is what Vespa
would store.

Canonical form (docs/internals.md "Document values"): indexed-only tensors are
``{"type": T, "values": [flat row-major floats]}``; any other tensor is
``{"type": T, "cells": [{"address": {dim: label}, "value": v}, ...]}`` with every
dimension in the address, labels as strings, cells sorted by address and each dense
subspace of a mixed tensor complete (missing cells are 0.0).

>>> t = parse_tensor_type("tensor(x[2])")
>>> canonical_tensor(t, read_tensor(t, {"values": [1, 2]}, "f"))
{'type': 'tensor(x[2])', 'values': [1.0, 2.0]}
>>> m = parse_tensor_type("tensor(c{})")
>>> render_tensor(m, canonical_tensor(m, read_tensor(m, {"a": 2}, "f")), "short")
{'type': 'tensor(c{})', 'cells': {'a': 2.0}}
"""

from __future__ import annotations

import contextlib
import itertools
import math
import struct
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from vespid.document.tensor_type import TensorType, parse_tensor_type
from vespid.errors import InvalidDocumentError

Address = tuple[str, ...]
"""A cell address: one label per dimension, in the type's dimension order."""
Cells = dict[Address, float]

TENSOR_FORMATS = ("short", "long", "short-value", "long-value")
"""Values of Vespa's ``format.tensors`` / ``presentation.format.tensors``."""

_HEX_WIDTH = {"double": 16, "float": 8, "bfloat16": 4, "int8": 2}

__all__ = [
    "TENSOR_FORMATS",
    "Address",
    "Cells",
    "canonical_tensor",
    "cast_cell",
    "cast_cells",
    "cells_of",
    "long_cells",
    "parse_tensor_type",
    "read_addresses",
    "read_tensor",
    "render_tensor",
]


def _error(where: str, message: str) -> InvalidDocumentError:
    return InvalidDocumentError(f"Field '{where}': {message}")


def cast_cell(cell_type: str, value: float) -> float:
    """``value`` as a cell of ``cell_type`` would hold it, as a Python float."""
    if cell_type == "double" or math.isnan(value) or math.isinf(value):
        return float(value)
    if cell_type == "int8":
        return float(((int(value) + 128) & 0xFF) - 128)
    try:
        bits = struct.unpack(">I", struct.pack(">f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    if cell_type == "bfloat16":
        bits &= 0xFFFF0000
    result: float = struct.unpack(">f", struct.pack(">I", bits))[0]
    return result


def cast_cells(cell_type: str, values: Sequence[float]) -> list[float]:
    """:func:`cast_cell` of every value, vectorised."""
    if cell_type == "double":
        return [float(v) for v in values]
    if cell_type == "int8":
        return [cast_cell("int8", v) for v in values]
    with np.errstate(over="ignore"):
        floats = np.asarray(values, dtype=np.float64).astype(np.float32)
    if cell_type == "bfloat16":
        floats = (floats.view(np.uint32) & np.uint32(0xFFFF0000)).view(np.float32)
    result: list[float] = floats.astype(np.float64).tolist()
    return result


def _number(value: Any, where: str) -> float:
    number = None
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        with contextlib.suppress(ValueError, OverflowError):
            number = float(value)
    if number is None:
        raise _error(where, f"expected a number as tensor cell value, got {value!r}")
    if not math.isfinite(number):
        # JSON cannot carry NaN or infinity between processes
        raise _error(where, f"expected a finite number as tensor cell value, got {value!r}")
    return number


def read_tensor(ttype: TensorType, data: Any, where: str) -> Cells:
    """Read a tensor in any of Vespa's JSON forms into cells (not zero-filled).

    Raises:
        InvalidDocumentError: naming ``where`` when the value does not fit ``ttype``.
    """
    if isinstance(data, str | list):
        return _read_direct(ttype, data, where)
    if not isinstance(data, dict):
        raise _error(where, f"expected a tensor of type {ttype}, got {data!r}")
    cells: Cells = {}
    for key, value in data.items():
        if key == "type":
            continue
        if key == "cells" and isinstance(value, list | dict):
            cells.update(_read_cells(ttype, value, where))
        elif key == "values" and ttype.is_dense:
            cells.update(_read_values(ttype, value, where))
        elif key == "blocks":
            cells.update(_read_blocks(ttype, value, where))
        else:
            return _read_direct(ttype, {k: v for k, v in data.items() if k != "type"}, where)
    return cells


def _read_direct(ttype: TensorType, data: Any, where: str) -> Cells:
    if isinstance(data, list) and not ttype.is_dense and not data:
        return {}
    if isinstance(data, list) and _is_list_of_objects(data):
        if (
            ttype.indexed
            and not ttype.is_dense
            and all(isinstance(c, dict) and "values" in c for c in data)
        ):
            return _read_blocks(ttype, data, where)
        return _read_cells(ttype, data, where)
    if ttype.is_dense:
        if isinstance(data, dict):
            data = list(data.values())
        return _read_values(ttype, data, where)
    if not isinstance(data, dict):
        raise _error(where, f"expected a tensor of type {ttype}, got {data!r}")
    if ttype.indexed:
        return _read_blocks(ttype, data, where)
    return _read_cells(ttype, data, where)


def _is_list_of_objects(data: list[Any]) -> bool:
    while data and isinstance(data[0], list):
        data = data[0]
    return bool(data) and isinstance(data[0], dict)


def _read_cells(ttype: TensorType, data: list[Any] | dict[str, Any], where: str) -> Cells:
    if isinstance(data, dict):
        if len(ttype.dimensions) != 1:
            raise _error(
                where,
                f"the short 'cells' object form needs a tensor with one dimension, not {ttype}",
            )
        return {
            _address(ttype, {ttype.dimensions[0].name: label}, where): _number(v, where)
            for label, v in data.items()
        }
    cells: Cells = {}
    for cell in data:
        if not isinstance(cell, dict) or "address" not in cell or "value" not in cell:
            raise _error(where, f"expected a tensor cell {{'address', 'value'}}, got {cell!r}")
        cells[_address(ttype, cell["address"], where)] = _number(cell["value"], where)
    return cells


def _address(ttype: TensorType, data: Any, where: str, *, mapped_only: bool = False) -> Address:
    dims = ttype.mapped if mapped_only else ttype.dimensions
    if not isinstance(data, dict):
        raise _error(where, f"expected a tensor address object, got {data!r}")
    unknown = set(data) - {d.name for d in dims}
    if unknown:
        raise _error(where, f"tensor type {ttype} has no dimension '{sorted(unknown)[0]}'")
    labels = []
    for dim in dims:
        if dim.name not in data:
            raise _error(where, f"address {data} has no label for dimension '{dim.name}'")
        label = str(data[dim.name])
        if dim.size is not None and not (label.isdigit() and int(label) < dim.size):
            raise _error(
                where, f"label '{label}' of dimension '{dim.name}' is not in 0..{dim.size - 1}"
            )
        labels.append(label if dim.size is None else str(int(label)))
    return tuple(labels)


def read_addresses(ttype: TensorType, data: Any, where: str) -> list[Address]:
    """Read ``{"addresses": [...]}`` of a tensor remove update.

    Addresses name every dimension of a mapped tensor, and only the mapped
    dimensions of a mixed one (a remove drops whole dense subspaces).
    """
    if not isinstance(data, dict) or not isinstance(data.get("addresses"), list):
        raise _error(where, f"expected {{'addresses': [...]}} to remove, got {data!r}")
    if ttype.is_dense:
        raise _error(where, f"cannot remove cells from the indexed tensor type {ttype}")
    return [_address(ttype, a, where, mapped_only=True) for a in data["addresses"]]


def _flatten(data: Any, where: str) -> Iterator[float]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, where)
    else:
        yield _number(data, where)


def _dense_values(ttype: TensorType, data: Any, where: str) -> list[float]:
    if isinstance(data, str):
        values = _decode_hex(ttype.cell_type, data, where)
    elif isinstance(data, list) and _plain_numbers(data):
        values = data  # the common case, a flat list of finite numbers
    elif isinstance(data, list):
        values = list(_flatten(data, where))
    else:
        raise _error(where, f"expected an array of numbers or a hex string, got {data!r}")
    if len(values) != ttype.dense_size:
        raise _error(where, f"expected {ttype.dense_size} values for {ttype}, got {len(values)}")
    return values


def _plain_numbers(data: list[Any]) -> bool:
    try:
        return all(type(v) in (float, int) and math.isfinite(v) for v in data)
    except OverflowError:  # an int too large for a float
        return False


def _decode_hex(cell_type: str, text: str, where: str) -> list[float]:
    width = _HEX_WIDTH[cell_type]
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise _error(where, f"'{text[:40]}' is not a hex string") from None
    if len(text) % width:
        raise _error(where, f"a hex string of {cell_type} cells needs {width} digits per cell")
    if cell_type == "double":
        return list(struct.unpack(f">{len(raw) // 8}d", raw))
    if cell_type == "float":
        return list(struct.unpack(f">{len(raw) // 4}f", raw))
    if cell_type == "int8":
        return [float(v) for v in struct.unpack(f">{len(raw)}b", raw)]
    halves = struct.unpack(f">{len(raw) // 2}H", raw)
    return [struct.unpack(">f", struct.pack(">I", h << 16))[0] for h in halves]


@lru_cache(maxsize=256)
def _subspace_addresses(ttype: TensorType) -> tuple[Address, ...]:
    ranges = [range(d.size or 0) for d in ttype.indexed]
    return tuple(tuple(str(i) for i in combo) for combo in itertools.product(*ranges))


def _join(ttype: TensorType, mapped: Address, indexed: Address) -> Address:
    mapped_it, indexed_it = iter(mapped), iter(indexed)
    return tuple(next(mapped_it) if d.mapped else next(indexed_it) for d in ttype.dimensions)


def _read_values(ttype: TensorType, data: Any, where: str) -> Cells:
    values = _dense_values(ttype, data, where)
    return dict(zip(_subspace_addresses(ttype), values, strict=True))


def _read_blocks(ttype: TensorType, data: Any, where: str) -> Cells:
    if ttype.is_dense or not ttype.indexed:
        raise _error(where, f"'blocks' needs a mixed tensor type, not {ttype}")
    if isinstance(data, dict):
        if len(ttype.mapped) != 1:
            raise _error(where, f"the 'blocks' object form needs one mapped dimension, not {ttype}")
        blocks = [({ttype.mapped[0].name: label}, values) for label, values in data.items()]
    elif isinstance(data, list):
        if not all(isinstance(b, dict) and "address" in b and "values" in b for b in data):
            raise _error(where, "expected 'blocks' items like {'address': ..., 'values': [...]}")
        blocks = [(b["address"], b["values"]) for b in data]
    else:
        raise _error(where, f"expected 'blocks' to be an object or an array, got {data!r}")
    subspace = _subspace_addresses(ttype)
    cells: Cells = {}
    for address, values in blocks:
        mapped = _address(ttype, address, where, mapped_only=True)
        dense = _dense_values(_dense_subtype(ttype), values, where)
        for indexed, value in zip(subspace, dense, strict=True):
            cells[_join(ttype, mapped, indexed)] = value
    return cells


def _dense_subtype(ttype: TensorType) -> TensorType:
    return TensorType(ttype.cell_type, ttype.indexed)


def _sort_key(ttype: TensorType, address: Address) -> tuple[Any, ...]:
    return tuple(
        int(label) if d.size is not None else label
        for d, label in zip(ttype.dimensions, address, strict=True)
    )


def canonical_tensor(ttype: TensorType, cells: Mapping[Address, float]) -> dict[str, Any]:
    """The canonical JSON value of a tensor with these cells (cast to the cell type)."""
    if ttype.is_dense:
        values = [cells.get(a, 0.0) for a in _subspace_addresses(ttype)]
        return {"type": str(ttype), "values": cast_cells(ttype.cell_type, values)}
    full: dict[Address, float] = {}
    if ttype.indexed:
        positions = [i for i, d in enumerate(ttype.dimensions) if d.mapped]
        for mapped in {tuple(a[i] for i in positions) for a in cells}:
            for indexed in _subspace_addresses(ttype):
                full[_join(ttype, mapped, indexed)] = 0.0
    full.update(cells)
    return {"type": str(ttype), "cells": long_cells(ttype, full)}


def long_cells(ttype: TensorType, cells: Mapping[Address, float]) -> list[dict[str, Any]]:
    """Cells as a sorted long-form list, ``[{"address": ..., "value": ...}]``, cast."""
    names = [d.name for d in ttype.dimensions]
    ordered = sorted(cells.items(), key=lambda item: _sort_key(ttype, item[0]))
    values = cast_cells(ttype.cell_type, [v for _, v in ordered])
    return [
        {"address": dict(zip(names, a, strict=True)), "value": v}
        for (a, _), v in zip(ordered, values, strict=True)
    ]


def cells_of(ttype: TensorType, canonical: Mapping[str, Any]) -> Cells:
    """The cells of a canonical tensor value (or of any ``{"cells": [long cells]}``)."""
    if "values" in canonical:
        return dict(zip(_subspace_addresses(ttype), canonical["values"], strict=True))
    names = [d.name for d in ttype.dimensions]
    return {
        tuple(str(c["address"][n]) for n in names): float(c["value"]) for c in canonical["cells"]
    }


def render_tensor(ttype: TensorType, canonical: Mapping[str, Any], form: str = "short") -> Any:
    """Render a canonical tensor as Vespa does for ``format.tensors=<form>``.

    ``short``: dense → ``values`` nested by dimension; one mapped dimension →
    ``cells`` object; mixed → ``blocks``; else the cells list. ``long``: always the
    cells list. The ``-value`` forms leave out the ``{"type": ...}`` wrapper.

    Raises:
        ValueError: for a form not in :data:`TENSOR_FORMATS`.
    """
    if form not in TENSOR_FORMATS:
        raise ValueError(f"Unknown tensor format '{form}', expected one of {TENSOR_FORMATS}")
    key, body = _short(ttype, canonical) if form.startswith("short") else _long(ttype, canonical)
    return body if form.endswith("-value") else {"type": str(ttype), key: body}


def _long(ttype: TensorType, canonical: Mapping[str, Any]) -> tuple[str, Any]:
    if not ttype.is_dense:
        return "cells", [dict(c) for c in canonical["cells"]]
    names = [d.name for d in ttype.dimensions]
    return "cells", [
        {"address": dict(zip(names, a, strict=True)), "value": v}
        for a, v in zip(_subspace_addresses(ttype), canonical["values"], strict=True)
    ]


def _short(ttype: TensorType, canonical: Mapping[str, Any]) -> tuple[str, Any]:
    if ttype.is_dense:
        return "values", _nest(list(canonical["values"]), [d.size or 0 for d in ttype.indexed])
    if not ttype.indexed:
        if len(ttype.dimensions) == 1:
            name = ttype.dimensions[0].name
            return "cells", {c["address"][name]: c["value"] for c in canonical["cells"]}
        return _long(ttype, canonical)
    return "blocks", _blocks(ttype, canonical)


def _blocks(ttype: TensorType, canonical: Mapping[str, Any]) -> Any:
    mapped_names = [d.name for d in ttype.mapped]
    subspaces: dict[Address, list[float]] = {}
    for cell in canonical["cells"]:
        mapped = tuple(cell["address"][n] for n in mapped_names)
        subspaces.setdefault(mapped, []).append(cell["value"])
    sizes = [d.size or 0 for d in ttype.indexed]
    if len(mapped_names) == 1:
        return {m[0]: _nest(v, sizes) for m, v in subspaces.items()}
    return [
        {"address": dict(zip(mapped_names, m, strict=True)), "values": _nest(v, sizes)}
        for m, v in subspaces.items()
    ]


def _nest(values: list[float], sizes: list[int]) -> list[Any]:
    if len(sizes) <= 1:
        return values
    step = len(values) // sizes[0]
    return [_nest(values[i * step : (i + 1) * step], sizes[1:]) for i in range(sizes[0])]
