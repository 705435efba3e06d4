"""HNSW: given a query vector, the nearest documents of one tensor field.

The library layer under ``content/node`` for ``index: hnsw`` tensor fields (Vespa's
``searchlib/tensor``): :class:`HnswIndex` adapts hnswlib (insert, update in place,
remove, filtered search, growth, a readers/writer lock); :mod:`.metric` maps Vespa's
distance metrics onto it; the serializer/reader pair persists an index to a
``content.storage.Directory`` and loads it back without rebuilding; and
:func:`nearest_neighbors` runs a nearestNeighbor term the way Vespa plans it
(:func:`plan_nearest_neighbor`: exact scan, pre-filtered graph, or post-filter).
Vectors are read through :class:`DocVectorAccess`, filters are :class:`LidFilter`
(a pyroaring ``BitMap``), so this package imports neither attributes nor the index.

Useful for: approximate and exact k-nearest-neighbour search over one field's vectors
by lid. Not useful for: ranking (distances become ``closeness`` in ranking), or
multi-vector (mixed tensor) fields, which it does not index.
"""

from __future__ import annotations

from content.hnsw.access import DocVectorAccess, LidArray, LidFilter
from content.hnsw.index import MIN_EXPLORE, HnswIndex, HnswSettings, HnswSnapshot
from content.hnsw.metric import DistanceMetric, closeness, exact_distances
from content.hnsw.plan import (
    NearestNeighborAlgorithm,
    NearestNeighborPlan,
    NearestNeighborThresholds,
    plan_nearest_neighbor,
)
from content.hnsw.reader import HnswCorruptionError, load_index, read_index
from content.hnsw.search import exact_nearest_neighbors, nearest_neighbors
from content.hnsw.serializer import save_index, serialize_index

__all__ = [
    "MIN_EXPLORE",
    "DistanceMetric",
    "DocVectorAccess",
    "HnswCorruptionError",
    "HnswIndex",
    "HnswSettings",
    "HnswSnapshot",
    "LidArray",
    "LidFilter",
    "NearestNeighborAlgorithm",
    "NearestNeighborPlan",
    "NearestNeighborThresholds",
    "closeness",
    "exact_distances",
    "exact_nearest_neighbors",
    "load_index",
    "nearest_neighbors",
    "plan_nearest_neighbor",
    "read_index",
    "save_index",
    "serialize_index",
]
