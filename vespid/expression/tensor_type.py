"""Tensor types in ranking expressions: `vespid.tensor_type` read at a token cursor.

The type language has one parser, :mod:`vespid.tensor_type`; this module lets the
expression parser hand it the text at the current token (a tensor literal's or
generator's type, the dimensions of ``range``/``diag``) and turns its errors into
:class:`ExpressionSyntaxError` at the offset of the fault in the whole expression.

>>> t = parse_tensor_type("tensor<float>(y{},x[3])")
>>> str(t), t.dimension_names, t.mapped_names
('tensor<float>(x[3],y{})', ('x', 'y'), ('y',))
"""

from __future__ import annotations

from vespid import tensor_type as types
from vespid.expression.errors import ExpressionSyntaxError
from vespid.expression.lexer import Cursor
from vespid.tensor_type import CELL_TYPES, Dimension, TensorType, parse_tensor_type

__all__ = [
    "CELL_TYPES",
    "Dimension",
    "TensorType",
    "parse_tensor_type",
    "read_dimension",
    "read_tensor_type",
]


def read_tensor_type(cursor: Cursor) -> tuple[TensorType, tuple[str, ...]]:
    """Read `tensor<cell>(dims)` at ``cursor``; return the type and the dimension names as
    written (dense literals are laid out in that order)."""
    try:
        tensor_type, written, end = types.read_tensor_type(cursor.text, cursor.token.position)
    except types.TensorTypeError as e:
        raise _syntax_error(e, cursor) from e
    cursor.skip_to(end)
    return tensor_type, written


def read_dimension(cursor: Cursor) -> Dimension:
    """Read ``name{}`` or ``name[size]`` at ``cursor``."""
    try:
        dimension, end = types.read_dimension(cursor.text, cursor.token.position)
    except types.TensorTypeError as e:
        raise _syntax_error(e, cursor) from e
    cursor.skip_to(end)
    return dimension


def _syntax_error(error: types.TensorTypeError, cursor: Cursor) -> ExpressionSyntaxError:
    position = cursor.token.position if error.position is None else error.position
    return ExpressionSyntaxError(error.message, position)
