"""Vespa's distance metrics, mapped onto hnswlib's spaces, and their exact numpy forms.

For a query vector q and a document vector v (float32 cells; int8 cells for hamming):

- **euclidean**: distance sqrt(sum((q - v)^2)); closeness 1 / (1 + distance).
  hnswlib ``l2`` reports the *squared* distance d, so Vespa's is sqrt(d).
- **angular**: distance = the angle acos(q·v / (abs(q) abs(v))) in radians, 0..pi;
  closeness 1 / (1 + distance). hnswlib ``cosine`` reports d = 1 - cos: acos(1 - d).
- **dotproduct**: distance -(q·v); closeness q·v (= -distance).
  hnswlib ``ip`` reports d = 1 - q·v: d - 1.
- **prenormalized-angular**: distance 1 - q·v / abs(q)^2 (1 - q·v for a unit query);
  closeness 1 / (1 + distance). hnswlib ``ip``: 1 - (1 - d) / abs(q)^2.
- **hamming**: distance = the number of bits that differ between the int8 cells;
  closeness 1 / (1 + distance). No hnswlib space: exact popcount in numpy.
- **geodegrees**: distance = great-circle distance in km between [lat, lng] in
  degrees; closeness 1 / (1 + distance). No hnswlib space: exact haversine in numpy.

These follow Vespa's schema reference (``distance-metric``) and the ``closeness`` and
``distance`` rank features. Vespa's graph for prenormalized-angular stores
``abs(q)^2 - q·v`` and reports ``1 - cos`` with cos = q·v / abs(q)^2 (its
``to_rawscore``), which is why the query's squared norm appears above; a zero query
counts as norm 1. A zero vector has cosine 0 with everything under angular (angle
pi/2), as hnswlib's normalisation leaves it zero. geodegrees uses the haversine
formula on a sphere of Vespa's mean earth radius, 6371.0088 km.

Deviations: Vespa searches dotproduct through a MIPS transform to a euclidean graph;
hnswlib searches the raw inner product, which can lower recall for vectors of very
different norms. Exact distances (:func:`exact_distances`) run in float32 with BLAS
for dot products and are widened to float64, like Vespa with float cells.
"""

from __future__ import annotations

import enum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
VectorMatrix = npt.NDArray[np.float32]

EARTH_MEAN_RADIUS_KM = 6371.0088
"""The sphere geodegrees measures on (Vespa's mean earth radius)."""


class DistanceMetric(enum.Enum):
    """A tensor field's ``distance-metric``, named as in Vespa's schema language."""

    EUCLIDEAN = "euclidean"
    ANGULAR = "angular"
    DOTPRODUCT = "dotproduct"
    PRENORMALIZED_ANGULAR = "prenormalized-angular"
    HAMMING = "hamming"
    GEODEGREES = "geodegrees"

    @classmethod
    def parse(cls, name: str | DistanceMetric) -> DistanceMetric:
        """Return the metric called ``name`` (a metric is returned as is).

        Raises:
            ValueError: for a name Vespa does not define.
        """
        if isinstance(name, DistanceMetric):
            return name
        try:
            return cls(name)
        except ValueError:
            known = ", ".join(m.value for m in cls)
            raise ValueError(
                f"Unknown distance-metric '{name}'; expected one of {known}."
            ) from None

    @property
    def hnswlib_space(self) -> str | None:
        """The hnswlib space that orders like this metric, None when there is none."""
        return _SPACES.get(self)


_SPACES = {
    DistanceMetric.EUCLIDEAN: "l2",
    DistanceMetric.ANGULAR: "cosine",
    DistanceMetric.DOTPRODUCT: "ip",
    DistanceMetric.PRENORMALIZED_ANGULAR: "ip",
}


def from_hnswlib(
    metric: DistanceMetric, raw: npt.NDArray[np.float32], query: VectorMatrix
) -> FloatArray:
    """Convert distances hnswlib reported for ``query`` into Vespa's distances.

    Raises:
        ValueError: for a metric without an hnswlib space.
    """
    found = raw.astype(np.float64)
    if metric is DistanceMetric.EUCLIDEAN:
        return np.sqrt(np.maximum(found, 0.0))
    if metric is DistanceMetric.ANGULAR:
        return np.arccos(np.clip(1.0 - found, -1.0, 1.0))
    if metric is DistanceMetric.DOTPRODUCT:
        return found - 1.0
    if metric is DistanceMetric.PRENORMALIZED_ANGULAR:
        return 1.0 - (1.0 - found) / _query_norm_sq(query)
    raise ValueError(f"distance-metric '{metric.value}' has no hnswlib space")


def exact_distances(metric: DistanceMetric, rows: VectorMatrix, query: VectorMatrix) -> FloatArray:
    """Return Vespa's distance from ``query`` to every row of ``rows``, vectorised.

    For hamming, both hold int8 cell values (as any numeric dtype); for geodegrees
    each row is ``[latitude, longitude]`` in degrees.
    """
    if metric is DistanceMetric.HAMMING:
        return hamming_distances(int8_bytes(rows), int8_bytes(query.reshape(1, -1))[0])
    if metric is DistanceMetric.GEODEGREES:
        return geo_distances_km(rows, query)
    vectors = np.asarray(rows, dtype=np.float32)
    probe = np.asarray(query, dtype=np.float32).reshape(-1)
    if metric is DistanceMetric.EUCLIDEAN:
        diff = vectors - probe
        squared: FloatArray = np.einsum("ij,ij->i", diff, diff).astype(np.float64)
        return np.sqrt(squared)
    dots: FloatArray = (vectors @ probe).astype(np.float64)
    if metric is DistanceMetric.DOTPRODUCT:
        return -dots
    if metric is DistanceMetric.PRENORMALIZED_ANGULAR:
        return 1.0 - dots / _query_norm_sq(probe)
    norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64))
    norms *= float(np.linalg.norm(probe.astype(np.float64)))
    cosines: FloatArray = np.where(norms > 0, dots / np.where(norms > 0, norms, 1.0), 0.0)
    return np.arccos(np.clip(cosines, -1.0, 1.0))


def closeness(metric: DistanceMetric, distance: FloatArray) -> FloatArray:
    """Return Vespa's ``closeness`` for distances under ``metric``."""
    if metric is DistanceMetric.DOTPRODUCT:
        return -distance
    return 1.0 / (1.0 + distance)


def int8_bytes(cells: npt.NDArray[np.generic]) -> npt.NDArray[np.uint8]:
    """Return int8 cell values (any numeric dtype, -128..127) as their raw bytes."""
    return np.asarray(cells).astype(np.int64).astype(np.int8).view(np.uint8)


def hamming_distances(rows: npt.NDArray[np.uint8], query: npt.NDArray[np.uint8]) -> FloatArray:
    """Return the number of differing bits between ``query`` and each row (raw bytes)."""
    differing = np.bitwise_xor(rows, query)
    counted: FloatArray = _POPCOUNT[differing].sum(axis=1, dtype=np.int64).astype(np.float64)
    return counted


def geo_distances_km(rows: VectorMatrix, query: VectorMatrix) -> FloatArray:
    """Return great-circle distances in km from ``query`` to each ``[lat, lng]`` row."""
    points = np.radians(np.asarray(rows, dtype=np.float64).reshape(-1, 2))
    lat_q, lng_q = np.radians(np.asarray(query, dtype=np.float64).reshape(2))
    lat, lng = points[:, 0], points[:, 1]
    hav = _hav(lat - lat_q) + np.cos(lat) * np.cos(lat_q) * _hav(lng - lng_q)
    angle = 2.0 * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    distance: FloatArray = angle * EARTH_MEAN_RADIUS_KM
    return distance


def _hav(angle: FloatArray) -> FloatArray:
    half: FloatArray = np.sin(angle / 2.0) ** 2
    return half


def _query_norm_sq(query: VectorMatrix) -> float:
    probe = np.asarray(query, dtype=np.float64).reshape(-1)
    norm_sq = float(probe @ probe)
    return norm_sq if norm_sq > 0.0 else 1.0


_POPCOUNT = np.array([bin(byte).count("1") for byte in range(256)], dtype=np.uint8)
