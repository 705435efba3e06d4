"""Query items whose meaning depends on the kind of field they search.

The parsers know no schema; this pass, run with the schemas being searched, does what
Vespa's query rewriting does with its index facts:

- ``year contains "2001"`` on a numeric field is an equality on the number
  (`EqualsItem`); other terms there (``"<2001"``, ``"[1990;2000]"``) stay terms, which
  content nodes read in Vespa's numeric term syntax or refuse;
- ``in`` works only on integer and string fields, and its values must fit the field
  (``The in operator is only supported for integer and string fields``).

Fields a schema does not declare (fieldsets, struct paths, unknown names) are left as
they are for the content nodes to resolve or refuse.

>>> from vespid.config import FieldConfig, SchemaConfig
>>> schema = SchemaConfig("s", fields=(FieldConfig("year", "int", attribute=True),))
>>> resolve_field_kinds(TermItem("year", "2001"), [schema])
EqualsItem(field='year', value=2001, filter=False)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from container.errors import IllegalQueryError
from vespid.config import SchemaConfig
from vespid.messages import (
    AndItem,
    EqualsItem,
    InItem,
    Item,
    NotItem,
    OrItem,
    RankItem,
    TermItem,
    WeakAndItem,
)

_INTEGER = {"int", "long", "byte"}
_FLOAT = {"float", "double"}
_COLLECTION = re.compile(r"(?:array|weightedset)<(\w+)>")


def resolve_field_kinds(tree: Item, schemas: Sequence[SchemaConfig]) -> Item:
    """``tree`` with numeric terms and `in` values fitted to their fields.

    Raises:
        IllegalQueryError: a term or value that cannot match its field's kind.
    """
    return _Resolver(schemas).item(tree)


class _Resolver:
    def __init__(self, schemas: Sequence[SchemaConfig]) -> None:
        self.schemas = schemas

    def kind(self, field: str) -> str | None:
        """`integer`, `float` or `string` when every schema declaring ``field`` agrees."""
        kinds = set()
        for schema in self.schemas:
            declared = schema.field(field)
            if declared is not None:
                kinds.add(_kind_of(declared.type))
        return kinds.pop() if len(kinds) == 1 else None

    def item(self, item: Item) -> Item:
        if isinstance(item, AndItem | OrItem | RankItem | WeakAndItem):
            return dataclasses.replace(item, children=tuple(self.item(c) for c in item.children))
        if isinstance(item, NotItem):
            negatives = tuple(self.item(n) for n in item.negatives)
            return NotItem(self.item(item.positive), negatives)
        if isinstance(item, TermItem):
            return self.term(item)
        if isinstance(item, InItem):
            return self.in_item(item)
        return item

    def term(self, item: TermItem) -> Item:
        kind = self.kind(item.field)
        if kind not in ("integer", "float") or item.kind != "word":
            return item
        try:
            number: int | float = int(item.term) if kind == "integer" else float(item.term)
        except ValueError:
            return item
        return EqualsItem(item.field, number, filter=item.filter)

    def in_item(self, item: InItem) -> Item:
        kind = self.kind(item.field)
        if kind is None:
            return item
        if kind not in ("integer", "string"):
            raise IllegalQueryError(
                "The in operator is only supported for integer and string fields. "
                f"The field {item.field} is not of these types"
            )
        return InItem(item.field, tuple(self.in_value(item.field, kind, v) for v in item.values))

    def in_value(self, field: str, kind: str, value: int | float | str) -> int | float | str:
        if kind == "string":
            if not isinstance(value, str):
                raise IllegalQueryError(f"Field '{field}' holds strings; {value!r} is not one")
            return value
        try:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        except ValueError:
            raise IllegalQueryError(
                f"Field '{field}' holds integers; {value!r} is not one"
            ) from None


def _kind_of(type_text: str) -> str:
    m = _COLLECTION.fullmatch(type_text)
    base = m.group(1) if m else type_text
    if base in _INTEGER:
        return "integer"
    if base in _FLOAT:
        return "float"
    if base == "string":
        return "string"
    return "other"
