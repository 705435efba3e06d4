"""The `struct-field` declarations of a schema, each with the type its path reaches.

Vespa lets a field of type ``array<struct>`` or ``map<K,V>`` declare settings for the
fields inside its elements::

    field persons type array<person> {
        struct-field name { indexing: attribute }
    }
    field identities type map<string, person> {
        struct-field key { indexing: attribute }
        struct-field value.name { indexing: attribute }
    }

A map is searched as an array of ``{key, value}`` structs, so its paths start with
``key`` or ``value``. ``struct-field`` blocks may nest (``struct-field value {
struct-field name { ... } }``); the paths join with dots. :func:`struct_field_declarations`
lists every declaration with its joined path and resolved type, for validation and
for the config model (each attribute becomes Vespa's ``persons.name`` array attribute).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from configserver.schema.model import Field, Struct
from configserver.schema.resolve import ResolvedSchema


@dataclass(frozen=True, slots=True)
class StructFieldDeclaration:
    """One ``struct-field`` block, placed in its document field."""

    parent: Field
    """The document field (``persons``)."""
    declaration: Field
    """The innermost ``struct-field`` block: its indexing and attribute settings."""
    path: str
    """The path inside an element: ``name``, ``key``, ``value``, ``value.name``."""
    type: str | None
    """The type the path reaches (``string``), None when the path names no field."""
    element_container: str
    """``array`` or ``map`` when the parent holds elements; '' for a plain struct."""

    @property
    def name(self) -> str:
        """Vespa's attribute name for the struct field: ``persons.name``."""
        return f"{self.parent.name}.{self.path}"


def struct_field_declarations(schema: ResolvedSchema) -> list[StructFieldDeclaration]:
    """Every ``struct-field`` block of ``schema``'s document fields, nested ones included."""
    structs = {s.name: s for s in schema.structs}
    out: list[StructFieldDeclaration] = []
    for parent in schema.document_fields:
        container = _container(parent.type)
        pending = [(sub, sub.name) for sub in parent.struct_fields]
        while pending:
            sub, path = pending.pop(0)
            kind = path_type(parent.type, path, structs)
            out.append(StructFieldDeclaration(parent, sub, path, kind, container))
            pending += [(inner, f"{path}.{inner.name}") for inner in sub.struct_fields]
    return out


def path_type(field_type: str, path: str, structs: dict[str, Struct]) -> str | None:
    """The type reached by ``path`` inside the elements of a field of ``field_type``.

    >>> person = Struct("person", (Field("name", "string"), Field("age", "int")))
    >>> path_type("array<person>", "age", {"person": person})
    'int'
    >>> path_type("map<string,person>", "value.name", {"person": person})
    'string'
    >>> path_type("map<string,person>", "key", {"person": person})
    'string'
    >>> path_type("array<person>", "height", {"person": person}) is None
    True
    """
    steps = path.split(".")
    container = _container(field_type)
    inner = field_type[len(container) + 1 : -1] if container else field_type
    if container == "map":
        key, value = _split_map(inner)
        if steps[0] == "key":
            return key if len(steps) == 1 else None
        if steps[0] != "value":
            return None
        inner, steps = value, steps[1:]
    for step in steps:
        struct = structs.get(inner)
        found = _struct_field(struct, step, structs) if struct is not None else None
        if found is None:
            return None
        inner = found.type
    return inner


def _container(field_type: str) -> str:
    for container in ("array", "map"):
        if field_type.startswith(container + "<") and field_type.endswith(">"):
            return container
    return ""


def _split_map(inner: str) -> tuple[str, str]:
    depth = 0
    for i, ch in enumerate(inner):
        depth += (ch == "<") - (ch == ">")
        if ch == "," and depth == 0:
            return inner[:i].strip(), inner[i + 1 :].strip()
    return inner, ""


def _struct_field(struct: Struct, name: str, structs: dict[str, Struct]) -> Field | None:
    """The field ``name`` of ``struct`` or of a struct it inherits."""
    seen: set[str] = set()
    todo: Sequence[Struct] = [struct]
    while todo:
        current, *rest = todo
        todo = rest
        if current.name in seen:
            continue
        seen.add(current.name)
        for f in current.fields:
            if f.name == name:
                return f
        todo = [*todo, *(structs[p] for p in current.inherits if p in structs)]
    return None
