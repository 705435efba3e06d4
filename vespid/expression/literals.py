"""Tensor literals in expression text: dense ``[..]``, verbose ``{{x:a}:1}``, short
``{a:1}``, nested ``{a:{b:1}}`` and mixed ``{a:[1,2]}`` forms.

The parser hands over the tensor type and the order its dimensions were written in;
every form becomes a `TensorLiteral` whose cells are (labels in the type's sorted
dimension order, value expression). Dense blocks are laid out in the written order of
the indexed dimensions, as Vespa does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from vespid.expression.ast import Node, TensorLiteral
from vespid.expression.errors import ExpressionSyntaxError
from vespid.expression.lexer import Cursor, Kind
from vespid.expression.tensor_type import Dimension, TensorType

ReadExpression = Callable[[], Node]
Cell = tuple[tuple[str, ...], Node]


def is_label_start(cursor: Cursor) -> bool:
    """Whether a tensor label (name, string, optionally negative number) starts here."""
    if cursor.token.kind in (Kind.NAME, Kind.STRING, Kind.NUMBER):
        return True
    return cursor.at("-") and cursor.peek().kind is Kind.NUMBER


def label_length(cursor: Cursor) -> int:
    """How many tokens the label starting here takes."""
    return 2 if cursor.at("-") else 1


def read_label(cursor: Cursor) -> str:
    """Read a tensor label: a name, a string, or an optionally negative number."""
    if not is_label_start(cursor):
        raise cursor.error("a label")
    if cursor.accept("-"):
        return "-" + cursor.advance().text
    return cursor.advance().text


def read_tensor_literal(
    cursor: Cursor, tensor_type: TensorType, written: tuple[str, ...], expression: ReadExpression
) -> TensorLiteral:
    """Read the literal after ``tensor(...):``."""
    start = cursor.token.position
    reader = _LiteralReader(cursor, tensor_type, written, expression)
    if cursor.at("["):
        if tensor_type.mapped_names:
            raise cursor.error(f"'{{' for {tensor_type}, which has mapped dimensions")
        cells = reader.dense({})
    else:
        cursor.expect("{")
        if cursor.accept("}"):
            cells = []
        elif not tensor_type.dimensions and not cursor.at("{"):
            cells = [((), expression())]
            cursor.expect("}")
        elif cursor.at("{"):
            cells = reader.verbose()
        else:
            cells = reader.short(0, {})
    reader.check_unique(cells, start)
    return TensorLiteral(tensor_type, tuple(cells))


def read_untyped_literal(cursor: Cursor, expression: ReadExpression) -> TensorLiteral:
    """Read ``{{x:a}:1, ...}`` without a type: every dimension is taken as mapped."""
    start = cursor.token.position
    cursor.expect("{")
    if not cursor.at("{") and not cursor.at("}"):
        value = expression()
        cursor.expect("}")
        return TensorLiteral(TensorType(), (((), value),))
    raw: list[tuple[dict[str, str], Node]] = []
    while not cursor.accept("}"):
        if raw:
            cursor.expect(",")
            if cursor.accept("}"):
                break
        if not cursor.at("{"):
            raise cursor.error("'{' starting a cell address in a tensor without a type")
        raw.append(_address_and_value(cursor, expression))
    names = sorted(raw[0][0]) if raw else []
    for address, _ in raw:
        if sorted(address) != names:
            raise ExpressionSyntaxError(
                f"expected every cell address to have dimensions ({', '.join(names)}), "
                f"found ({', '.join(sorted(address))})",
                start,
            )
    tensor_type = TensorType("double", tuple(Dimension(n) for n in names))
    cells = [(tuple(a[n] for n in names), v) for a, v in raw]
    return TensorLiteral(tensor_type, tuple(cells))


def _address_and_value(cursor: Cursor, expression: ReadExpression) -> tuple[dict[str, str], Node]:
    cursor.expect("{")
    address: dict[str, str] = {}
    while not cursor.accept("}"):
        if address:
            cursor.expect(",")
        name = cursor.expect_kind(Kind.NAME, "a dimension name").text
        cursor.expect(":")
        address[name] = read_label(cursor)
    cursor.expect(":")
    return address, expression()


class _LiteralReader:
    def __init__(
        self,
        cursor: Cursor,
        tensor_type: TensorType,
        written: tuple[str, ...],
        expression: ReadExpression,
    ) -> None:
        self.cursor = cursor
        self.type = tensor_type
        self.expression = expression
        self.mapped_written = [n for n in written if n in tensor_type.mapped_names]
        self.indexed_written = [n for n in written if n not in tensor_type.mapped_names]

    def verbose(self) -> list[Cell]:
        cells: list[Cell] = []
        while True:
            position = self.cursor.token.position
            address, value = _address_and_value(self.cursor, self.expression)
            cells.append((self._labels(address, position), value))
            if self.cursor.accept("}"):
                return cells
            self.cursor.expect(",")
            if self.cursor.accept("}"):
                return cells

    def short(self, level: int, prefix: dict[str, str]) -> list[Cell]:
        """Read `label: content, ...}` for mapped dimension number ``level`` (written order)."""
        if not self.mapped_written:
            raise self.cursor.error(f"'[' or '{{{{' for {self.type}, which has no mapped dimension")
        cells: list[Cell] = []
        name = self.mapped_written[level]
        while True:
            address = {**prefix, name: read_label(self.cursor)}
            self.cursor.expect(":")
            cells.extend(self._content(level, address))
            if self.cursor.accept("}"):
                return cells
            self.cursor.expect(",")

    def _content(self, level: int, address: dict[str, str]) -> list[Cell]:
        if level + 1 < len(self.mapped_written):
            self.cursor.expect("{")
            return self.short(level + 1, address)
        if self.indexed_written:
            return self.dense(address)
        position = self.cursor.token.position
        return [(self._labels(address, position), self.expression())]

    def dense(self, prefix: dict[str, str]) -> list[Cell]:
        """Read a (nested or flat) ``[...]`` block of the indexed dimensions."""
        position = self.cursor.token.position
        values = self._flat_list()
        sizes = [self._size(n) for n in self.indexed_written]
        expected = 1
        for s in sizes:
            expected *= s
        if len(values) != expected:
            raise ExpressionSyntaxError(
                f"expected {expected} values for {self.type}, found {len(values)}", position
            )
        cells: list[Cell] = []
        for index, value in zip(itertools.product(*(range(s) for s in sizes)), values, strict=True):
            address = {
                **prefix,
                **{n: str(i) for n, i in zip(self.indexed_written, index, strict=True)},
            }
            cells.append((self._labels(address, position), value))
        return sorted(cells, key=lambda c: _sort_key(self.type, c[0]))

    def _size(self, name: str) -> int:
        dimension = self.type.dimension(name)
        assert dimension is not None
        assert dimension.size is not None
        return dimension.size

    def _flat_list(self) -> list[Node]:
        self.cursor.expect("[")
        values: list[Node] = []
        first = True
        while not self.cursor.accept("]"):
            if not first:
                self.cursor.expect(",")
            first = False
            if self.cursor.at("["):
                values.extend(self._flat_list())
            else:
                values.append(self.expression())
        return values

    def _labels(self, address: dict[str, str], position: int) -> tuple[str, ...]:
        names = self.type.dimension_names
        if sorted(address) != list(names):
            raise ExpressionSyntaxError(
                f"expected a cell address with dimensions ({', '.join(names)}), "
                f"found ({', '.join(sorted(address))})",
                position,
            )
        for d in self.type.indexed:
            label = address[d.name]
            if not label.isdigit() or int(label) >= (d.size or 0):
                raise ExpressionSyntaxError(
                    f"expected an index in 0..{(d.size or 0) - 1} for dimension {d.name}, "
                    f"found '{label}'",
                    position,
                )
            address[d.name] = str(int(label))
        return tuple(address[n] for n in names)

    def check_unique(self, cells: list[Cell], position: int) -> None:
        seen: set[tuple[str, ...]] = set()
        for labels, _ in cells:
            if labels in seen:
                raise ExpressionSyntaxError(
                    f"expected each cell once in a {self.type} literal, found {labels} twice",
                    position,
                )
            seen.add(labels)


def _sort_key(tensor_type: TensorType, labels: tuple[str, ...]) -> tuple[int | str, ...]:
    return tuple(
        int(label) if not d.mapped else label
        for d, label in zip(tensor_type.dimensions, labels, strict=True)
    )
