"""Built-in scalar math functions and operators, vectorised with numpy.

Every function takes and returns float64 numpy arrays (or floats) and broadcasts, so
the evaluator applies them to one value, to a batch of candidates, or to tensor cells
alike. Semantics follow Vespa's C++ backend: C's libm for NaN and infinities,
comparisons give 1.0/0.0 and are false with NaN (except ``!=``), truth is "not zero"
(so NaN is true), ``%`` is C's fmod, ``ldexp`` and ``bit`` truncate their integer
arguments toward zero, ``bit`` and ``hamming`` read int8 values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Array = Any
"""A float, or a float64 numpy array: what the scalar functions compute on."""

Unary = Callable[[Array], Array]
BinaryFn = Callable[[Array, Array], Array]

_ERF = np.vectorize(math.erf, otypes=[np.float64])
_APPROX_EPSILON = float(np.finfo(np.float32).eps)


def _f(x: Array) -> Array:
    return np.asarray(x, dtype=np.float64)


def _bool(x: Array) -> Array:
    return np.asarray(x, dtype=bool).astype(np.float64)


def _sigmoid(x: Array) -> Array:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-_f(x)))


def _elu(x: Array) -> Array:
    x = _f(x)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(x < 0, np.expm1(np.minimum(x, 0.0)), x)


def _relu(x: Array) -> Array:
    x = _f(x)
    return np.where(x > 0, x, np.where(np.isnan(x), x, 0.0))


def _to_int(x: Array) -> Array:
    """Truncate toward zero to int64; NaN and infinities become 0 (never reached by tests
    of defined behaviour, but must not raise)."""
    x = _f(x)
    finite = np.where(np.isfinite(x), x, 0.0)
    return np.trunc(np.clip(finite, -(2.0**62), 2.0**62)).astype(np.int64)


def _int8(x: Array) -> Array:
    return _to_int(x).astype(np.int8).astype(np.int64) & 0xFF


def _ldexp(a: Array, b: Array) -> Array:
    exponent = np.clip(_to_int(b), -2000, 2000)
    with np.errstate(over="ignore"):
        return np.ldexp(_f(a), exponent.astype(np.int32))


def _bit(a: Array, b: Array) -> Array:
    index = _to_int(b)
    valid = (index >= 0) & (index < 8)
    bits = (_int8(a) >> np.clip(index, 0, 7)) & 1
    return np.where(valid, bits, 0).astype(np.float64)


def _popcount8(x: Array) -> Array:
    x = np.asarray(x, dtype=np.int64)
    count = np.zeros_like(x)
    for shift in range(8):
        count = count + ((x >> shift) & 1)
    return count


def _hamming(a: Array, b: Array) -> Array:
    return _popcount8(_int8(a) ^ _int8(b)).astype(np.float64)


def _approx(a: Array, b: Array) -> Array:
    a, b = _f(a), _f(b)
    with np.errstate(invalid="ignore"):
        tolerance = np.maximum(np.abs(a), np.abs(b)) * _APPROX_EPSILON
        return _bool((a == b) | (np.abs(a - b) <= tolerance))


def _pow(a: Array, b: Array) -> Array:
    with np.errstate(all="ignore"):
        return np.power(_f(a), _f(b))


def _quiet(fn: Callable[..., Array]) -> Callable[..., Array]:
    def wrapped(*args: Array) -> Array:
        with np.errstate(all="ignore"):
            return fn(*(_f(a) for a in args))

    return wrapped


UNARY_FUNCTIONS: dict[str, Unary] = {
    "cos": _quiet(np.cos),
    "sin": _quiet(np.sin),
    "tan": _quiet(np.tan),
    "cosh": _quiet(np.cosh),
    "sinh": _quiet(np.sinh),
    "tanh": _quiet(np.tanh),
    "acos": _quiet(np.arccos),
    "asin": _quiet(np.arcsin),
    "atan": _quiet(np.arctan),
    "exp": _quiet(np.exp),
    "log10": _quiet(np.log10),
    "log": _quiet(np.log),
    "sqrt": _quiet(np.sqrt),
    "ceil": _quiet(np.ceil),
    "fabs": _quiet(np.abs),
    "abs": _quiet(np.abs),
    "floor": _quiet(np.floor),
    "isNan": lambda x: _bool(np.isnan(_f(x))),
    "relu": _relu,
    "sigmoid": _sigmoid,
    "elu": _elu,
    "erf": lambda x: _ERF(_f(x)),
    "square": _quiet(np.square),
    "sign": _quiet(np.sign),
    "round": _quiet(lambda x: np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5))),
}
"""Unary math functions by name."""

BINARY_FUNCTIONS: dict[str, BinaryFn] = {
    "atan2": _quiet(np.arctan2),
    "ldexp": _ldexp,
    "pow": _pow,
    "fmod": _quiet(np.fmod),
    "min": _quiet(np.minimum),
    "max": _quiet(np.maximum),
    "bit": _bit,
    "hamming": _hamming,
}
"""Binary math functions by name."""

BINARY_OPERATORS: dict[str, BinaryFn] = {
    "+": _quiet(np.add),
    "-": _quiet(np.subtract),
    "*": _quiet(np.multiply),
    "/": _quiet(np.divide),
    "%": _quiet(np.fmod),
    "^": _pow,
    "==": _quiet(lambda a, b: _bool(a == b)),
    "!=": _quiet(lambda a, b: _bool(a != b)),
    "~=": _approx,
    "<": _quiet(lambda a, b: _bool(a < b)),
    "<=": _quiet(lambda a, b: _bool(a <= b)),
    ">": _quiet(lambda a, b: _bool(a > b)),
    ">=": _quiet(lambda a, b: _bool(a >= b)),
    "&&": lambda a, b: _bool(_truth(a) & _truth(b)),
    "||": lambda a, b: _bool(_truth(a) | _truth(b)),
}
"""Binary operators by symbol (see `vespid.expression.ast.BINARY_PRECEDENCE`)."""


def _truth(x: Array) -> Array:
    return _f(x) != 0.0


def negate(x: Array) -> Array:
    """Unary minus."""
    return -_f(x)


def logical_not(x: Array) -> Array:
    """``!x``: 1 where x is 0, else 0 (NaN is true, so !NaN is 0)."""
    return _bool(_f(x) == 0.0)


def truth(x: Array) -> Array:
    """Boolean mask of ``x`` as a condition: true where not 0 (NaN is true)."""
    return _truth(x)
