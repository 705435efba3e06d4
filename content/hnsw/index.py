"""HnswIndex: the nearest-neighbor index of one tensor field, over hnswlib.

The adapter is the only place that touches hnswlib, so the engine can be swapped
here alone (issue 6 measured hnswlib 0.8.0 as the fastest engine with the semantics
needed). Each document's local id is its hnswlib label, as Vespa's HNSW keys nodes by
docid; lids are dense and reused, so the graph stays as large as the highest lid.

Behaviour, following Vespa's ``hnsw_index.h``:

- ``set_vector`` inserts, or updates in place when the lid already has a vector;
  a lid removed earlier is revived in place (hnswlib unmarks the node and repairs its
  links). ``replace_deleted`` stays off: in hnswlib 0.8.0 it is unsafe with reused
  labels, which lids always are. Setting the vector a lid already holds (a partial
  update of another field re-puts the document) leaves the graph alone, and reviving
  a removed lid with the vector it had only unmarks the node, its links intact: each
  lid's vector is remembered as a 64-bit digest. hnswlib's in-place update re-links
  the node and its neighbours and costs recall (100k x 128-d clustered: removing 10%
  and re-adding the same vectors through it took recall@10 at ef 48 from 0.962 to
  0.884; docs/performance.md), where Vespa removes the node and inserts it anew.
- ``remove`` marks the node deleted; searches skip it, and it keeps routing.
- ``search`` explores ``max(target_hits + explore_additional_hits, min_explore)``
  candidates (Vespa's ``explore_k``, hnswlib's ``ef``) and returns the best
  ``target_hits``, nearest first. The floor ``min_explore`` (default
  :data:`MIN_EXPLORE`) is a deliberate deviation from Vespa, whose graph explores
  only targetHits + exploreAdditionalHits: hnswlib's graph at M 16 /
  ef_construction 200 needs ef 48 for recall@10 >= 0.95 on 100k clustered 128-d
  vectors (0.962; ef 10 gives 0.632) and ef 30 on 50k real 384-d sentence embeddings
  (0.993; ef 10 gives 0.832), measured in docs/performance.md. An ``allowed`` filter
  is checked inside the graph walk (Vespa's pre-filter). hnswlib's index-wide ``ef``
  is set once, to the floor, and never changed (concurrent searches would race on
  it): hnswlib explores ``max(ef, k)``, so a search asks for ``target_hits`` results
  when that explores enough, and for all ``explore`` candidates (then keeps the best
  ``target_hits``) when more must be explored.
- hamming and geodegrees have no hnswlib space: the index keeps their vectors in
  a numpy matrix and searches exactly (popcount / haversine), which returns the true
  nearest neighbours.

Concurrency: one feed thread or several; every change takes a readers/writer lock
exclusively, searches share it (hnswlib searches in parallel with the GIL released;
the filter callable re-takes the GIL per visited node). Capacity doubles when a new
lid does not fit (``resize_index``, under the exclusive lock).

Complexity: insert O(M log n · ef_construction) distance computations, search
O(M log n · ef); memory per node ≈ 4·dimensions + 8·M bytes on level 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hnswlib
import numpy as np
import numpy.typing as npt

from content.hnsw._rwlock import ReadWriteLock
from content.hnsw._topk import smallest, within
from content.hnsw.access import LidArray, LidFilter, filter_lids
from content.hnsw.metric import (
    DistanceMetric,
    FloatArray,
    exact_distances,
    from_hnswlib,
    hamming_distances,
    int8_bytes,
)

ABSENT, LIVE, REMOVED = 0, 1, 2
"""A lid's state in the index: never inserted, holding a vector, marked deleted."""

MIN_EXPLORE = 48
"""The fewest candidates a graph search explores (hnswlib ``ef``), whatever targetHits."""

_UNKNOWN = 0
"""The digest of a lid whose vector is not remembered (loaded from a snapshot)."""


@dataclass(frozen=True, slots=True)
class HnswSettings:
    """The knobs of one index, as the schema's ``hnsw`` block names them."""

    dimensions: int
    metric: DistanceMetric
    max_links_per_node: int = 16
    """Vespa ``max-links-per-node``, hnswlib ``M`` (level 0 keeps 2·M links)."""
    neighbors_to_explore_at_insert: int = 200
    """Vespa ``neighbors-to-explore-at-insert``, hnswlib ``ef_construction``."""
    random_seed: int = 100
    """Seeds hnswlib's level generator, so a build is reproducible."""


@dataclass(frozen=True, slots=True)
class HnswSnapshot:
    """An index's whole state at one moment, for the serializer and reader."""

    settings: HnswSettings
    states: npt.NDArray[np.uint8]
    """ABSENT / LIVE / REMOVED by lid."""
    graph: dict[str, Any] | None
    """hnswlib's own state (scalars and numpy arrays); None for exact metrics."""
    rows: npt.NDArray[Any] | None
    """The vectors by lid for exact metrics (uint8 bytes for hamming, float32 lat/lng)."""
    digests: npt.NDArray[np.uint64] | None = None
    """Each lid's vector digest (so re-putting the same vector after a load leaves the
    graph alone, as before it); None in files written before digests were kept."""


class HnswIndex:
    """Approximate nearest neighbours of one tensor field, by lid."""

    def __init__(
        self,
        dimensions: int,
        metric: DistanceMetric | str,
        max_links_per_node: int = 16,
        neighbors_to_explore_at_insert: int = 200,
        initial_capacity: int = 1024,
        random_seed: int = 100,
        insert_threads: int = 1,
        min_explore: int = MIN_EXPLORE,
    ) -> None:
        """Create an empty index; ``min_explore`` is the floor on candidates explored.

        Raises:
            ValueError: for an unknown metric, non-positive sizes, or geodegrees with
                other than 2 dimensions.
        """
        settings = HnswSettings(
            dimensions,
            DistanceMetric.parse(metric),
            max_links_per_node,
            neighbors_to_explore_at_insert,
            random_seed,
        )
        _validate(settings, initial_capacity, insert_threads)
        self._start(settings, np.zeros(initial_capacity, dtype=np.uint8), insert_threads)
        self.min_explore = min_explore
        if self._graph is not None:
            self._graph.init_index(
                max_elements=initial_capacity,
                M=max_links_per_node,
                ef_construction=neighbors_to_explore_at_insert,
                random_seed=random_seed,
                allow_replace_deleted=False,
            )
            self._graph.set_ef(min_explore)

    @classmethod
    def from_snapshot(cls, snapshot: HnswSnapshot, insert_threads: int = 1) -> HnswIndex:
        """Return an index holding ``snapshot``'s state: its graph is loaded, not rebuilt."""
        index = cls.__new__(cls)
        index._start(snapshot.settings, snapshot.states.copy(), insert_threads)
        index.min_explore = MIN_EXPLORE
        if snapshot.graph is not None:
            graph = hnswlib.Index.__new__(hnswlib.Index)
            graph.__setstate__((snapshot.graph,))
            graph.set_ef(MIN_EXPLORE)
            index._graph = graph
        elif snapshot.rows is not None:
            index._rows = snapshot.rows.copy()
        if snapshot.digests is not None and snapshot.digests.shape == snapshot.states.shape:
            index._digests = snapshot.digests.copy()
        return index

    def _start(self, settings: HnswSettings, states: npt.NDArray[np.uint8], threads: int) -> None:
        self.settings = settings
        self.metric = settings.metric
        self.dimensions = settings.dimensions
        self._lock = ReadWriteLock()
        self._states = states
        self._live = int(np.count_nonzero(states == LIVE))
        self._digests = np.zeros(states.size, dtype=np.uint64)
        """Each lid's vector as a 64-bit digest of its float32 bytes, _UNKNOWN if not known."""
        self._insert_threads = threads
        space = settings.metric.hnswlib_space
        self._graph: Any = None if space is None else hnswlib.Index(space, settings.dimensions)
        # Exact metrics keep their vectors here; graph metrics keep them in hnswlib.
        rows = 0 if self._graph is not None else states.size
        dtype = np.uint8 if settings.metric is DistanceMetric.HAMMING else np.float32
        self._rows: npt.NDArray[Any] = np.zeros((rows, self.dimensions), dtype)

    @property
    def size(self) -> int:
        """How many lids hold a vector."""
        return self._live

    @property
    def has_graph(self) -> bool:
        """Whether searches are approximate (an HNSW graph), not exact scans."""
        return self._graph is not None

    def contains(self, lid: int) -> bool:
        """Whether ``lid`` holds a vector."""
        return lid < self._states.size and int(self._states[lid]) == LIVE

    def live_lids(self) -> LidArray:
        """The lids holding a vector, ascending."""
        with self._lock.reading():
            return np.flatnonzero(self._states == LIVE).astype(np.uint32)

    def live_mask(self, lids: LidArray) -> npt.NDArray[np.bool_]:
        """Whether each of ``lids`` holds a vector."""
        with self._lock.reading():
            out = np.zeros(lids.size, dtype=bool)
            inside = lids < self._states.size
            out[inside] = self._states[lids[inside]] == LIVE
            return out

    def set_vector(self, lid: int, vector: npt.ArrayLike) -> None:
        """Insert ``lid``'s vector, or replace it in place.

        Raises:
            ValueError: when the vector does not have ``dimensions`` cells.
        """
        self.set_vectors(np.array([lid], dtype=np.uint32), np.asarray(vector).reshape(1, -1))

    def set_vectors(self, lids: npt.ArrayLike, vectors: npt.ArrayLike) -> None:
        """Insert or replace many vectors at once (row i is ``lids[i]``'s).

        Uses ``insert_threads`` hnswlib threads; the lids must be distinct.

        Raises:
            ValueError: when the shapes do not match ``dimensions`` and the lids.
        """
        labels = np.asarray(lids, dtype=np.int64).reshape(-1)
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape != (labels.size, self.dimensions):
            raise ValueError(
                f"Expected {labels.size} vectors of {self.dimensions} cells, "
                f"got an array of shape {matrix.shape}."
            )
        if labels.size == 0:
            return
        digests = np.array([_digest(row) for row in matrix], dtype=np.uint64)
        with self._lock.writing():
            self._ensure_capacity(int(labels.max()) + 1)
            if self._graph is not None:
                same = (self._digests[labels] == digests) & (digests != _UNKNOWN)
                for lid in labels[same & (self._states[labels] == REMOVED)].tolist():
                    self._graph.unmark_deleted(lid)
                changed = ~same
                if changed.any():
                    self._graph.add_items(
                        matrix[changed], labels[changed], num_threads=self._insert_threads
                    )
            elif self.metric is DistanceMetric.HAMMING:
                self._rows[labels] = int8_bytes(matrix)
            else:
                self._rows[labels] = matrix
            self._live += int(np.count_nonzero(self._states[labels] != LIVE))
            self._states[labels] = LIVE
            self._digests[labels] = digests

    def remove(self, lid: int) -> None:
        """Remove ``lid``'s vector; removing a lid without one is not an error."""
        with self._lock.writing():
            if not self.contains(lid):
                return
            if self._graph is not None:
                self._graph.mark_deleted(lid)
            self._states[lid] = REMOVED
            self._live -= 1

    def search(
        self,
        query: npt.ArrayLike,
        target_hits: int,
        explore_additional_hits: int = 0,
        allowed: LidFilter | None = None,
        distance_threshold: float | None = None,
    ) -> tuple[LidArray, FloatArray]:
        """Return up to ``target_hits`` nearest lids and their Vespa distances, nearest first.

        Only lids in ``allowed`` (when given) are returned; hits farther than
        ``distance_threshold`` are dropped after the top ``target_hits`` are chosen,
        as Vespa does.
        """
        probe = self._probe(query)
        with self._lock.reading():
            if self._graph is None:
                lids, found = self._scan(probe, target_hits, allowed)
            else:
                explore = self._explore(target_hits, explore_additional_hits)
                lids, raw = self._walk(probe, self._results(target_hits, explore), allowed)
                found = from_hnswlib(self.metric, raw, probe)
        return within(lids[:target_hits], found[:target_hits], distance_threshold)

    def nearest_lids(
        self,
        query: npt.ArrayLike,
        target_hits: int,
        explore_additional_hits: int = 0,
        allowed: LidFilter | None = None,
    ) -> LidArray:
        """Return the lids :meth:`search` would, without their distances.

        For callers that compute exact distances from the document vectors anyway;
        a graph search then skips converting hnswlib's.
        """
        if self._graph is None:
            return self.search(query, target_hits, explore_additional_hits, allowed)[0]
        probe = self._probe(query)
        explore = self._explore(target_hits, explore_additional_hits)
        with self._lock.reading():
            lids, _ = self._walk(probe, self._results(target_hits, explore), allowed)
        return lids[:target_hits]

    def _probe(self, query: npt.ArrayLike) -> npt.NDArray[np.float32]:
        probe = np.asarray(query, dtype=np.float32).reshape(-1)
        if probe.size != self.dimensions:
            raise ValueError(f"Expected a query of {self.dimensions} cells, got {probe.size}.")
        return probe

    def _explore(self, target_hits: int, explore_additional_hits: int) -> int:
        return max(target_hits, target_hits + explore_additional_hits, self.min_explore)

    def _results(self, target_hits: int, explore: int) -> int:
        """hnswlib's ``k`` for exploring ``explore`` candidates with ``ef`` at the floor."""
        return target_hits if explore <= self.min_explore else explore

    def snapshot(self) -> HnswSnapshot:
        """Return a copy of the whole state, taken while no write runs."""
        with self._lock.reading():
            graph = None
            rows = None
            if self._graph is not None:
                (graph,) = self._graph.__getstate__()
            else:
                rows = self._rows.copy()
            states, digests = self._states.copy(), self._digests.copy()
            return HnswSnapshot(self.settings, states, graph, rows, digests)

    def _walk(
        self, probe: npt.NDArray[np.float32], k: int, allowed: LidFilter | None
    ) -> tuple[LidArray, npt.NDArray[np.float32]]:
        """The up to ``k`` nearest lids with hnswlib's raw distances, nearest first."""
        available = self._live if allowed is None else min(self._live, len(allowed))
        k = min(k, available)
        check = None if allowed is None else allowed.__contains__
        try:
            return self._knn(probe, k, check)
        except RuntimeError:
            # hnswlib raises when it reaches fewer than k allowed nodes; then return the
            # largest k it can fill (rare: the planner scans restrictive filters exactly).
            fits, fails = 0, k
        best = self._knn(probe, 0, check)
        while fails - fits > 1:
            trial = (fits + fails) // 2
            try:
                best = self._knn(probe, trial, check)
            except RuntimeError:
                fails = trial
                continue
            fits = trial
        return best

    def _knn(
        self, probe: npt.NDArray[np.float32], k: int, check: Callable[[int], bool] | None
    ) -> tuple[LidArray, npt.NDArray[np.float32]]:
        if k <= 0:
            return np.zeros(0, np.uint32), np.zeros(0, np.float32)
        labels, raw = self._graph.knn_query(probe, k=k, num_threads=1, filter=check)
        return labels[0].astype(np.uint32), raw[0]

    def _scan(
        self, probe: npt.NDArray[np.float32], k: int, allowed: LidFilter | None
    ) -> tuple[LidArray, FloatArray]:
        candidates = np.flatnonzero(self._states == LIVE).astype(np.uint32)
        if allowed is not None:
            candidates = np.intersect1d(candidates, filter_lids(allowed), assume_unique=True)
        if self.metric is DistanceMetric.HAMMING:
            found = hamming_distances(self._rows[candidates], int8_bytes(probe))
        else:
            found = exact_distances(self.metric, self._rows[candidates], probe)
        return smallest(candidates, found, k)

    def _ensure_capacity(self, needed: int) -> None:
        capacity = self._states.size
        if needed <= capacity:
            return
        grown = max(needed, 2 * capacity)
        self._states = np.concatenate([self._states, np.zeros(grown - capacity, np.uint8)])
        self._digests = np.concatenate([self._digests, np.zeros(grown - capacity, np.uint64)])
        if self._graph is not None:
            self._graph.resize_index(grown)
        else:
            extra = np.zeros((grown - capacity, self.dimensions), self._rows.dtype)
            self._rows = np.concatenate([self._rows, extra])


def _digest(vector: npt.NDArray[np.float32]) -> int:
    """A 64-bit digest of a vector's float32 bytes, never _UNKNOWN."""
    digest = int.from_bytes(hashlib.blake2b(vector.tobytes(), digest_size=8).digest(), "little")
    return digest or 1


def _validate(settings: HnswSettings, initial_capacity: int, insert_threads: int) -> None:
    if settings.dimensions <= 0:
        raise ValueError(f"Expected a positive number of dimensions, got {settings.dimensions}.")
    if settings.metric is DistanceMetric.GEODEGREES and settings.dimensions != 2:
        raise ValueError(
            f"geodegrees needs 2 dimensions (latitude, longitude), got {settings.dimensions}."
        )
    for name, value in (
        ("max-links-per-node", settings.max_links_per_node),
        ("neighbors-to-explore-at-insert", settings.neighbors_to_explore_at_insert),
        ("initial capacity", initial_capacity),
        ("insert threads", insert_threads),
    ):
        if value <= 0:
            raise ValueError(f"Expected a positive {name}, got {value}.")
