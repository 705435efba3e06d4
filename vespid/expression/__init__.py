"""The ranking-expression language: parse, print, compile and evaluate Vespa expressions."""

from __future__ import annotations

from vespid.expression.errors import (
    ExpressionCompileError,
    ExpressionError,
    ExpressionEvaluationError,
    ExpressionSyntaxError,
    TensorTypeError,
)
from vespid.expression.parser import parse_expression
from vespid.expression.printer import to_text
from vespid.expression.tensor_type import Dimension, TensorType, parse_tensor_type

__all__ = [
    "Dimension",
    "ExpressionCompileError",
    "ExpressionError",
    "ExpressionEvaluationError",
    "ExpressionSyntaxError",
    "TensorType",
    "TensorTypeError",
    "parse_expression",
    "parse_tensor_type",
    "to_text",
]
