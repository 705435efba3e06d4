"""Field path updates: ``"contact{home}.street": {"assign": "Main St"}`` and the like.

Vespa treats an update key holding ``.``, ``{`` or ``[`` as a *field path*: the field
name, then steps into its value — ``{key}`` into a map or weighted set, ``[i]`` into
an array, ``.name`` into a struct. A path takes ``assign`` (``null`` removes the
target), ``add`` (items appended to the array at the target), ``remove`` (removes the
target) and the arithmetic operations.

Canonical form: ``{"fieldpath": {"steps": [["key", "home"], ["field", "street"]],
"assign": "Main St"}}`` — keys canonical (see ``element_key``), indexes ints. Applying
walks the steps; ``assign`` and ``add`` create missing map entries and struct values
on the way, everything else does nothing when the target is not there (an index past
the end included), as Vespa's field path updates do.

>>> parse_field_path("contact{home}.street")
('contact', [('key', 'home'), ('field', 'street')])
>>> parse_field_path("scores[2]")
('scores', [('index', 2)])
"""

from __future__ import annotations

import copy
import re
from typing import Any

from vespid.config import SchemaConfig
from vespid.document.arithmetic import ARITHMETIC, NUMERIC_KINDS, arithmetic, operand
from vespid.document.field_type import FieldType
from vespid.document.values import canonical_value, element_key, field_type_of
from vespid.errors import InvalidDocumentError

Step = tuple[str, Any]
"""``("key", str)``, ``("index", int)`` or ``("field", str)``."""

PATH_OPERATIONS = ("assign", "add", "remove", *ARITHMETIC)
_NAME = re.compile(r"[^.{}\[\]]+")
_STEP = re.compile(r"\{(?P<key>[^}]*)\}|\[(?P<index>\d+)\]|\.(?P<field>[^.{}\[\]]+)")


def _error(where: str, message: str) -> InvalidDocumentError:
    return InvalidDocumentError(f"Field '{where}': {message}")


def parse_field_path(text: str) -> tuple[str, list[Step]]:
    """Split a field path into the field name and its steps.

    Raises:
        InvalidDocumentError: when ``text`` is not a field path.
    """
    name = _NAME.match(text)
    if name is None:
        raise InvalidDocumentError(f"'{text}' is not a field name or field path")
    steps: list[Step] = []
    pos = name.end()
    while pos < len(text):
        match = _STEP.match(text, pos)
        if match is None:
            raise InvalidDocumentError(f"'{text}' is not a field path (at '{text[pos:]}')")
        if match.group("key") is not None:
            steps.append(("key", match.group("key")))
        elif match.group("index") is not None:
            steps.append(("index", int(match.group("index"))))
        else:
            steps.append(("field", match.group("field")))
        pos = match.end()
    return name.group(), steps


def _step_type(
    schema: SchemaConfig, ftype: FieldType | None, step: Step, where: str
) -> tuple[Step, FieldType | None]:
    """The canonical step and the type it leads to (None: an undescribed struct's value)."""
    kind, value = step
    if ftype is None:
        return (kind, value), None
    if kind == "key" and ftype.kind == "map" and ftype.key is not None:
        return ("key", element_key(schema, ftype.key, value, where)), ftype.item
    if kind == "key" and ftype.kind == "weightedset" and ftype.item is not None:
        return ("key", element_key(schema, ftype.item, value, where)), FieldType("int")
    if kind == "index" and ftype.kind == "array":
        return ("index", int(value)), ftype.item
    if kind == "field" and ftype.kind == "struct":
        struct = schema.struct(ftype.name)
        if struct is None:
            return ("field", value), None
        field = struct.field(value)
        if field is None:
            raise _error(where, f"struct {ftype.name} has no field '{value}'")
        return ("field", value), field_type_of(field)
    raise _error(where, f"cannot step into {ftype} with {_show([step])}")


def _show(steps: list[Step]) -> str:
    parts = []
    for kind, value in steps:
        parts.append({"key": f"{{{value}}}", "index": f"[{value}]"}.get(kind, f".{value}"))
    return "".join(parts)


def path_operation(
    schema: SchemaConfig, ftype: FieldType, steps: list[Any], op: str, arg: Any, where: str
) -> dict[str, Any]:
    """The canonical ``fieldpath`` operation for ``op`` at ``steps`` into a ``ftype`` field.

    Raises:
        InvalidDocumentError: for an impossible step or an operation that does not fit
            the target's type.
    """
    canonical_steps: list[Step] = []
    target: FieldType | None = ftype
    for step in steps:
        kind, value = step
        where_step = f"{where}{_show([*canonical_steps, (kind, value)])}"
        canonical, target = _step_type(schema, target, (kind, value), where_step)
        canonical_steps.append(canonical)
    path = f"{where}{_show(canonical_steps)}"
    spec: dict[str, Any] = {"steps": [list(s) for s in canonical_steps]}
    spec[op] = _argument(schema, target, op, arg, path)
    return {"fieldpath": spec}


def _argument(schema: SchemaConfig, target: FieldType | None, op: str, arg: Any, path: str) -> Any:
    if op == "assign":
        if arg is None or target is None:
            return copy.deepcopy(arg)
        return canonical_value(schema, target, arg, path)
    if op == "remove":
        return 0
    if op == "add":
        if target is not None and target.kind != "array":
            raise _error(path, f"'add' at a field path needs an array, not {target}")
        if not isinstance(arg, list):
            raise _error(path, f"'add' needs a list of items, got {arg!r}")
        if target is None or target.item is None:
            return copy.deepcopy(arg)
        return [canonical_value(schema, target.item, v, f"{path}[]") for v in arg]
    if op in ARITHMETIC:
        if target is not None and target.kind not in NUMERIC_KINDS:
            raise _error(path, f"'{op}' needs a numeric target, not {target}")
        return operand(op, arg, path)
    raise _error(
        path, f"field path update '{op}' is not supported, expected {', '.join(PATH_OPERATIONS)}"
    )


def apply_path_operation(
    schema: SchemaConfig, document: dict[str, Any], name: str, ftype: FieldType, spec: Any
) -> None:
    """Apply a canonical ``fieldpath`` operation to ``document`` in place."""
    op = next(k for k in spec if k != "steps")
    steps = [tuple(s) for s in spec["steps"]]
    create = op in ("assign", "add") and spec[op] is not None
    slot = _walk(document, name, steps, create)
    if slot is None:
        return
    parent, key = slot
    present = key in parent if isinstance(parent, dict) else key < len(parent)
    if op == "remove" or (op == "assign" and spec[op] is None):
        if present:
            del parent[key]
    elif op == "assign":
        parent[key] = copy.deepcopy(spec[op])
    elif op == "add":
        parent[key] = [*(parent[key] if present else []), *copy.deepcopy(spec[op])]
    elif present:
        kind = _target_kind(schema, ftype, steps)
        parent[key] = arithmetic(kind, parent[key], op, spec[op], f"{name}{_show(steps)}")


def _walk(document: dict[str, Any], name: str, steps: list[Any], create: bool) -> Any:
    """The (container, key) of the path's target, or None when it cannot be reached."""
    parent: Any = document
    key: Any = name
    for kind, value in steps:
        if isinstance(parent, dict) and key not in parent:
            if not create:
                return None
            parent[key] = [] if kind == "index" else {}
        current = parent[key]
        if kind == "index":
            if not isinstance(current, list) or value >= len(current):
                return None
        elif not isinstance(current, dict):
            return None
        parent, key = current, value
    return parent, key


def _target_kind(schema: SchemaConfig, ftype: FieldType, steps: list[Any]) -> str:
    target: FieldType | None = ftype
    for step in steps:
        _, target = _step_type(schema, target, step, "")
    return target.kind if target is not None else "double"
