"""The document model: document ids, field values and Vespa's document JSON."""

from __future__ import annotations

from vespid.document.id import DocumentId

__all__ = ["DocumentId"]
