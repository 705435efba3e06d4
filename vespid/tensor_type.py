"""Tensor types: ``tensor<float>(x[3],cat{})``, the one parser for documents and expressions.

A dimension is *indexed* (``x[3]``, labels 0..size-1) or *mapped* (``cat{}``, any
string labels). Vespa keeps a type's dimensions sorted by name whatever order they
were written in and prints ``tensor(...)`` without ``<double>`` (its default cell
type), so two ways of writing one type compare equal and ``str()`` is Vespa's
canonical text. Only dense literals in ranking expressions care about the order
written; :func:`read_tensor_type` returns it for them.

Document fields (``vespid.document``) and ranking expressions (``vespid.expression``)
both use this module, like Vespa's ``TensorType`` in vespajlib.

>>> t = parse_tensor_type("tensor<float>(x[3], cat{})")
>>> str(t), t.dimension_names, t.mapped_names, t.dense_size
('tensor<float>(cat{},x[3])', ('cat', 'x'), ('cat',), 3)
>>> str(parse_tensor_type("tensor<double>(a[2],b[2])"))
'tensor(a[2],b[2])'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CELL_TYPES = ("double", "float", "bfloat16", "int8")
"""Vespa's cell types, from the widest to the narrowest."""

_SPACE = re.compile(r"\s*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SIZE = re.compile(r"[^\s\],]*")
_WORD = re.compile(r"[\w.+-]+")


class TensorTypeError(ValueError):
    """A tensor type that is not well formed; ``position`` is the 0-based offset of the
    fault in the text parsed, when there was one."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class Dimension:
    """One dimension: ``size`` is the length of an indexed dimension, None for a mapped one."""

    name: str
    size: int | None = None

    @property
    def mapped(self) -> bool:
        """Whether the dimension is mapped (labels are arbitrary strings)."""
        return self.size is None

    def __str__(self) -> str:
        return f"{self.name}{{}}" if self.size is None else f"{self.name}[{self.size}]"


@dataclass(frozen=True, slots=True)
class TensorType:
    """A tensor type; ``dimensions`` are sorted by name, no name twice.

    Raises:
        TensorTypeError: for an unknown cell type or a dimension name given twice.
    """

    cell_type: str = "double"
    dimensions: tuple[Dimension, ...] = ()

    def __post_init__(self) -> None:
        if self.cell_type not in CELL_TYPES:
            raise TensorTypeError(
                f"expected a cell type among {', '.join(CELL_TYPES)}, got '{self.cell_type}'"
            )
        names = [d.name for d in self.dimensions]
        if len(set(names)) != len(names):
            raise TensorTypeError(f"a dimension appears twice in ({', '.join(names)})")
        ordered = tuple(sorted(self.dimensions, key=lambda d: d.name))
        object.__setattr__(self, "dimensions", ordered)

    @property
    def dimension_names(self) -> tuple[str, ...]:
        """Every dimension's name, sorted."""
        return tuple(d.name for d in self.dimensions)

    @property
    def mapped_names(self) -> tuple[str, ...]:
        """The mapped dimensions' names, sorted."""
        return tuple(d.name for d in self.dimensions if d.mapped)

    @property
    def mapped(self) -> tuple[Dimension, ...]:
        """The mapped dimensions, sorted."""
        return tuple(d for d in self.dimensions if d.mapped)

    @property
    def indexed(self) -> tuple[Dimension, ...]:
        """The indexed dimensions, sorted (the last one varies fastest)."""
        return tuple(d for d in self.dimensions if not d.mapped)

    @property
    def is_dense(self) -> bool:
        """True when every dimension is indexed (or there are none)."""
        return not self.mapped_names

    @property
    def dense_shape(self) -> tuple[int, ...]:
        """The sizes of the indexed dimensions, in order."""
        return tuple(d.size for d in self.dimensions if d.size is not None)

    @property
    def dense_size(self) -> int:
        """Number of cells in one dense subspace (the product of the indexed sizes)."""
        size = 1
        for length in self.dense_shape:
            size *= length
        return size

    def dimension(self, name: str) -> Dimension | None:
        """The dimension called ``name``, or None."""
        return next((d for d in self.dimensions if d.name == name), None)

    def __str__(self) -> str:
        cells = "" if self.cell_type == "double" else f"<{self.cell_type}>"
        return f"tensor{cells}({','.join(str(d) for d in self.dimensions)})"


@lru_cache(maxsize=512)
def parse_tensor_type(text: str) -> TensorType:
    """Parse a whole tensor type text, e.g. ``tensor<float>(x[3],cat{})``.

    Raises:
        TensorTypeError: for text that is not a tensor type, an unknown cell type, an
            unbound or non-positive indexed size, or a dimension name given twice.
    """
    tensor_type, _, end = read_tensor_type(text, 0)
    end = _skip_space(text, end)
    if end != len(text):
        raise TensorTypeError(f"expected the end of the tensor type, found {text[end:]!r}", end)
    return tensor_type


def read_tensor_type(text: str, start: int) -> tuple[TensorType, tuple[str, ...], int]:
    """Read ``tensor<cell>(dims)`` in ``text`` from offset ``start``.

    Returns the type, the dimension names in the order written and the offset just
    past the closing parenthesis.
    """
    i = _expect(text, _skip_space(text, start), "tensor")
    cell_type = "double"
    i = _skip_space(text, i)
    if text.startswith("<", i):
        i = _skip_space(text, i + 1)
        match = _NAME.match(text, i)
        if match is None or match.group() not in CELL_TYPES:
            found = match.group() if match else text[i : i + 1]
            raise TensorTypeError(
                f"expected a cell type among {', '.join(CELL_TYPES)}, found '{found}'", i
            )
        cell_type = match.group()
        i = _expect(text, _skip_space(text, match.end()), ">")
    open_at = _skip_space(text, i)
    i = _expect(text, open_at, "(")
    dimensions: list[Dimension] = []
    i = _skip_space(text, i)
    while not text.startswith(")", i):
        if i == len(text):
            raise TensorTypeError("expected ')', found the end of the text", i)
        if dimensions:
            i = _skip_space(text, _expect(text, i, ","))
        dimension, i = read_dimension(text, i)
        dimensions.append(dimension)
        i = _skip_space(text, i)
    try:
        tensor_type = TensorType(cell_type, tuple(dimensions))
    except TensorTypeError as e:
        raise TensorTypeError(e.message, open_at) from e
    return tensor_type, tuple(d.name for d in dimensions), i + 1


def read_dimension(text: str, start: int) -> tuple[Dimension, int]:
    """Read ``name{}`` or ``name[size]`` from offset ``start``; return it and the offset past it."""
    i = _skip_space(text, start)
    match = _NAME.match(text, i)
    if match is None:
        raise TensorTypeError(f"expected a dimension name, found {_found(text, i)}", i)
    name = match.group()
    i = _skip_space(text, match.end())
    if text.startswith("{", i):
        return Dimension(name), _expect(text, _skip_space(text, i + 1), "}")
    i = _skip_space(text, _expect(text, i, "["))
    size = _SIZE.match(text, i)
    digits = size.group() if size else ""
    if not digits.isdigit() or int(digits) < 1:
        raise TensorTypeError(
            f"expected a positive integer size for dimension '{name}', found {_found(text, i)}", i
        )
    return Dimension(name, int(digits)), _expect(text, _skip_space(text, i + len(digits)), "]")


def _skip_space(text: str, i: int) -> int:
    match = _SPACE.match(text, i)
    return match.end() if match else i


def _expect(text: str, i: int, word: str) -> int:
    if not text.startswith(word, i):
        raise TensorTypeError(f"expected '{word}', found {_found(text, i)}", i)
    return i + len(word)


def _found(text: str, i: int) -> str:
    if i >= len(text):
        return "the end of the text"
    match = _WORD.match(text, i)
    return repr(match.group() if match else text[i])
