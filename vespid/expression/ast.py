"""The syntax tree of a ranking expression: frozen, value-equal nodes with a constructor-like repr.

``str(node)`` prints parseable text (see `vespid.expression.printer`), so
``parse_expression(str(node)) == node`` for every tree the parser produces. Parentheses
are not nodes: the printer adds them where precedence needs them.

>>> from vespid.expression.parser import parse_expression
>>> parse_expression("bm25(title) + 2 * attribute(year)")
Binary(op='+', left=Feature(name='bm25', args=(Feature(name='title', args=(), output=None),), \
output=None), right=Binary(op='*', left=Num(value=2.0), right=Feature(name='attribute', \
args=(Feature(name='year', args=(), output=None),), output=None)))
>>> str(parse_expression("(a+b)*c"))
'(a + b) * c'
"""

from __future__ import annotations

from dataclasses import dataclass

from vespid.expression.tensor_type import TensorType

BINARY_PRECEDENCE: dict[str, int] = {
    "||": 0,
    "&&": 1,
    "==": 2, "!=": 2, "~=": 2, "<": 2, "<=": 2, ">": 2, ">=": 2,
    "+": 3, "-": 3,
    "*": 4, "/": 4, "%": 4,
    "^": 5,
}  # fmt: skip
"""Vespa's binding strength of each binary operator; all bind left except ``^``."""

RIGHT_ASSOCIATIVE = frozenset({"^"})

REDUCE_AGGREGATORS = ("avg", "count", "max", "median", "min", "prod", "sum")


class Node:
    """Base of every expression node."""

    __slots__ = ()

    def __str__(self) -> str:
        from vespid.expression.printer import to_text

        return to_text(self)


@dataclass(frozen=True, slots=True, repr=True)
class Num(Node):
    """A number literal (``true``/``false`` parse as 1 and 0)."""

    value: float


@dataclass(frozen=True, slots=True)
class Str(Node):
    """A string literal, or a label in a tensor address."""

    value: str


@dataclass(frozen=True, slots=True)
class Neg(Node):
    """Unary minus."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Not(Node):
    """Logical not: 1 where the operand is 0, else 0."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """A binary operator from `BINARY_PRECEDENCE`."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    """Set membership ``operand in [items]``; it takes the whole operator chain before it."""

    operand: Node
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class If(Node):
    """``if(condition, then, otherwise[, probability])``."""

    condition: Node
    then: Node
    otherwise: Node
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class Feature(Node):
    """A reference by name: a rank feature (``bm25(title)``, ``fieldMatch(f).completeness``),
    a user function call, a function argument, a lambda variable or a dimension name."""

    name: str
    args: tuple[Node, ...] = ()
    output: str | None = None


@dataclass(frozen=True, slots=True)
class NamedArg(Node):
    """A named rank-feature argument, ``label: someLabel`` in ``bm25(field: title,
    label: someLabel)``; it appears only among a `Feature`'s arguments."""

    name: str
    value: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A built-in math function (``exp``, ``pow``, ``max``, ...) applied to its arguments."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Lambda(Node):
    """``f(x, y)(body)``: a function of cell values used by map, join and friends."""

    params: tuple[str, ...]
    body: Node


@dataclass(frozen=True, slots=True)
class LambdaCall(Node):
    """A tensor function taking a lambda last: map, join, merge, map_subspaces,
    filter_subspaces."""

    name: str
    args: tuple[Node, ...]
    function: Lambda


@dataclass(frozen=True, slots=True)
class Reduce(Node):
    """``reduce(operand, aggregator, dims...)``; no dimensions means all of them."""

    operand: Node
    aggregator: str
    dimensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TensorCall(Node):
    """Any other tensor function: expression arguments then name arguments (dimensions,
    cell types), e.g. ``l2_normalize(t, x)``, ``matmul(a, b, d)``, ``cell_cast(t, float)``."""

    name: str
    args: tuple[Node, ...]
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rename(Node):
    """``rename(operand, (a, b), (c, d))``: dimension ``from_[i]`` becomes ``to[i]``."""

    operand: Node
    from_: tuple[str, ...]
    to: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TensorLiteral(Node):
    """A tensor literal: each cell is (labels in ``type``'s dimension order, value expression)."""

    type: TensorType
    cells: tuple[tuple[tuple[str, ...], Node], ...]


@dataclass(frozen=True, slots=True)
class TensorGenerate(Node):
    """``tensor(x[3])(body)``: each cell is ``body`` with the dimension names bound to indexes."""

    type: TensorType
    body: Node


@dataclass(frozen=True, slots=True)
class Slice(Node):
    """Cell or subspace access ``t{x:1, y:(i+1)}``, ``t{label}`` or ``t[expr]``.

    Each entry is (dimension or None, label as `Str` or an expression); a None dimension
    means the tensor's only mapped (Str) or indexed (expression) dimension."""

    operand: Node
    address: tuple[tuple[str | None, Node], ...]
