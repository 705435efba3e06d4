"""Vespa's distance metrics for tensor fields, and closeness from distance.

For a query vector q and document vectors v (rows of a float32 matrix):

| metric | distance | closeness |
|---|---|---|
| euclidean | sqrt(sum((q - v)^2)) | 1 / (1 + distance) |
| angular | the angle acos(cos(q, v)) in radians, 0..pi | 1 / (1 + distance) |
| prenormalized-angular | 1 - q·v / |q|^2 (clipped to 0..2) | 1 / (1 + distance) |
| dotproduct | -(q·v) | q·v |
| hamming | differing bits of the int8 cells | 1 / (1 + distance) |

as Vespa's nearest-neighbor reference defines them. A zero vector has cosine 0 with
everything (angle pi/2). All functions are vectorised over the rows; like Vespa with
float cells, the arithmetic runs in float32 (BLAS for the dot products) and the
results are widened to float64.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from content.attribute.base import LidArray
from content.attribute.mixed_tensor import MixedTensorAttribute
from content.attribute.tensor import DenseTensorAttribute, row_norms

FloatArray = npt.NDArray[np.float64]
METRICS = ("euclidean", "angular", "prenormalized-angular", "dotproduct", "hamming")
_DOT_METRICS = ("angular", "prenormalized-angular", "dotproduct")
"""Metrics computed from one matrix-vector product, with no per-row temporary."""
_WHOLE_MATRIX_SHARE = 4
"""Scan the whole matrix when the wanted lids are at least a quarter of its rows."""


def distances(
    metric: str,
    vectors: npt.NDArray[np.float32],
    query: npt.NDArray[np.float32],
    norms: npt.NDArray[np.float64] | None = None,
) -> FloatArray:
    """Return the distance from ``query`` to each row of ``vectors`` under ``metric``.

    ``norms`` are the rows' norms when the caller keeps them (angular uses them
    instead of recomputing them, see `content.attribute.tensor.row_norms`).

    Raises:
        ValueError: for a metric this module does not implement.
    """
    rows = np.asarray(vectors, dtype=np.float32)
    probe = np.asarray(query, dtype=np.float32)
    if metric == "euclidean":
        diff = rows - probe
        squared: FloatArray = np.einsum("ij,ij->i", diff, diff).astype(np.float64)
        return np.sqrt(squared)
    if metric == "dotproduct":
        return -_dots(rows, probe)
    if metric == "prenormalized-angular":
        # Vespa divides by |q|^2 (1 for a zero query) and reports the cosine distance.
        norm = float(probe.astype(np.float64) @ probe.astype(np.float64)) or 1.0
        return 1.0 - np.clip(_dots(rows, probe) / norm, -1.0, 1.0)
    if metric == "angular":
        return np.arccos(np.clip(_cosines(rows, probe, norms), -1.0, 1.0))
    if metric == "hamming":
        cells = np.asarray(vectors, dtype=np.float64).astype(np.int64).astype(np.uint8)
        probe = np.asarray(query, dtype=np.float64).astype(np.int64).astype(np.uint8)
        bits = np.unpackbits(np.bitwise_xor(cells, probe), axis=1)
        counted: FloatArray = bits.sum(axis=1).astype(np.float64)
        return counted
    raise ValueError(f"distance metric '{metric}' is not supported; use one of {METRICS}")


def closeness(metric: str, distance: FloatArray) -> FloatArray:
    """Return Vespa's closeness for distances under ``metric``."""
    if metric == "dotproduct":
        return -distance
    return 1.0 / (1.0 + distance)


def _dots(rows: npt.NDArray[np.float32], probe: npt.NDArray[np.float32]) -> FloatArray:
    dots: FloatArray = (rows @ probe).astype(np.float64)
    return dots


def _cosines(
    rows: npt.NDArray[np.float32],
    probe: npt.NDArray[np.float32],
    stored: npt.NDArray[np.float64] | None,
) -> FloatArray:
    lengths = row_norms(rows) if stored is None else stored
    norms = lengths * float(np.linalg.norm(probe.astype(np.float64)))
    dots = _dots(rows, probe)
    safe = np.where(norms > 0, norms, 1.0)
    return np.where(norms > 0, dots / safe, 0.0)


def closest_distances(
    attribute: DenseTensorAttribute | MixedTensorAttribute,
    metric: str,
    query: npt.NDArray[np.float32],
    lids: LidArray,
) -> tuple[LidArray, FloatArray]:
    """Return the sorted ``lids`` that hold vectors and each one's distance to ``query``.

    A mixed tensor (several vectors per document) is as close as its closest vector.
    """
    if isinstance(attribute, DenseTensorAttribute):
        has = lids[attribute.presence_for(lids)]
        if metric in _DOT_METRICS and has.size * _WHOLE_MATRIX_SHARE >= attribute.size:
            # Most of the matrix is wanted: one product over all of it (a view, no
            # copy), then pick the wanted rows' distances.
            matrix, norms = attribute.rows()
            return has, distances(metric, matrix, query, norms)[has]
        wanted = attribute.norms_for(has) if metric == "angular" else None
        return has, distances(metric, attribute.vectors_for(has), query, wanted)
    rows, owners = attribute.rows_for(lids)
    best = np.full(lids.size, np.inf)
    np.minimum.at(best, owners, distances(metric, attribute.vectors(rows), query))
    found = np.isfinite(best)
    return lids[found], best[found]
