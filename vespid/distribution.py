"""The ideal state: which content nodes should hold a bucket, in priority order.

This is Vespa's weighted random election (``vdslib/distribution/distribution.cpp``,
``getIdealNodes`` for a flat cluster of one leaf group), so every process that
computes it — container, content nodes, merge — agrees with each other and with
Vespa:

1. the *seed* is the bucket's low ``distribution_bits`` bits; for buckets split past
   33 bits, the id bits above 32 are folded in (``getStorageSeed``);
2. a ``java.util.Random``-compatible generator is seeded with it and its first
   draw thrown away (Vespa's ``RandomGen``);
3. node with distribution key *k* gets the *k*-th following ``nextDouble()``, so a
   node's score does not depend on which other nodes exist;
4. a capacity other than 1 turns score *s* into ``s ** (1 / capacity)``;
5. nodes sort by score, highest first (ties keep configuration order); the first
   ``redundancy`` are the bucket's ideal nodes, the first of them its primary.

Because step 3 gives each node a score of its own, adding a node only moves
buckets to it, and removing one only moves its buckets away (the tests check both).
Hierarchical groups are not supported yet (DESIGN.md: one group per cluster).

>>> from vespid.config import ContentNodeConfig
>>> nodes = [ContentNodeConfig(k, "localhost", 19100 + k) for k in range(10)]
>>> ideal_nodes(BucketId(16, 0), nodes, redundancy=1)
[6]
>>> ideal_nodes(BucketId(16, 0), nodes, redundancy=3, up={1, 2, 3})
[1, 3, 2]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from vespid.bucket import BucketId
from vespid.config import ContentNodeConfig

_MULTIPLIER = 0x5DEECE66D
_INCREMENT = 0xB
_STATE_MASK = (1 << 48) - 1


class JavaRandom:
    """The linear congruential generator of ``java.util.Random``, which Vespa uses.

    >>> r = JavaRandom(42)
    >>> round(r.next_double(), 6)
    0.727564
    """

    __slots__ = ("_state",)

    def __init__(self, seed: int) -> None:
        self._state = (seed ^ _MULTIPLIER) & _STATE_MASK

    def _next(self, bits: int) -> int:
        self._state = (self._state * _MULTIPLIER + _INCREMENT) & _STATE_MASK
        return self._state >> (48 - bits)

    def next_double(self) -> float:
        """A uniform double in [0, 1) with 53 random bits, as Java computes it."""
        return ((self._next(26) << 27) + self._next(27)) * (1.0 / (1 << 53))


def storage_seed(bucket: BucketId, distribution_bits: int = 16) -> int:
    """The seed of the ideal-state election for ``bucket`` (Vespa's ``getStorageSeed``).

    The result is a signed 32-bit value, as Vespa passes it to its generator.
    """
    seed = bucket.raw & ((1 << distribution_bits) - 1)
    if bucket.used_bits > 33:
        extra_bits = bucket.used_bits - 1 - 32
        seed ^= ((bucket.raw >> 32) & ((1 << extra_bits) - 1)) << 6
    seed &= 0xFFFFFFFF
    return seed - (1 << 32) if seed >= 1 << 31 else seed


def node_scores(seed: int, distribution_keys: Collection[int]) -> dict[int, float]:
    """The raw score (before capacity) of each distribution key for ``seed``."""
    random = JavaRandom(seed)
    random.next_double()  # Vespa's RandomGen discards the first draw after seeding
    scores: dict[int, float] = {}
    index = 0
    for key in sorted(set(distribution_keys)):
        while index < key:
            random.next_double()
            index += 1
        scores[key] = random.next_double()
        index += 1
    return scores


def ideal_nodes(
    bucket: BucketId,
    nodes: Sequence[ContentNodeConfig],
    redundancy: int,
    up: Collection[int] | None = None,
    *,
    distribution_bits: int = 16,
) -> list[int]:
    """The distribution keys that should hold ``bucket``, best first.

    Args:
        bucket: a bucket using at least ``distribution_bits`` bits.
        nodes: the cluster's content nodes; nodes with capacity 0 never hold data.
        redundancy: how many replicas to place; fewer are returned when fewer
            nodes are available.
        up: when given, only these distribution keys are candidates (the Up nodes
            of the current cluster state); the scores of the others are unaffected.
        distribution_bits: the cluster's distribution bits (16 by default).

    Raises:
        ValueError: when the bucket uses fewer bits than the cluster distributes on,
            or ``redundancy`` is negative.
    """
    if bucket.used_bits < distribution_bits:
        raise ValueError(
            f"Cannot get ideal state for {bucket} using {bucket.used_bits} bits "
            f"when the cluster uses {distribution_bits} distribution bits"
        )
    if redundancy < 0:
        raise ValueError(f"Redundancy must be at least 0, got {redundancy}")
    candidates = [n for n in nodes if n.capacity > 0 and (up is None or n.distribution_key in up)]
    if redundancy == 0 or not candidates:
        return []
    scores = node_scores(
        storage_seed(bucket, distribution_bits), [n.distribution_key for n in candidates]
    )
    scored = [(_weighted(scores[n.distribution_key], n.capacity), n) for n in candidates]
    scored.sort(key=lambda pair: -pair[0])
    return [n.distribution_key for _, n in scored[:redundancy]]


def _weighted(score: float, capacity: float) -> float:
    if capacity == 1.0:
        return score
    return float(score ** (1.0 / capacity))
