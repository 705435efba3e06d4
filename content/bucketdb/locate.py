"""Which bucket a document id belongs to: the one place that asks `vespid.bucket`."""

from __future__ import annotations

from vespid.bucket import BucketId, full_bucket_bits
from vespid.document import DocumentId


def full_bucket(doc_id: str | DocumentId) -> int:
    """The id bits of the document's full 58-bit bucket; stored with each document so
    that its bucket at any number of distribution bits needs no hashing again.

    Raises:
        InvalidDocumentIdError: when ``doc_id`` is text that is not a valid document id.
    """
    parsed = DocumentId.parse(doc_id) if isinstance(doc_id, str) else doc_id
    return full_bucket_bits(parsed)


def bucket_at(full: int, distribution_bits: int) -> BucketId:
    """The bucket at ``distribution_bits`` of a document whose `full_bucket` is ``full``."""
    return BucketId(distribution_bits, full)


def locate(doc_id: str | DocumentId, distribution_bits: int) -> BucketId:
    """The bucket of ``doc_id`` in a cluster with ``distribution_bits`` bits.

    Raises:
        InvalidDocumentIdError: when ``doc_id`` is text that is not a valid document id.
    """
    return bucket_at(full_bucket(doc_id), distribution_bits)
