"""The document model: document ids, field values and Vespa's document JSON.

* :class:`DocumentId` — parse and print ``id:<namespace>:<type>:[n=|g=]:<user>``,
  with the location and global id Vespa derives from it;
* :func:`validate_fields` / :func:`render_fields` — put fields to canonical values
  and canonical values to Vespa's JSON (docs/internals.md "Document values");
* :func:`validate_update` / :func:`apply_update` — document/v1 partial updates;
* :func:`parse_tensor_type`, :func:`parse_field_type` — the type texts of fields.
"""

from __future__ import annotations

from vespid.document.field_type import FieldType, FieldTypeError, parse_field_type
from vespid.document.id import DocumentId
from vespid.document.tensor_json import (
    TENSOR_FORMATS,
    canonical_tensor,
    cells_of,
    read_tensor,
    render_tensor,
)
from vespid.document.tensor_type import (
    Dimension,
    TensorType,
    TensorTypeError,
    parse_tensor_type,
)
from vespid.document.update import apply_update, validate_update
from vespid.document.values import canonical_value, render_fields, render_value, validate_fields

__all__ = [
    "TENSOR_FORMATS",
    "Dimension",
    "DocumentId",
    "FieldType",
    "FieldTypeError",
    "TensorType",
    "TensorTypeError",
    "apply_update",
    "canonical_tensor",
    "canonical_value",
    "cells_of",
    "parse_field_type",
    "parse_tensor_type",
    "read_tensor",
    "render_fields",
    "render_tensor",
    "render_value",
    "validate_fields",
    "validate_update",
]
