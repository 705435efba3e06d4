"""Errors of the ranking-expression language: syntax, compilation and evaluation."""

from __future__ import annotations

from vespid import tensor_type
from vespid.errors import VespidError


class ExpressionError(VespidError):
    """Root of every error raised by `vespid.expression`."""

    code = "INVALID_RANK_EXPRESSION"
    http_status = 400


class ExpressionSyntaxError(ExpressionError):
    """Text that is not a ranking expression; ``position`` is the 0-based offset of the fault."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.reason = message
        self.position = position


class ExpressionCompileError(ExpressionError):
    """A well-formed expression that cannot be compiled (arity, recursion, unknown names)."""


class ExpressionEvaluationError(ExpressionError):
    """A value of the wrong kind or shape met an operation while evaluating."""


class TensorTypeError(ExpressionError, tensor_type.TensorTypeError):
    """A tensor type or tensor value that does not fit what an operation expects.

    It is also a :class:`vespid.tensor_type.TensorTypeError`, which malformed type
    texts and types raise, so one ``except`` catches both."""
