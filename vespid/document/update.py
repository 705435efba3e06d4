"""Partial updates: Vespa's document/v1 update JSON checked, made canonical, and applied.

Input is the ``fields`` object of a ``PUT /document/v1/...`` body: per field an
object of operations (``{"price": {"increment": 10}}``), or per *field path*
(``"contact{home}"``, ``"tags[2]"``, ``"person.name"``, ``"people{x}.age"``; see
`vespid.document.fieldpath`).
Operations (Vespa's "Document JSON format", update operations):

=============  =====================================================================
``assign``     any field: the new value, or ``null`` to clear the field
``add``        array: list of items to append; weighted set: ``{item: weight}``;
               mapped or mixed tensor: cells or blocks to add or overwrite
``remove``     array: list of items (every equal item goes); weighted set: ``{item: 0}``
               or a list of items; map: a list of keys; tensor:
               ``{"addresses": [...]}`` (mapped dimensions only for mixed tensors)
``increment``  ``decrement``, ``multiply``, ``divide``: numeric fields
``match``      ``{"element": k, "increment": 1}``: one operation (``assign`` or an
               arithmetic one) on a weighted-set weight, map value or array item
``modify``     tensor: ``{"operation": "replace|add|multiply", "cells": [...]}``
               (or ``"blocks"``), ``"create": true`` to create missing cells
=============  =====================================================================

:func:`validate_update` returns the *canonical update*: per field a list of
single-operation objects, applied in order, with canonical arguments (element
paths become ``match``/``remove`` operations, deeper field paths ``fieldpath``
operations, tensor cells long-form cell lists). It is also accepted as input, so a
canonical update validates to itself; that is what content nodes apply with
:func:`apply_update`.

>>> from vespid.config import FieldConfig, SchemaConfig
>>> s = SchemaConfig("music", fields=(FieldConfig("n", "int"),
...                                   FieldConfig("tags", "weightedset<string>")))
>>> u = validate_update(s, {"n": {"increment": "2"}, "tags{rock}": {"assign": 5}})
>>> u
{'n': [{'increment': 2}], 'tags': [{'match': {'element': 'rock', 'assign': 5}}]}
>>> apply_update(s, {"n": 1}, u)
{'n': 3, 'tags': {'rock': 5}}
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from vespid.config import SchemaConfig
from vespid.document.arithmetic import ARITHMETIC, NUMERIC_KINDS, arithmetic, operand
from vespid.document.field_type import FieldType
from vespid.document.fieldpath import Step, apply_path_operation, parse_field_path, path_operation
from vespid.document.tensor_json import (
    canonical_tensor,
    cells_of,
    long_cells,
    read_addresses,
    read_tensor,
)
from vespid.document.values import (
    canonical_value,
    document_field,
    element_key,
    field_type_of,
)
from vespid.errors import InvalidDocumentError

OPERATIONS = ("assign", "add", "remove", *ARITHMETIC, "match", "modify", "fieldpath")
MODIFY_OPERATIONS = ("replace", "add", "multiply")


def _error(where: str, message: str) -> InvalidDocumentError:
    return InvalidDocumentError(f"Field '{where}': {message}")


def validate_update(schema: SchemaConfig, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check the field operations of an update; return the canonical update.

    Raises:
        InvalidDocumentError: naming the field of the first unknown field, unknown
            operation, or operation that does not fit the field's type.
    """
    result: dict[str, list[dict[str, Any]]] = {}
    for path, ops in fields.items():
        name, steps = parse_field_path(path)
        ftype = field_type_of(document_field(schema, name))
        if isinstance(ops, list):
            pairs = [_single(path, op) for op in ops]
        elif isinstance(ops, dict) and ops:
            pairs = list(ops.items())
        else:
            raise _error(path, f"expected update operations like {{'assign': ...}}, got {ops!r}")
        result.setdefault(name, []).extend(
            _path_op(schema, ftype, steps, op, arg, name) for op, arg in pairs
        )
    return result


def _path_op(
    schema: SchemaConfig, ftype: FieldType, steps: list[Step], op: str, arg: Any, name: str
) -> dict[str, Any]:
    if not steps:
        return _operation(schema, ftype, op, arg, name)
    element_kinds = {"map": "key", "weightedset": "key", "array": "index"}
    one_element = len(steps) == 1 and element_kinds.get(ftype.kind) == steps[0][0]
    if one_element and (
        op in ("assign", *ARITHMETIC) or (op == "remove" and ftype.kind != "array")
    ):
        return _element_op(schema, ftype, steps[0][1], op, arg, name)
    return path_operation(schema, ftype, steps, op, arg, name)


def _single(where: str, op: Any) -> tuple[str, Any]:
    if not isinstance(op, dict) or len(op) != 1:
        raise _error(where, f"expected one operation per list item, got {op!r}")
    return next(iter(op.items()))


def _operation(
    schema: SchemaConfig, ftype: FieldType, op: str, arg: Any, where: str
) -> dict[str, Any]:
    if op == "assign":
        return {"assign": None if arg is None else canonical_value(schema, ftype, arg, where)}
    if op == "add":
        return {"add": _add_argument(schema, ftype, arg, where)}
    if op == "remove":
        return {"remove": _remove_argument(schema, ftype, arg, where)}
    if op in ARITHMETIC:
        if ftype.kind not in NUMERIC_KINDS:
            raise _error(where, f"'{op}' needs a numeric field, not {ftype}")
        return {op: operand(op, arg, where)}
    if op == "match":
        return {"match": _match_argument(schema, ftype, arg, where)}
    if op == "modify":
        return {"modify": _modify_argument(ftype, arg, where)}
    if op == "fieldpath":
        return _canonical_path_op(schema, ftype, arg, where)
    raise _error(where, f"unknown update operation '{op}', expected one of {', '.join(OPERATIONS)}")


def _canonical_path_op(
    schema: SchemaConfig, ftype: FieldType, arg: Any, where: str
) -> dict[str, Any]:
    steps = arg.get("steps") if isinstance(arg, dict) else None
    if not isinstance(steps, list) or len(arg) != 2 or not all(_is_step(s) for s in steps):
        raise _error(where, "'fieldpath' needs {'steps': [[kind, value], ...], <op>: ...}")
    op = next(k for k in arg if k != "steps")
    return path_operation(schema, ftype, [tuple(s) for s in steps], op, arg[op], where)


def _is_step(step: Any) -> bool:
    if not isinstance(step, list | tuple) or len(step) != 2:
        return False
    kind, value = step
    if kind == "index":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return kind in ("key", "field") and isinstance(value, str)


def _element_op(
    schema: SchemaConfig, ftype: FieldType, element: Any, op: str, arg: Any, where: str
) -> dict[str, Any]:
    if op == "remove" and ftype.kind in ("map", "weightedset"):
        return {"remove": _remove_argument(schema, ftype, [element], where)}
    return {"match": _match_argument(schema, ftype, {"element": element, op: arg}, where)}


def _tensor_cells_argument(ftype: FieldType, arg: Any, where: str) -> list[dict[str, Any]]:
    assert ftype.tensor is not None
    cells = long_cells(ftype.tensor, read_tensor(ftype.tensor, arg, where))
    if not all(math.isfinite(c["value"]) for c in cells):
        raise _error(where, f"cell values out of range for {ftype.tensor}")
    return cells


def _add_argument(schema: SchemaConfig, ftype: FieldType, arg: Any, where: str) -> Any:
    if ftype.kind == "array":
        assert ftype.item is not None
        if not isinstance(arg, list):
            raise _error(where, f"'add' to {ftype} needs a list of items, got {arg!r}")
        return [canonical_value(schema, ftype.item, v, f"{where}[]") for v in arg]
    if ftype.kind == "weightedset":
        assert ftype.item is not None
        if isinstance(arg, list):
            return {element_key(schema, ftype.item, k, f"{where}{{{k}}}"): 1 for k in arg}
        return canonical_value(schema, ftype, arg, where)
    if ftype.kind == "tensor" and ftype.tensor is not None and not ftype.tensor.is_dense:
        return {"cells": _tensor_cells_argument(ftype, arg, where)}
    raise _error(where, f"'add' needs an array, weighted set or mapped/mixed tensor, not {ftype}")


def _remove_argument(schema: SchemaConfig, ftype: FieldType, arg: Any, where: str) -> Any:
    if ftype.kind == "array":
        assert ftype.item is not None
        if not isinstance(arg, list):
            raise _error(where, f"'remove' from {ftype} needs a list of items, got {arg!r}")
        return [canonical_value(schema, ftype.item, v, f"{where}[]") for v in arg]
    if ftype.kind in ("weightedset", "map"):
        key_type = ftype.item if ftype.kind == "weightedset" else ftype.key
        assert key_type is not None
        if not isinstance(arg, list | dict):
            raise _error(where, f"'remove' from {ftype} needs the keys to remove, got {arg!r}")
        return [element_key(schema, key_type, k, f"{where}{{{k}}}") for k in arg]
    if ftype.kind == "tensor" and ftype.tensor is not None:
        ttype = ftype.tensor
        names = [d.name for d in ttype.mapped]
        return {
            "addresses": [
                dict(zip(names, a, strict=True)) for a in read_addresses(ttype, arg, where)
            ]
        }
    raise _error(where, f"'remove' needs an array, weighted set, map or tensor, not {ftype}")


def _match_argument(schema: SchemaConfig, ftype: FieldType, arg: Any, where: str) -> Any:
    if not isinstance(arg, dict) or "element" not in arg or len(arg) != 2:
        raise _error(where, f"'match' needs {{'element': ..., <operation>: ...}}, got {arg!r}")
    op = next(k for k in arg if k != "element")
    if op != "assign" and op not in ARITHMETIC:
        raise _error(where, f"'match' supports assign and arithmetic, not '{op}'")
    element, value_type = _element(schema, ftype, arg["element"], where)
    path = f"{where}{{{element}}}"
    if op == "assign":
        return {"element": element, "assign": canonical_value(schema, value_type, arg[op], path)}
    if value_type.kind not in NUMERIC_KINDS:
        raise _error(path, f"'{op}' needs a numeric element, not {value_type}")
    return {"element": element, op: operand(op, arg[op], path)}


def _element(
    schema: SchemaConfig, ftype: FieldType, element: Any, where: str
) -> tuple[Any, FieldType]:
    if ftype.kind == "weightedset":
        assert ftype.item is not None
        return element_key(schema, ftype.item, element, where), FieldType("int")
    if ftype.kind == "map":
        assert ftype.key is not None
        assert ftype.item is not None
        return element_key(schema, ftype.key, element, where), ftype.item
    if ftype.kind == "array":
        assert ftype.item is not None
        index = canonical_value(schema, FieldType("int"), element, where)
        if index < 0:
            raise _error(where, f"array index must be at least 0, got {index}")
        return index, ftype.item
    raise _error(where, f"elements can be matched in arrays, weighted sets and maps, not {ftype}")


def _modify_argument(ftype: FieldType, arg: Any, where: str) -> dict[str, Any]:
    if ftype.kind != "tensor":
        raise _error(where, f"'modify' needs a tensor field, not {ftype}")
    if not isinstance(arg, dict) or arg.get("operation") not in MODIFY_OPERATIONS:
        raise _error(where, f"'modify' needs 'operation' in {', '.join(MODIFY_OPERATIONS)}")
    cells_part = {k: v for k, v in arg.items() if k in ("cells", "blocks")}
    if not cells_part or set(arg) - {"operation", "cells", "blocks", "create"}:
        raise _error(where, f"'modify' needs 'cells' or 'blocks', got {sorted(arg)}")
    create = arg.get("create", False)
    if not isinstance(create, bool):
        raise _error(where, f"'create' of 'modify' must be true or false, got {create!r}")
    result: dict[str, Any] = {
        "operation": arg["operation"],
        "cells": _tensor_cells_argument(ftype, cells_part, where),
    }
    if create:
        result["create"] = True
    return result


def apply_update(
    schema: SchemaConfig, current: Mapping[str, Any] | None, update: Mapping[str, Any]
) -> dict[str, Any]:
    """The canonical fields after applying ``update`` to ``current`` (None: no document).

    ``update`` may be Vespa's update JSON or a canonical update. Nothing is changed
    unless every operation applies: ``current`` itself is never modified. Fields the
    update does not touch are shared between ``current`` and the result.

    Operations on what is not there do nothing, as in Vespa: arithmetic on a missing
    field, weight or array index; ``remove`` of a missing item; ``modify`` of a
    missing cell (unless ``create``, which starts the cell at 0).

    Raises:
        InvalidDocumentError: when the update does not fit the schema, or an
            arithmetic result does not fit an integer field.
    """
    ops = validate_update(schema, update)
    document = dict(current or {})
    for name, field_ops in ops.items():
        ftype = field_type_of(document_field(schema, name))
        if name in document:  # only updated fields are copied; the rest are shared
            document[name] = copy.deepcopy(document[name])
        for op in field_ops:
            ((kind, arg),) = op.items()
            if kind == "fieldpath":
                apply_path_operation(schema, document, name, ftype, arg)
            else:
                _APPLIERS[kind](document, name, ftype, kind, arg)
    return document


def _apply_assign(doc: dict[str, Any], name: str, ftype: FieldType, op: str, arg: Any) -> None:
    if arg is None:
        doc.pop(name, None)
    else:
        doc[name] = copy.deepcopy(arg)


def _apply_add(doc: dict[str, Any], name: str, ftype: FieldType, op: str, arg: Any) -> None:
    if ftype.kind == "array":
        doc[name] = [*doc.get(name, []), *copy.deepcopy(arg)]
    elif ftype.kind == "weightedset":
        doc[name] = {**doc.get(name, {}), **arg}
    else:
        assert ftype.tensor is not None
        cells = cells_of(ftype.tensor, doc[name]) if name in doc else {}
        cells.update(cells_of(ftype.tensor, arg))
        doc[name] = canonical_tensor(ftype.tensor, cells)


def _apply_remove(doc: dict[str, Any], name: str, ftype: FieldType, op: str, arg: Any) -> None:
    if name not in doc:
        return
    if ftype.kind == "array":
        doc[name] = [v for v in doc[name] if v not in arg]
    elif ftype.kind in ("weightedset", "map"):
        doc[name] = {k: v for k, v in doc[name].items() if k not in arg}
    else:
        assert ftype.tensor is not None
        ttype = ftype.tensor
        gone = {tuple(a[d.name] for d in ttype.mapped) for a in arg["addresses"]}
        positions = [i for i, d in enumerate(ttype.dimensions) if d.mapped]
        cells = cells_of(ttype, doc[name])
        kept = {a: v for a, v in cells.items() if tuple(a[i] for i in positions) not in gone}
        doc[name] = canonical_tensor(ttype, kept)


def _apply_arithmetic(doc: dict[str, Any], name: str, ftype: FieldType, op: str, arg: Any) -> None:
    if name in doc:
        doc[name] = arithmetic(ftype.kind, doc[name], op, arg, name)


def _apply_match(doc: dict[str, Any], name: str, ftype: FieldType, op: str, arg: Any) -> None:
    element = arg["element"]
    inner = next(k for k in arg if k != "element")
    if ftype.kind == "array":
        items = doc.get(name, [])
        if element < len(items):
            items[element] = _element_value(ftype.item, items[element], inner, arg[inner], name)
        return
    values = doc.setdefault(name, {}) if inner == "assign" else doc.get(name, {})
    if inner == "assign" or element in values:
        value_type = FieldType("int") if ftype.kind == "weightedset" else ftype.item
        values[element] = _element_value(value_type, values.get(element), inner, arg[inner], name)


def _element_value(
    value_type: FieldType | None, old: Any, op: str, operand: Any, where: str
) -> Any:
    assert value_type is not None
    if op == "assign":
        return copy.deepcopy(operand)
    return arithmetic(value_type.kind, old, op, operand, where)


def _apply_modify(doc: dict[str, Any], name: str, ftype: FieldType, op: str, arg: Any) -> None:
    assert ftype.tensor is not None
    ttype = ftype.tensor
    if name not in doc and not arg.get("create"):
        return
    cells = cells_of(ttype, doc[name]) if name in doc else {}
    for address, value in cells_of(ttype, {"cells": arg["cells"]}).items():
        if address not in cells and not arg.get("create"):
            continue
        old = cells.get(address, 0.0)
        if arg["operation"] == "replace":
            cells[address] = value
        elif arg["operation"] == "add":
            cells[address] = old + value
        else:
            cells[address] = old * value
    tensor = canonical_tensor(ttype, cells)
    values = tensor["values"] if "values" in tensor else [c["value"] for c in tensor["cells"]]
    if not all(math.isfinite(v) for v in values):
        raise _error(name, f"'modify' {arg['operation']} gives a cell out of range for {ttype}")
    doc[name] = tensor


_APPLIERS = {
    "assign": _apply_assign,
    "add": _apply_add,
    "remove": _apply_remove,
    "increment": _apply_arithmetic,
    "decrement": _apply_arithmetic,
    "multiply": _apply_arithmetic,
    "divide": _apply_arithmetic,
    "match": _apply_match,
    "modify": _apply_modify,
}
