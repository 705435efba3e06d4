"""Which bucket a document id belongs to: the one place that asks `vespid.bucket`."""

from __future__ import annotations

from vespid.bucket import BucketId, bucket_of
from vespid.document import DocumentId


def locate(doc_id: str | DocumentId, distribution_bits: int) -> BucketId:
    """The bucket of ``doc_id`` in a cluster with ``distribution_bits`` bits.

    Raises:
        InvalidDocumentIdError: when ``doc_id`` is text that is not a valid document id.
    """
    parsed = DocumentId.parse(doc_id) if isinstance(doc_id, str) else doc_id
    return bucket_of(parsed, distribution_bits)
