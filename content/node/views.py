"""What a reader gets back: field sets for get and visit, summary classes for docsum.

Stored documents hold canonical values; these helpers pick the fields a field set or
summary class asks for and render them in Vespa's document JSON through
`content.node.values`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content.node.values import render
from vespid.config import SchemaConfig
from vespid.errors import InvalidDocumentError, InvalidQueryError

_ALL = ("[document]", "[all]")
_NONE = ("[id]", "[none]")


@dataclass(frozen=True, slots=True)
class FieldSet:
    """A parsed Vespa field set: every document field, none, or the named ones."""

    doctype: str | None
    """The type the field set names (``music:[document]``), None when it names none."""
    fields: tuple[str, ...] | None
    """The fields wanted; None for all document fields."""

    @classmethod
    def parse(cls, text: str) -> FieldSet:
        """Parse ``[document]``, ``[all]``, ``[id]``, ``[none]``, ``type:[document]``,
        ``type:f1,f2``.

        Raises:
            InvalidDocumentError: on an empty or malformed field set.
        """
        spec = text.strip()
        if spec in _ALL:
            return cls(None, None)
        if spec in _NONE:
            return cls(None, ())
        doctype, sep, names = spec.partition(":")
        if not sep or not doctype or not names:
            raise InvalidDocumentError(
                f"Field set '{text}' is not one of [document], [all], [id], [none], "
                "<type>:[document] or <type>:<field>,<field>..."
            )
        if names.strip() in _ALL:
            return cls(doctype, None)
        return cls(doctype, tuple(n.strip() for n in names.split(",") if n.strip()))

    def select(self, schema: SchemaConfig, fields: dict[str, Any]) -> dict[str, Any]:
        """The wanted fields of a document of ``schema``, rendered.

        Raises:
            InvalidDocumentError: when the field set names another document type or
                a field the type does not have.
        """
        if self.doctype is not None and self.doctype != schema.name:
            raise InvalidDocumentError(
                f"Field set for document type '{self.doctype}' used on a '{schema.name}' document"
            )
        if self.fields is None:
            return render(schema, fields)
        for name in self.fields:
            if schema.field(name) is None:
                raise InvalidDocumentError(f"Document type '{schema.name}' has no field '{name}'")
        return render(schema, {n: fields[n] for n in self.fields if n in fields})


def summary(schema: SchemaConfig, fields: dict[str, Any], summary_class: str) -> dict[str, Any]:
    """The fields of ``summary_class`` for a document of ``schema``, rendered.

    ``default`` holds every field marked summary; other classes are the schema's
    document-summary blocks. A synthetic field takes its source field's value.

    Raises:
        InvalidQueryError: for a summary class the schema does not declare.
    """
    if summary_class == "default":
        names = tuple(f.name for f in schema.fields if f.summary)
    else:
        declared = next((s for s in schema.document_summaries if s.name == summary_class), None)
        if declared is None:
            raise InvalidQueryError(
                f"Unknown document summary '{summary_class}' in schema '{schema.name}'"
            )
        names = declared.fields
    picked: dict[str, Any] = {}
    for name in names:
        config = schema.field(name)
        source = config.source if config is not None and config.source else name
        if source in fields:
            picked[name] = fields[source]
    return render(schema, picked)
