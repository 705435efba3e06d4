"""Bucket ids: which bucket a document belongs to, computed exactly as Vespa does.

A bucket id is a 64-bit number (Vespa ``document/bucket/bucketid.h``): the 6 most
significant bits count how many of the remaining 58 bits are *used*; the used bits
are the least significant ones. A document's full 58-bit id is built by Vespa's
``BucketIdFactory``:

* bits 0-31 are the document's *location*: for ``n=<number>`` ids the number, for
  ``g=<group>`` ids the first 8 bytes (little-endian) of MD5(group), otherwise the
  first 8 bytes of MD5(user-specified part) (``IdString::getLocation``);
* bits 32-57 come from the document's global id (``DocumentId.global_id``): bytes
  4-11 of the gid read as a little-endian 64-bit number, masked to bits 32-57.

A content cluster then uses only ``distribution_bits`` (16 by default) of it; two
documents whose ids agree in those low bits share a bucket. Because the low bits are
the location, every document with the same ``n=`` or ``g=`` lands in one bucket.

>>> from vespid.document import DocumentId
>>> b = bucket_of(DocumentId.parse("id:ns:music:n=1234:x"))
>>> str(b)
'BucketId(0x40000000000004d2)'
>>> b.used_bits, hex(b.id)
(16, '0x4d2')
>>> BucketId.from_raw(b.raw) == b
True
"""

from __future__ import annotations

from dataclasses import dataclass

from vespid.document.id import DocumentId

COUNT_BITS = 6
"""Bits at the top of the raw id that count the used bits."""
MAX_USED_BITS = 64 - COUNT_BITS
"""At most 58 bits of a bucket id can be used."""
LOCATION_BITS = 32
GID_BITS = 26

_GID_MASK = ((1 << GID_BITS) - 1) << LOCATION_BITS
_ID_MASK = (1 << MAX_USED_BITS) - 1
_U64 = (1 << 64) - 1


def _used_mask(used_bits: int) -> int:
    return (1 << used_bits) - 1


_REVERSED_BYTES = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))
"""Each byte value with its 8 bits in reverse order."""


def _reverse64(value: int) -> int:
    """``value``'s 64 bits in reverse order: the bytes swapped end for end, and the bits
    of each byte reversed by table."""
    return int.from_bytes(value.to_bytes(8, "little").translate(_REVERSED_BYTES), "big")


@dataclass(frozen=True, slots=True)
class BucketId:
    """A bucket: ``used_bits`` (1..58) and the id bits, stripped to the used bits.

    Equality and hashing follow Vespa's ``getId()``: bits beyond ``used_bits`` are
    dropped at construction, so ``BucketId(16, x)`` equals ``BucketId(16, x & 0xffff)``.
    Ordering (``<``) is Vespa's *bucket key* order (:attr:`key`), the order a
    bucket database is kept and visited in: the id bits reversed, so a bucket
    sorts next to its splits.

    Raises:
        ValueError: when ``used_bits`` is outside 1..58 or ``id`` is negative.
    """

    used_bits: int
    id: int
    """The location and gid bits (no count bits), at most ``used_bits`` wide."""

    def __post_init__(self) -> None:
        if not 1 <= self.used_bits <= MAX_USED_BITS:
            raise ValueError(
                f"Bucket used bits must be in 1..{MAX_USED_BITS}, got {self.used_bits}"
            )
        if self.id < 0:
            raise ValueError(f"Bucket id bits must be non-negative, got {self.id}")
        object.__setattr__(self, "id", self.id & _used_mask(self.used_bits))

    @classmethod
    def from_raw(cls, raw: int) -> BucketId:
        """Build a bucket from its 64-bit raw form (count bits on top).

        Raises:
            ValueError: when the count bits say 0 or more than 58 used bits.
        """
        return cls((raw & _U64) >> MAX_USED_BITS, raw & _ID_MASK)

    @property
    def raw(self) -> int:
        """Vespa's 64-bit ``getId()``: used-bit count in the top 6 bits, then the id."""
        return (self.used_bits << MAX_USED_BITS) | self.id

    @property
    def key(self) -> int:
        """Vespa's ``toKey()``: the id bits reversed, the used-bit count in the low 6 bits."""
        reversed_bits = _reverse64(self.raw)
        return ((reversed_bits >> COUNT_BITS) << COUNT_BITS) | self.used_bits

    @classmethod
    def from_key(cls, key: int) -> BucketId:
        """Inverse of :attr:`key` (Vespa's ``keyToBucketId``)."""
        used_bits = key & ((1 << COUNT_BITS) - 1)
        return cls(used_bits, _reverse64(key & _U64) & _ID_MASK)

    def with_used_bits(self, used_bits: int) -> BucketId:
        """Return this bucket with fewer used bits (its ancestor at that level).

        Raises:
            ValueError: when ``used_bits`` is more than this bucket uses.
        """
        if used_bits > self.used_bits:
            raise ValueError(f"Cannot widen {self} from {self.used_bits} to {used_bits} used bits")
        return BucketId(used_bits, self.id)

    def contains(self, other: BucketId) -> bool:
        """True when ``other`` is this bucket or one of its splits."""
        if other.used_bits < self.used_bits:
            return False
        return other.id & _used_mask(self.used_bits) == self.id

    def split(self) -> tuple[BucketId, BucketId]:
        """The two buckets this one splits into, one more used bit each.

        Raises:
            ValueError: when the bucket already uses all 58 bits.
        """
        bits = self.used_bits + 1
        return BucketId(bits, self.id), BucketId(bits, self.id | (1 << self.used_bits))

    def __lt__(self, other: BucketId) -> bool:
        return self.key < other.key

    def __le__(self, other: BucketId) -> bool:
        return self.key <= other.key

    def __gt__(self, other: BucketId) -> bool:
        return self.key > other.key

    def __ge__(self, other: BucketId) -> bool:
        return self.key >= other.key

    def __str__(self) -> str:
        return f"BucketId(0x{self.raw:016x})"


def full_bucket_bits(doc_id: DocumentId) -> int:
    """The id bits of the document's 58-bit bucket, from one gid computation.

    The gid's first 4 bytes are the location's low 32 bits, so the location is not
    hashed a second time: two MD5s for an id without ``n=`` (location and gid), one
    with it. This is what a content node stores with every document.
    """
    gid = doc_id.global_id
    gid_bits = int.from_bytes(gid[4:12], "little") & _GID_MASK
    return gid_bits | int.from_bytes(gid[:4], "little")


def full_bucket_of(doc_id: DocumentId) -> BucketId:
    """The document's 58-bit bucket (Vespa's ``BucketIdFactory::getBucketId``)."""
    return BucketId(MAX_USED_BITS, full_bucket_bits(doc_id))


def bucket_of(doc_id: DocumentId, distribution_bits: int = 16) -> BucketId:
    """The bucket holding ``doc_id`` in a cluster using ``distribution_bits`` bits.

    Raises:
        ValueError: when ``distribution_bits`` is outside 1..58.
    """
    return BucketId(distribution_bits, full_bucket_bits(doc_id))
