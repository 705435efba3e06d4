"""Field types: Vespa's type text (``array<string>``, ``map<string,int>``, ...) parsed.

``FieldConfig.type`` carries the type as written in the schema. This module turns it
into a small tree that the value codec walks. Names that are not built-in types are
struct types, resolved against ``SchemaConfig.structs`` when the codec needs them.

>>> parse_field_type("map<string,array<int>>")  # doctest: +NORMALIZE_WHITESPACE
FieldType(kind='map', key=FieldType(kind='string'),
          item=FieldType(kind='array', item=FieldType(kind='int')))
>>> parse_field_type("weightedset<string>").kind
'weightedset'
>>> str(parse_field_type("tensor<float>(x[3])").tensor)
'tensor<float>(x[3])'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from vespid.document.tensor_type import TensorType, TensorTypeError, parse_tensor_type

PRIMITIVES = frozenset(
    {
        "string",
        "int",
        "long",
        "byte",
        "float",
        "double",
        "bool",
        "uri",
        "raw",
        "predicate",
        "position",
    }
)
"""Types without parameters whose values need no schema to check."""


class FieldTypeError(ValueError):
    """A type text that is not a Vespa field type."""


@dataclass(frozen=True, slots=True)
class FieldType:
    """A parsed field type.

    ``kind`` is a primitive name, ``array``, ``weightedset``, ``map``, ``tensor``,
    ``reference`` or ``struct``. ``item`` is the element type of arrays and
    weighted sets and the value type of maps; ``key`` the key type of maps;
    ``name`` the struct name or the referenced document type.
    """

    kind: str
    item: FieldType | None = field(default=None, repr=False)
    key: FieldType | None = field(default=None, repr=False)
    tensor: TensorType | None = field(default=None, repr=False)
    name: str = field(default="", repr=False)

    def __repr__(self) -> str:
        parts = [f"kind={self.kind!r}"]
        if self.key is not None:
            parts.append(f"key={self.key!r}")
        if self.item is not None:
            parts.append(f"item={self.item!r}")
        if self.name:
            parts.append(f"name={self.name!r}")
        return f"FieldType({', '.join(parts)})"

    def __str__(self) -> str:
        if self.kind == "array" or self.kind == "weightedset":
            return f"{self.kind}<{self.item}>"
        if self.kind == "map":
            return f"map<{self.key},{self.item}>"
        if self.kind == "tensor":
            return str(self.tensor)
        if self.kind == "reference":
            return f"reference<{self.name}>"
        if self.kind == "struct":
            return self.name
        return self.kind


@lru_cache(maxsize=1024)
def parse_field_type(text: str) -> FieldType:
    """Parse a field type text.

    Raises:
        FieldTypeError: for malformed text or a bad tensor type.
    """
    text = text.strip()
    if text.startswith("tensor"):
        try:
            return FieldType("tensor", tensor=parse_tensor_type(text))
        except TensorTypeError as e:
            raise FieldTypeError(str(e)) from None
    head, sep, rest = text.partition("<")
    head = head.strip()
    if not sep:
        if not head or not head.replace("_", "a").replace(".", "a").isalnum():
            raise FieldTypeError(f"'{text}' is not a field type")
        return FieldType(head) if head in PRIMITIVES else FieldType("struct", name=head)
    if not rest.endswith(">"):
        raise FieldTypeError(f"'{text}' is not a field type: missing '>'")
    args = _split_arguments(rest[:-1], text)
    return _compound(head, args, text)


def _compound(head: str, args: list[str], text: str) -> FieldType:
    if head in ("array", "weightedset") and len(args) == 1:
        return FieldType(head, item=parse_field_type(args[0]))
    if head == "map" and len(args) == 2:
        return FieldType("map", key=parse_field_type(args[0]), item=parse_field_type(args[1]))
    if head == "reference" and len(args) == 1:
        return FieldType("reference", name=args[0].strip())
    raise FieldTypeError(f"'{text}' is not a field type")


def _split_arguments(body: str, text: str) -> list[str]:
    args, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
            if depth < 0:
                raise FieldTypeError(f"'{text}' has unbalanced brackets")
        elif ch == "," and depth == 0:
            args.append(body[start:i])
            start = i + 1
    if depth != 0:
        raise FieldTypeError(f"'{text}' has unbalanced brackets")
    args.append(body[start:])
    if any(not a.strip() for a in args):
        raise FieldTypeError(f"'{text}' has an empty type argument")
    return args
