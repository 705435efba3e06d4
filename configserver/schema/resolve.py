"""Resolve schema and document inheritance into one flat view per schema.

`document b inherits a` gives b every field of document a (from whichever file
declares it); `schema b inherits a` also gives b a's fields outside the document,
structs, fieldsets, document summaries, rank profiles and imports (b's own win by
name). Unknown parents, cycles and fields declared twice are reported as
`path:line:col:` messages into the caller's error list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from configserver.schema.lexer import Pos
from configserver.schema.model import (
    DocumentSummary,
    Field,
    Fieldset,
    ImportField,
    RankProfile,
    Schema,
    Struct,
)

BASE_DOCUMENT = "document"
"""Vespa's root document type; `inherits document` is allowed and adds nothing."""

_Named = TypeVar("_Named", Field, Struct, Fieldset, DocumentSummary, RankProfile, ImportField)


@dataclass(frozen=True, slots=True)
class ResolvedSchema:
    """A schema with everything it inherits merged in."""

    schema: Schema
    document_fields: tuple[Field, ...]
    synthetic_fields: tuple[Field, ...]
    structs: tuple[Struct, ...]
    """Structs of the document, of inherited documents and schemas, and outside the document."""
    fieldsets: tuple[Fieldset, ...]
    summaries: tuple[DocumentSummary, ...]
    rank_profiles: tuple[RankProfile, ...]
    imports: tuple[ImportField, ...]

    @property
    def name(self) -> str:
        """The schema's name (also its document type)."""
        return self.schema.name

    @property
    def path(self) -> str:
        """The package path of the schema file."""
        return self.schema.path

    def at(self, pos: Pos, path: str = "") -> str:
        """Return `path:line:col` for a position in this schema's file, or in ``path``
        (a rank profile's own `.profile` file) when given."""
        return f"{path or self.schema.path}:{pos.line}:{pos.col}"

    def own_fields(self) -> tuple[Field, ...]:
        """The fields declared in this schema's own file (in and outside its document)."""
        document = self.schema.document.fields if self.schema.document else ()
        return document + self.schema.fields

    def all_fields(self) -> tuple[Field, ...]:
        """Document fields, then fields outside the document."""
        return self.document_fields + self.synthetic_fields


class _Resolver:
    def __init__(self, schemas: Sequence[Schema], errors: list[str]) -> None:
        self.errors = errors
        self.schemas = {s.name: s for s in schemas}
        self.documents = {s.document.name: s for s in schemas if s.document is not None}
        self.doc_fields: dict[str, tuple[Field, ...]] = {}
        self.doc_structs: dict[str, tuple[Struct, ...]] = {}
        self.resolved: dict[str, ResolvedSchema] = {}

    def _err(self, schema: Schema, pos: Pos, message: str) -> None:
        self.errors.append(f"{schema.path}:{pos.line}:{pos.col}: {message}")

    def document_fields(self, name: str, stack: tuple[str, ...]) -> tuple[Field, ...]:
        if name in self.doc_fields:
            return self.doc_fields[name]
        owner = self.documents[name]
        doc = owner.document
        assert doc is not None  # documents only maps schemas that have one
        parents = list(doc.inherits)
        parents += [p for p in owner.inherits if p in self.schemas and p not in parents]
        fields: list[Field] = []
        structs: list[Struct] = []
        for parent in parents:
            parent_doc = self._parent_document(owner, parent, (*stack, name))
            if parent_doc is not None:
                fields = _merge(fields, self.document_fields(parent_doc, (*stack, name)))
                structs = _merge(structs, self.doc_structs.get(parent_doc, ()))
        self.doc_structs[name] = tuple(_merge(structs, doc.structs))
        for f in doc.fields:
            if any(g.name == f.name for g in fields):
                self._err(
                    owner, f.pos, f"field '{f.name}' is already declared in an inherited document"
                )
            else:
                fields.append(f)
        self.doc_fields[name] = tuple(fields)
        return self.doc_fields[name]

    def _parent_document(self, owner: Schema, parent: str, stack: tuple[str, ...]) -> str | None:
        assert owner.document is not None  # called only for schemas with a document
        if parent == BASE_DOCUMENT:
            return None
        if parent in stack:
            cycle = " -> ".join((*stack, parent))
            self._err(owner, owner.document.pos, f"document inheritance cycle: {cycle}")
            return None
        if parent in self.documents:
            return parent
        schema = self.schemas.get(parent)
        if schema is not None and schema.document is not None:
            return schema.document.name
        self._err(owner, owner.document.pos, f"document '{owner.document.name}' inherits "
                  f"unknown document '{parent}'")  # fmt: skip
        return None

    def schema(self, name: str, stack: tuple[str, ...]) -> ResolvedSchema:
        if name in self.resolved:
            return self.resolved[name]
        s = self.schemas[name]
        parents: list[ResolvedSchema] = []
        for parent in s.inherits:
            if parent in stack or parent == name:
                self._err(
                    s, s.pos, f"schema inheritance cycle: {' -> '.join((*stack, name, parent))}"
                )
            elif parent not in self.schemas:
                self._err(s, s.pos, f"schema '{name}' inherits unknown schema '{parent}'")
            else:
                parents.append(self.schema(parent, (*stack, name)))
        doc_fields = self.document_fields(s.document.name, ()) if s.document else ()
        doc_structs = self.doc_structs.get(s.document.name, ()) if s.document else ()

        def merged(attr: str, own: Sequence[_Named]) -> tuple[_Named, ...]:
            items: list[_Named] = []
            for p in parents:
                items = _merge(items, getattr(p, attr))
            return tuple(_merge(items, own))

        resolved = ResolvedSchema(
            schema=s,
            document_fields=doc_fields,
            synthetic_fields=merged("synthetic_fields", s.fields),
            structs=merged("structs", (*doc_structs, *s.structs)),
            fieldsets=merged("fieldsets", s.fieldsets),
            summaries=merged("summaries", s.summaries),
            rank_profiles=merged("rank_profiles", s.rank_profiles),
            imports=merged("imports", s.imports),
        )
        self.resolved[name] = resolved
        return resolved


def _merge(items: Sequence[_Named], own: Sequence[_Named]) -> list[_Named]:
    """Append ``own`` to ``items``; an item of ``own`` replaces one with the same name."""
    names = {o.name for o in own}
    return [i for i in items if i.name not in names] + list(own)


def resolve_schemas(schemas: Sequence[Schema], errors: list[str]) -> list[ResolvedSchema]:
    """Resolve inheritance for every schema; problems are appended to ``errors``."""
    resolver = _Resolver(schemas, errors)
    return [resolver.schema(s.name, ()) for s in schemas]
