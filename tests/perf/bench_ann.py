"""Benchmark: nearestNeighbor through DocumentTypeIndex.search vs raw hnswlib, same graph.

Feeds clustered float32 vectors (default 100,000 x 128 dimensions around 100 Gaussian
centres, unit variance, fixed seed: the data of ``bench_hnsw`` and issue 6) one
document at a time through ``DocumentTypeIndex.put`` into a schema whose tensor field
has ``index: hnsw`` (M=16, ef_construction=200), plus an ``int`` attribute ``group``
(lid mod 100) and the same values in a ``fast-search`` one, ``fastgroup``. The raw
side is a ``hnswlib.Index`` loaded from a copy of that field's graph, so both search
the identical graph and the ratio is the engine's overhead alone.

For each ef (``hnsw.exploreAdditionalHits = ef - 10``; raw: ``set_ef(ef)``), starting
at the engine's floor on explored candidates (``content.hnsw.MIN_EXPLORE``, 48: below
it the engine explores 48 anyway, so the sides would not search alike), it measures
recall@10 against a numpy brute force and single-query rate, one query per call, on
one thread, in queries per CPU-second:

- *engine*: ``DocumentTypeIndex.search`` of ``{targetHits:10}nearestNeighbor(embedding, q)``
  (rank profile ``closeness(field, embedding)``, 10 hits), the query tensor sent as
  JSON, as the content node receives it;
- *raw*: ``knn_query(q, k=10, num_threads=1)``;
- *filtered 10%*: the same with ``group < 10`` (a scan of the attribute) or
  ``fastgroup < 10`` (a union of its posting lists) in an ``and``, evaluated into a
  bitmap per query, which the graph walk then checks; raw: the same filter as a
  prebuilt pyroaring ``BitMap``'s ``__contains__``.

The engines take turns for ``ROUNDS`` rounds and keep their best round. It prints,
per case, the lowest ef reaching recall@10 ≥ 0.95 for each side and the rate ratio
there. Last, recall@10 at Vespa's default settings (``targetHits`` 10, nothing
else): fresh, after removing a random 10% of the documents and putting them back
under the same lids, and after removing another 10% and adding their vectors back as
new documents under new lids (where the graph must link new nodes around deleted ones).
Not a test: ``.venv/bin/python -m tests.perf.bench_ann [DOCUMENTS [DIMENSIONS]]``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import hnswlib
import numpy as np
import numpy.typing as npt
from pyroaring import BitMap

from content.hnsw import MIN_EXPLORE
from content.matching import DocumentTypeIndex
from tests.perf.bench_bm25 import machine
from vespid.config import FieldConfig, HnswConfig, InputConfig, RankProfileConfig, SchemaConfig
from vespid.messages import (
    AndItem,
    Item,
    NearestNeighborItem,
    RangeItem,
    SearchRequest,
    item_to_json,
)

Matrix = npt.NDArray[np.float32]
Search = Callable[[Any], Sequence[int]]
EFS = (MIN_EXPLORE, 64, 96, 128)
QUERIES = 200
ROUNDS = 3
RECALL = 0.95


def schema(dimensions: int) -> SchemaConfig:
    return SchemaConfig(
        "points",
        fields=(
            FieldConfig(
                "embedding",
                f"tensor<float>(x[{dimensions}])",
                attribute=True,
                hnsw=HnswConfig(16, 200),
            ),
            FieldConfig("group", "int", attribute=True),
            FieldConfig("fastgroup", "int", attribute=True, fast_search=True),
        ),
        rank_profiles=(
            RankProfileConfig(
                "nn",
                inputs=(InputConfig("q", f"tensor<float>(x[{dimensions}])"),),
                first_phase="closeness(field, embedding)",
            ),
        ),
    )


def clustered(rng: np.random.Generator, count: int, centers: npt.NDArray[np.float64]) -> Matrix:
    picked = centers[rng.integers(0, len(centers), count)]
    return (picked + rng.normal(size=(count, centers.shape[1]))).astype(np.float32)


def true_top10(vectors: Matrix, queries: Matrix, allowed: BitMap | None) -> list[set[int]]:
    lids = np.arange(len(vectors)) if allowed is None else np.array(allowed.to_array())
    rows = vectors[lids].astype(np.float64)
    norms = np.einsum("ij,ij->i", rows, rows)
    tops = []
    for query in queries.astype(np.float64):
        best = np.argpartition(norms - 2.0 * (rows @ query), 10)[:10]
        tops.append(set(lids[best].tolist()))
    return tops


def engine_search(index: DocumentTypeIndex) -> Search:
    """A prepared request (which carries ef) → the hit lids."""

    def search(request: SearchRequest) -> list[int]:
        return [hit.lid for hit in index.search(request).hits]

    return search


def engine_requests(queries: Matrix, ef: int, filtered: str | None) -> list[SearchRequest]:
    """Requests exploring ``ef`` candidates; ``filtered`` names the attribute of the
    10% filter (None: no filter)."""
    tree: Item = NearestNeighborItem(
        "embedding", "q", target_hits=10, explore_additional_hits=ef - 10
    )
    if filtered is not None:
        tree = AndItem((RangeItem(filtered, upper=10.0, include_upper=False), tree))
    query = item_to_json(tree)
    return [
        SearchRequest(("points",), query, "nn", inputs={"q": q.tolist()}, hits=10) for q in queries
    ]


def raw_search(graph: hnswlib.Index, allowed: BitMap | None) -> Callable[[int], Search]:
    check = None if allowed is None else allowed.__contains__

    def at(ef: int) -> Search:
        def search(query: Matrix) -> list[int]:
            graph.set_ef(ef)
            labels, _ = graph.knn_query(query, k=10, num_threads=1, filter=check)
            found: list[int] = labels[0].tolist()
            return found

        return search

    return at


def measure(
    sides: Sequence[tuple[Search, Sequence[Any]]], truth: list[set[int]]
) -> list[tuple[float, float]]:
    """(recall@10, queries per CPU-second) per side, best of ROUNDS taking turns."""
    best = [float("inf")] * len(sides)
    found: list[list[Sequence[int]]] = [[] for _ in sides]
    for _ in range(ROUNDS):
        for i, (search, prepared) in enumerate(sides):
            start = time.process_time()
            found[i] = [search(query) for query in prepared]
            best[i] = min(best[i], time.process_time() - start)
    out = []
    for i, hits in enumerate(found):
        recall = np.mean([len(set(h) & t) / 10 for h, t in zip(hits, truth, strict=True)])
        out.append((float(recall), len(truth) / max(best[i], 1e-9)))
    return out


def build(count: int, dimensions: int) -> tuple[DocumentTypeIndex, Matrix, Matrix, float]:
    rng = np.random.default_rng(2026)
    centers = rng.normal(size=(100, dimensions))
    vectors = clustered(rng, count, centers)
    queries = clustered(rng, QUERIES, centers)
    index = DocumentTypeIndex(schema(dimensions))
    start = time.process_time()
    for lid in range(count):
        put(index, lid, vectors[lid])
    return index, vectors, queries, time.process_time() - start


def raw_copy(index: DocumentTypeIndex) -> hnswlib.Index:
    """A plain hnswlib index holding a copy of the field's graph, for the raw side."""
    snapshot = index.hnsw_indexes["embedding"].snapshot()
    assert snapshot.graph is not None
    graph = hnswlib.Index.__new__(hnswlib.Index)
    graph.__setstate__((snapshot.graph,))
    return graph


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    dimensions = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    sys.stdout.write(f"ann top-10, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    sys.stdout.write(f"  machine: {machine()}\n")
    index, vectors, queries, seconds = build(count, dimensions)
    sys.stdout.write(
        f"  {count} x {dimensions}-d clustered, M=16, ef_construction=200: fed one by one "
        f"through DocumentTypeIndex.put in {seconds:.0f} CPU-s\n"
    )
    graph = raw_copy(index)
    allowed = BitMap(np.flatnonzero(np.arange(count) % 100 < 10).astype(np.uint32).tolist())
    cases = (
        ("no filter", None),
        ("10% filter on an int attribute (scan)", "group"),
        ("10% filter on a fast-search int attribute (posting lists)", "fastgroup"),
    )
    for label, filtered in cases:
        truth = true_top10(vectors, queries, allowed if filtered else None)
        compare(index, graph, queries, truth, label, filtered, allowed)
    defaults(index, vectors, queries, count)


def compare(
    index: DocumentTypeIndex,
    graph: hnswlib.Index,
    queries: Matrix,
    truth: list[set[int]],
    label: str,
    filtered: str | None,
    allowed: BitMap,
) -> None:
    engine = engine_search(index)
    raw = raw_search(graph, allowed if filtered else None)
    sys.stdout.write(f"  -- {label}\n  {'ef':>4}{'engine r@10':>13}{'q/s':>8}")
    sys.stdout.write(f"{'raw r@10':>10}{'q/s':>8}{'ratio':>7}\n")
    first_ok: dict[str, tuple[int, float]] = {}
    for ef in EFS:
        (r_e, q_e), (r_r, q_r) = measure(
            [(engine, engine_requests(queries, ef, filtered)), (raw(ef), list(queries))],
            truth,
        )
        sys.stdout.write(f"  {ef:>4}{r_e:>13.3f}{q_e:>8.0f}{r_r:>10.3f}{q_r:>8.0f}")
        sys.stdout.write(f"{q_e / q_r:>7.2f}\n")
        sys.stdout.flush()
        for side, recall, qps in (("engine", r_e, q_e), ("raw", r_r, q_r)):
            if recall >= RECALL and side not in first_ok:
                first_ok[side] = (ef, qps)
        if len(first_ok) == 2:
            break
    if len(first_ok) == 2:
        (ef_e, q_e), (ef_r, q_r) = first_ok["engine"], first_ok["raw"]
        sys.stdout.write(
            f"  recall@10 >= {RECALL}: engine ef={ef_e} {q_e:.0f} q/s, raw ef={ef_r} "
            f"{q_r:.0f} q/s, ratio {q_e / q_r:.2f}\n"
        )


def defaults(index: DocumentTypeIndex, vectors: Matrix, queries: Matrix, count: int) -> None:
    """recall@10 at ``{targetHits:10}`` alone: fresh; after removing a random 10% and
    putting the same documents back under the same lids; after removing another 10%
    and putting their vectors back as new documents under new lids."""
    rows = np.arange(count)  # the row of ``vectors`` each lid holds, -1 for none
    rng = np.random.default_rng(7)
    for moment in ("fresh", "same lids re-put", "re-added under new lids"):
        churned = rng.choice(np.flatnonzero(rows >= 0), count // 10, replace=False).tolist()
        start = time.process_time()
        if moment == "same lids re-put":
            for lid in churned:
                index.remove(lid)
            for lid in churned:
                put(index, lid, vectors[rows[lid]])
        elif moment == "re-added under new lids":
            moved = rows[churned]
            for lid in churned:
                index.remove(lid)
            rows[churned] = -1
            rows = np.concatenate([rows, moved])
            for lid in range(rows.size - moved.size, rows.size):
                put(index, lid, vectors[rows[lid]])
        if moment != "fresh":
            seconds = time.process_time() - start
            sys.stdout.write(f"  {moment}: {len(churned)} documents in {seconds:.1f} CPU-s\n")
        live = np.flatnonzero(rows >= 0)
        matrix = np.zeros((rows.size, vectors.shape[1]), dtype=np.float32)
        matrix[live] = vectors[rows[live]]
        for filtered in (None, "group"):
            passing = live if filtered is None else live[live % 100 < 10]
            truth = true_top10(matrix, queries, BitMap(passing.astype(np.uint32).tolist()))
            found = [engine_search(index)(r) for r in engine_requests(queries, 10, filtered)]
            recall = np.mean([len(set(h) & t) / 10 for h, t in zip(found, truth, strict=True)])
            name = "no filter" if filtered is None else "10% filter"
            sys.stdout.write(f"  defaults, {moment}, {name}: recall@10 {recall:.3f}\n")


def put(index: DocumentTypeIndex, lid: int, vector: npt.NDArray[np.float32]) -> None:
    index.put(lid, {"embedding": {"values": vector}, "group": lid % 100, "fastgroup": lid % 100})


if __name__ == "__main__":
    main()
