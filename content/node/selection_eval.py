"""Evaluating a document selection against one document, with Vespa's three values.

A selection is true, false or *invalid*: comparing a missing field (null) with ``<``,
mixing types in an ordering, or naming a field of another document type gives
invalid. ``and`` is invalid when no operand is false and one is invalid, ``or`` when
none is true and one is invalid, ``not`` keeps invalid; a document matches only when
the whole selection is true. A multi-value field (array, weighted set, map) compares
true when any element (or key) does.
"""

from __future__ import annotations

import hashlib
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Final

from content.node.selection import (
    And,
    Arithmetic,
    Call,
    Compare,
    Const,
    DocType,
    Field,
    IdPart,
    Node,
    Not,
    Now,
    Or,
)
from vespid.document import DocumentId


class Invalid(Enum):
    """The third truth value, and the value of an expression that cannot be computed."""

    INVALID = "invalid"


INVALID: Final = Invalid.INVALID
Truth = bool | Invalid
_PATH_STEP = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\{([^}]*)\}|\[([0-9]+)\]")


@dataclass(frozen=True, slots=True)
class Subject:
    """The document a selection is evaluated against (``fields`` canonical values)."""

    id: DocumentId
    fields: dict[str, Any]
    now: float


def matches(selection: Node, subject: Subject) -> bool:
    """Whether ``subject`` is selected (the selection is true, not false or invalid)."""
    return truth(selection, subject) is True


def truth(node: Node, subject: Subject) -> Truth:
    """The three-valued truth of a condition node."""
    if isinstance(node, And):
        return _and(truth(node.left, subject), truth(node.right, subject))
    if isinstance(node, Or):
        return _not(_and(_not(truth(node.left, subject)), _not(truth(node.right, subject))))
    if isinstance(node, Not):
        return _not(truth(node.operand, subject))
    if isinstance(node, DocType):
        return subject.id.doctype == node.name
    if isinstance(node, Field):
        present = value(node, subject)
        return INVALID if present is INVALID else present is not None
    if isinstance(node, Compare):
        return _compare(node.op, value(node.left, subject), value(node.right, subject))
    if isinstance(node, Const) and isinstance(node.value, bool):
        return node.value
    return INVALID


def value(node: Node, subject: Subject) -> Any:
    """The value of an expression node; None for null, INVALID when undefined."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Field):
        if node.doctype != subject.id.doctype:
            return INVALID
        return _resolve(subject.fields, node.path)
    if isinstance(node, IdPart):
        return _id_part(subject.id, node.part)
    if isinstance(node, Now):
        return int(subject.now)
    if isinstance(node, Call):
        return _call(node.function, value(node.value, subject))
    if isinstance(node, Arithmetic):
        return _arithmetic(node.op, value(node.left, subject), value(node.right, subject))
    return INVALID


def _and(left: Truth, right: Truth) -> Truth:
    if left is False or right is False:
        return False
    if left is INVALID or right is INVALID:
        return INVALID
    return True


def _not(operand: Truth) -> Truth:
    return operand if operand is INVALID else not operand


def _resolve(fields: dict[str, Any], path: str) -> Any:
    current: Any = fields
    for name, key, index in _PATH_STEP.findall(path):
        if name:
            current = current.get(name) if isinstance(current, dict) else None
        elif key:
            current = current.get(key) if isinstance(current, dict) else None
        else:
            position = int(index)
            is_list = isinstance(current, list)
            current = current[position] if is_list and position < len(current) else None
        if current is None:
            return None
    return current


def _id_part(doc_id: DocumentId, part: str | None) -> Any:
    parts: dict[str | None, Any] = {
        None: str(doc_id),
        "scheme": "id",
        "namespace": doc_id.namespace,
        "type": doc_id.doctype,
        "specific": doc_id.user_specific,
        "user": doc_id.number,
        "group": doc_id.group,
    }
    return parts[part]


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _call(function: str, x: Any) -> Any:
    if x is INVALID or x is None:
        return INVALID
    if function == "lowercase":
        return x.lower() if isinstance(x, str) else INVALID
    if function == "abs":
        return abs(x) if _is_number(x) else INVALID
    digest = hashlib.md5(str(x).encode()).digest()
    return int.from_bytes(digest[:8], "little", signed=True)


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a // b if isinstance(a, int) and isinstance(b, int) else a / b,
    "%": lambda a, b: math.fmod(a, b) if isinstance(a, float) or isinstance(b, float) else a % b,
}


def _arithmetic(op: str, a: Any, b: Any) -> Any:
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if not (_is_number(a) and _is_number(b)) or (op in "/%" and b == 0):
        return INVALID
    return _ARITHMETIC[op](a, b)


def _compare(op: str, left: Any, right: Any) -> Truth:
    if left is INVALID or right is INVALID:
        return Invalid.INVALID
    if isinstance(left, list):
        return _any(op, left, right)
    if isinstance(left, dict):
        return _any(op, list(left), right)
    return _compare_one(op, left, right)


def _any(op: str, items: list[Any], right: Any) -> Truth:
    results = [_compare_one(op, item, right) for item in items]
    if True in results:
        return True
    return INVALID if INVALID in results else False


_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _compare_one(op: str, left: Any, right: Any) -> Truth:
    if op in ("==", "!="):
        return _equal(left, right) == (op == "==")
    if left is None or right is None:
        return INVALID
    both_strings = isinstance(left, str) and isinstance(right, str)
    if op == "=~":
        pattern = _regex(right) if both_strings else None
        return INVALID if pattern is None else pattern.search(left) is not None
    if op == "=":
        return _glob(right).fullmatch(left) is not None if both_strings else _equal(left, right)
    if not (both_strings or (_is_number(left) and _is_number(right))):
        return INVALID
    return bool(_ORDER[op](left, right))


def _equal(left: Any, right: Any) -> bool:
    if _is_number(left) and _is_number(right):
        return bool(left == right)
    return type(left) is type(right) and bool(left == right)


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str] | None:
    """The compiled pattern; None (the comparison is invalid) when it does not compile."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)
