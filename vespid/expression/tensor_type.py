"""Tensor types: `tensor<float>(x[3],cat{})`, with Vespa's cell types and dimension order.

A dimension is *indexed* (`x[3]`, labels 0..size-1) or *mapped* (`cat{}`, any string
labels). Dimensions are kept sorted by name, as Vespa does, so two ways of writing the
same type compare equal; the order written matters only to dense literals, which
the parser lays out itself.

>>> t = parse_tensor_type("tensor<float>(y{},x[3])")
>>> str(t), t.dimension_names, t.mapped_names
('tensor<float>(x[3],y{})', ('x', 'y'), ('y',))
"""

from __future__ import annotations

from dataclasses import dataclass

from vespid.expression.errors import ExpressionSyntaxError, TensorTypeError
from vespid.expression.lexer import Cursor, Kind, tokenize

CELL_TYPES = ("double", "float", "bfloat16", "int8")
"""Vespa's cell types, from the widest to the narrowest."""


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
    """A tensor type; ``dimensions`` are sorted by name, no name twice."""

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
    def indexed(self) -> tuple[Dimension, ...]:
        """The indexed dimensions, sorted."""
        return tuple(d for d in self.dimensions if not d.mapped)

    @property
    def dense_shape(self) -> tuple[int, ...]:
        """The sizes of the indexed dimensions, in order."""
        return tuple(d.size for d in self.dimensions if d.size is not None)

    def dimension(self, name: str) -> Dimension | None:
        """The dimension called ``name``, or None."""
        return next((d for d in self.dimensions if d.name == name), None)

    def __str__(self) -> str:
        cells = "" if self.cell_type == "double" else f"<{self.cell_type}>"
        return f"tensor{cells}({','.join(str(d) for d in self.dimensions)})"


def parse_tensor_type(text: str) -> TensorType:
    """Parse a tensor type's text, e.g. ``tensor<float>(x[3],cat{})``."""
    cursor = Cursor(tokenize(text))
    written = read_tensor_type(cursor)
    if cursor.token.kind is not Kind.END:
        raise cursor.error("end of tensor type")
    return written[0]


def read_tensor_type(cursor: Cursor) -> tuple[TensorType, tuple[str, ...]]:
    """Read `tensor<cell>(dims)` at ``cursor``; return the type and the dimension names as
    written (dense literals are laid out in that order)."""
    cursor.expect("tensor", Kind.NAME)
    cell_type = "double"
    if cursor.accept("<"):
        token = cursor.expect_kind(Kind.NAME, "a cell type")
        if token.text not in CELL_TYPES:
            raise ExpressionSyntaxError(
                f"expected a cell type among {', '.join(CELL_TYPES)}, found '{token.text}'",
                token.position,
            )
        cell_type = token.text
        cursor.expect(">")
    start = cursor.expect("(")
    dimensions: list[Dimension] = []
    while not cursor.at(")"):
        if dimensions:
            cursor.expect(",")
        dimensions.append(read_dimension(cursor))
    cursor.expect(")")
    try:
        tensor_type = TensorType(cell_type, tuple(dimensions))
    except TensorTypeError as e:
        raise ExpressionSyntaxError(e.message, start.position) from e
    return tensor_type, tuple(d.name for d in dimensions)


def read_dimension(cursor: Cursor) -> Dimension:
    """Read ``name{}`` or ``name[size]`` at ``cursor``."""
    name = cursor.expect_kind(Kind.NAME, "a dimension name").text
    if cursor.accept("{"):
        cursor.expect("}")
        return Dimension(name)
    cursor.expect("[")
    size = cursor.expect_kind(Kind.NUMBER, "the size of an indexed dimension")
    if not size.text.isdigit() or int(size.text) < 1:
        raise ExpressionSyntaxError(
            f"expected a positive integer size, found '{size.text}'", size.position
        )
    cursor.expect("]")
    return Dimension(name, int(size.text))
