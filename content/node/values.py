"""The node's use of `vespid.document`: applying partial updates and rendering fields.

Stored fields are canonical JSON values (docs/internals.md); the container validated
them. Keeping the two calls here leaves one place to adapt if that contract moves.
"""

from __future__ import annotations

from typing import Any

from vespid.config import SchemaConfig
from vespid.document import apply_update, render_fields


def updated(
    schema: SchemaConfig, fields: dict[str, Any] | None, update: dict[str, Any]
) -> dict[str, Any]:
    """The document ``fields`` (None: no document yet) after the partial ``update``.

    Raises:
        InvalidDocumentError: when the update cannot apply to these values.
    """
    return apply_update(schema, fields, update)


def render(schema: SchemaConfig, fields: dict[str, Any]) -> dict[str, Any]:
    """Canonical values rendered as Vespa document JSON."""
    return render_fields(schema, fields)
