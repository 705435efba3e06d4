"""Visiting: this node's documents in bucket order, a page at a time.

The continuation token names the last visited (bucket, document id); the next page
starts strictly after it, so writes between pages neither repeat nor skip documents
that existed throughout. The token is opaque to clients: url-safe base64 of JSON.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import orjson

from content.bucketdb import BucketDatabase, BucketEntry
from vespid.bucket import BucketId
from vespid.errors import InvalidQueryError


@dataclass(frozen=True, slots=True)
class Position:
    """Where a visit stopped: after ``doc_id`` in ``bucket``."""

    bucket: BucketId
    doc_id: str

    def token(self) -> str:
        """The opaque continuation token for this position."""
        raw = orjson.dumps([self.bucket.used_bits, self.bucket.id, self.doc_id])
        return base64.urlsafe_b64encode(raw).decode()

    @classmethod
    def from_token(cls, token: str) -> Position:
        """Decode a continuation token.

        Raises:
            InvalidQueryError: when the token was not made by `token`.
        """
        try:
            used_bits, bucket_id, doc_id = orjson.loads(base64.urlsafe_b64decode(token))
            return cls(BucketId(int(used_bits), int(bucket_id)), str(doc_id))
        except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError) as e:
            raise InvalidQueryError(f"Invalid continuation token '{token}'") from e


def walk(buckets: BucketDatabase, start: Position | None) -> Iterator[tuple[BucketId, BucketEntry]]:
    """Every bucket entry after ``start`` (from the beginning when None), in visit order."""
    if start is not None:
        for entry in buckets.entries(start.bucket):
            if entry.id > start.doc_id:
                yield start.bucket, entry
    for bucket in buckets.buckets(after=None if start is None else start.bucket):
        for entry in buckets.entries(bucket):
            yield bucket, entry


def page(
    buckets: BucketDatabase,
    continuation: str,
    wanted: int,
    accept: Callable[[BucketEntry], bool],
) -> tuple[list[BucketEntry], str]:
    """Up to ``wanted`` (at least 1) accepted entries after ``continuation``, and the
    token to continue with: '' when no accepted entry is left.

    Raises:
        InvalidQueryError: for a malformed continuation token.
    """
    start = Position.from_token(continuation) if continuation else None
    wanted = max(1, wanted)
    picked: list[BucketEntry] = []
    last = start
    for bucket, entry in walk(buckets, start):
        if not accept(entry):
            continue
        if len(picked) == wanted and last is not None:
            return picked, last.token()
        picked.append(entry)
        last = Position(bucket, entry.id)
    return picked, ""
