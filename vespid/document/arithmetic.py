"""Arithmetic update operations: ``increment``, ``decrement``, ``multiply``, ``divide``.

Vespa computes arithmetic updates in floating point and converts the result back to
the field's type, so an int field truncates toward zero (``7 / 2`` gives 3, ``-7 / 2``
gives -3) and a result outside the type's range is an error rather than a wrap.

>>> arithmetic("int", 7, "divide", 2, "n")
3
>>> arithmetic("double", 1, "multiply", 2.5, "x")
2.5
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

from vespid.document.values import float32
from vespid.errors import InvalidDocumentError

ARITHMETIC = ("increment", "decrement", "multiply", "divide")
"""The arithmetic operation names of Vespa's update JSON."""
NUMERIC_KINDS = ("int", "long", "byte", "float", "double")
"""Field kinds arithmetic applies to."""
_INT_BITS = {"byte": 8, "int": 32, "long": 64}


def operand(op: str, arg: Any, where: str) -> int | float:
    """The number an arithmetic operation ``op`` takes (numbers as strings accepted).

    Raises:
        InvalidDocumentError: when ``arg`` is not a number, or is 0 for ``divide``.
    """
    value: Any = arg
    if isinstance(arg, str):
        try:
            value = int(arg)
        except ValueError:
            with contextlib.suppress(ValueError):
                value = float(arg)
    if not _finite_number(value):
        raise InvalidDocumentError(f"Field '{where}': '{op}' needs a finite number, got {arg!r}")
    if op == "divide" and value == 0:
        raise InvalidDocumentError(f"Field '{where}': division by zero")
    number: int | float = value
    return number


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond any double, which Vespa computes in
        return False


def arithmetic(kind: str, old: Any, op: str, value: float, where: str) -> Any:
    """``old <op> value`` as Vespa computes it for a field of ``kind``.

    Raises:
        InvalidDocumentError: when an integer result is out of the field's range, or a
            floating-point one is not finite.
    """
    if op == "increment":
        result = old + value
    elif op == "decrement":
        result = old - value
    elif op == "multiply":
        result = old * value
    else:
        result = old / value
    if isinstance(result, float) and not math.isfinite(result):
        raise InvalidDocumentError(f"Field '{where}': {op} gives {result}, out of range")
    if kind == "float":
        single = float32(result)
        if single is None:
            raise InvalidDocumentError(f"Field '{where}': {op} gives {result}, out of range")
        return single
    if kind not in _INT_BITS:
        return float(result)
    truncated = int(result)
    bits = _INT_BITS[kind]
    if not -(1 << (bits - 1)) <= truncated < 1 << (bits - 1):
        raise InvalidDocumentError(
            f"Field '{where}': {op} gives {truncated}, out of range for {kind}"
        )
    return truncated
