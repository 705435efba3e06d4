"""Tensor types: ``tensor<float>(cat{},x[3])`` parsed into cell type and dimensions.

Vespa keeps a tensor type's dimensions sorted by name whatever order they were
declared in, and prints ``tensor(...)`` without ``<double>`` (its default cell type);
:func:`parse_tensor_type` does the same, so ``str()`` gives Vespa's canonical text.
A dimension is *mapped* (``name{}``, string labels) or *indexed* (``name[N]``,
labels 0..N-1). Document fields need every indexed dimension bound.

>>> t = parse_tensor_type("tensor<float>(x[3], cat{})")
>>> str(t)
'tensor<float>(cat{},x[3])'
>>> [d.name for d in t.indexed], t.dense_size
(['x'], 3)
>>> str(parse_tensor_type("tensor<double>(a[2],b[2])"))
'tensor(a[2],b[2])'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CELL_TYPES = ("double", "float", "bfloat16", "int8")
"""Vespa's tensor cell value types."""

_TYPE = re.compile(r"\s*tensor\s*(?:<\s*(\w+)\s*>)?\s*\((.*)\)\s*", re.DOTALL)
_DIMENSION = re.compile(r"\s*([A-Za-z_][\w]*)\s*(?:\{\s*\}|\[\s*(\d+)\s*\])\s*")


class TensorTypeError(ValueError):
    """A tensor type text that is not ``tensor<cell>(dim,...)``."""


@dataclass(frozen=True, slots=True)
class Dimension:
    """One dimension: mapped when ``size`` is None, else indexed with labels 0..size-1."""

    name: str
    size: int | None = None

    @property
    def mapped(self) -> bool:
        """True for a mapped (sparse, string-labelled) dimension."""
        return self.size is None

    def __str__(self) -> str:
        return f"{self.name}{{}}" if self.size is None else f"{self.name}[{self.size}]"


@dataclass(frozen=True, slots=True)
class TensorType:
    """A tensor type: cell value type and dimensions sorted by name."""

    cell_type: str
    dimensions: tuple[Dimension, ...]

    @property
    def mapped(self) -> tuple[Dimension, ...]:
        """The mapped dimensions, in type order."""
        return tuple(d for d in self.dimensions if d.mapped)

    @property
    def indexed(self) -> tuple[Dimension, ...]:
        """The indexed dimensions, in type order (the last one varies fastest)."""
        return tuple(d for d in self.dimensions if not d.mapped)

    @property
    def is_dense(self) -> bool:
        """True when every dimension is indexed (or there are none)."""
        return not self.mapped

    @property
    def dense_size(self) -> int:
        """Number of cells in one dense subspace (the product of indexed sizes)."""
        size = 1
        for d in self.indexed:
            size *= d.size or 0
        return size

    def dimension(self, name: str) -> Dimension | None:
        """The dimension called ``name``, or None."""
        return next((d for d in self.dimensions if d.name == name), None)

    def __str__(self) -> str:
        cell = "" if self.cell_type == "double" else f"<{self.cell_type}>"
        return f"tensor{cell}({','.join(str(d) for d in self.dimensions)})"


@lru_cache(maxsize=512)
def parse_tensor_type(text: str) -> TensorType:
    """Parse Vespa's tensor type text.

    Raises:
        TensorTypeError: for text that is not a tensor type, an unknown cell type,
            an unbound or zero-sized indexed dimension, or a repeated dimension name.
    """
    match = _TYPE.fullmatch(text)
    if match is None:
        raise TensorTypeError(f"'{text}' is not a tensor type like tensor<float>(x[3])")
    cell_type = match.group(1) or "double"
    if cell_type not in CELL_TYPES:
        raise TensorTypeError(
            f"Tensor type '{text}': cell type must be one of {', '.join(CELL_TYPES)}, "
            f"got '{cell_type}'"
        )
    body = match.group(2).strip()
    dimensions = [_parse_dimension(text, part) for part in body.split(",")] if body else []
    names = [d.name for d in dimensions]
    if len(set(names)) != len(names):
        raise TensorTypeError(f"Tensor type '{text}' repeats a dimension name")
    return TensorType(cell_type, tuple(sorted(dimensions, key=lambda d: d.name)))


def _parse_dimension(text: str, part: str) -> Dimension:
    match = _DIMENSION.fullmatch(part)
    if match is None:
        raise TensorTypeError(
            f"Tensor type '{text}': '{part.strip()}' is not a dimension like x[3] or cat{{}}"
        )
    name, size = match.group(1), match.group(2)
    if size is None:
        return Dimension(name)
    if int(size) == 0:
        raise TensorTypeError(f"Tensor type '{text}': dimension '{name}' has size 0")
    return Dimension(name, int(size))
