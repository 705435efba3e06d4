"""Benchmark: ANN recall@10 and feed rate on real 384-d sentence embeddings.

Reads the cached embeddings of :mod:`tests.perf.embeddings` (all-MiniLM-L6-v2 over
paragraphs of this machine's man pages and docs, unit length; generate them first,
see that module). The last ``QUERIES`` rows are held-out paragraphs used as queries;
the rest (at most ``DOCUMENTS``) are the documents.

Schema ``passages``: ``embedding`` ``tensor<float>(x[384])``, attribute, ``index: hnsw``
at Vespa's defaults (max-links-per-node 16, neighbors-to-explore-at-insert 200),
``distance-metric: angular``; ``group`` ``int`` attribute (lid mod 100), so
``group < 10`` lets 10% of the documents through and ``group < 1`` 1%. Rank profile
``nn`` ranks by ``closeness(field, embedding)`` with Vespa's default thresholds
(approximate-threshold 0.05, post-filter-threshold 1.0), so the 1% filter is searched
exactly (Vespa's exact fallback); profile ``graph`` is the same with
approximate-threshold 0, to also show the graph walk under a 1% filter.

Everything goes through ``content.matching.DocumentTypeIndex``:

1. feed: every document ``put`` one at a time, the vector as a list of floats as it
   comes out of JSON; documents/s by wall clock and CPU;
2. recall@10 of ``{targetHits:10}nearestNeighbor(embedding, q)`` (10 hits) against the
   same query with ``approximate: false`` (the exact answer), without filter and with
   the 10% and 1% filters in an ``and``; first at the defaults
   (``hnsw.exploreAdditionalHits`` 0), then with exploreAdditionalHits raised along
   ``EXPLORE`` until recall@10 ≥ 0.95; queries per CPU-second, one query per call;
3. the same after removing a random 10% of the documents and putting them back
   (same lids, same vectors: the graph revives the nodes with their links), then after
   removing another 10% and adding their vectors as new documents under new lids
   (new graph nodes linked in around the deleted ones);
4. the same after the field's HNSW index is written with ``content.hnsw.save_index``
   to files, read back with ``load_index`` and put in place of the live graph (the
   content node does not persist the graph yet, so this stands in for a restart).

The exact answer is also checked against a numpy cosine top-10 (agreement printed).
Also (step 1b), the first ``HTTP_DOCUMENTS`` documents are fed into a real content node
process over HTTP (``python -m content``, config from a stub, its own storage, the same
schema) with a minimal client, for documents/s into one content node.

Not a test: ``.venv/bin/python -m tests.perf.bench_ann_embeddings [DOCUMENTS [HTTP]]``
(``HTTP`` 0 skips the HTTP feed).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import httpx
import numpy as np
import numpy.typing as npt
import orjson

from content.hnsw import (
    HnswIndex,
    NearestNeighborThresholds,
    load_index,
    plan_nearest_neighbor,
    save_index,
)
from content.matching import DocumentTypeIndex
from content.storage import FileDirectory
from tests.e2e.harness import free_port
from tests.integration.content.node_process import ConfigStub, start_node
from tests.perf.bench_bm25 import machine
from tests.perf.content_http_client import Connection, cpu_seconds
from tests.perf.embeddings import EMBEDDINGS, load
from vespid.config import (
    ContentClusterConfig,
    ContentConfig,
    DocumentTypeRef,
    FieldConfig,
    HnswConfig,
    InputConfig,
    RankProfileConfig,
    SchemaConfig,
)
from vespid.messages import (
    AndItem,
    Item,
    NearestNeighborItem,
    RangeItem,
    SearchRequest,
    item_to_json,
)
from vespid.messages.content import INTERNAL_PREFIX

Matrix = npt.NDArray[np.float32]
DOCUMENTS = 50_000
HTTP_DOCUMENTS = 5_000
CONNECTIONS = 16
QUERIES = 200
RECALL = 0.95
EXPLORE = (0, 10, 20, 40, 70, 100, 150, 200, 300, 500, 1000)
CASES: tuple[tuple[int | None, str], ...] = ((None, "nn"), (10, "nn"), (1, "nn"), (1, "graph"))
"""Percent of documents the filter lets through (None: no filter), rank profile."""
METRIC = "angular"


def schema(dimensions: int) -> SchemaConfig:
    return SchemaConfig(
        "passages",
        fields=(
            FieldConfig(
                "embedding",
                f"tensor<float>(x[{dimensions}])",
                attribute=True,
                distance_metric=METRIC,
                hnsw=HnswConfig(),
            ),
            FieldConfig("group", "int", attribute=True),
        ),
        rank_profiles=(
            RankProfileConfig(
                "nn",
                inputs=(InputConfig("q", f"tensor<float>(x[{dimensions}])"),),
                first_phase="closeness(field, embedding)",
            ),
            RankProfileConfig(
                "graph",
                inputs=(InputConfig("q", f"tensor<float>(x[{dimensions}])"),),
                first_phase="closeness(field, embedding)",
                approximate_threshold=0.0,
            ),
        ),
    )


def requests(
    queries: Matrix,
    percent: int | None,
    explore: int = 0,
    approximate: bool = True,
    ranking: str = "nn",
) -> list[SearchRequest]:
    tree: Item = NearestNeighborItem(
        "embedding",
        "q",
        target_hits=10,
        approximate=approximate,
        explore_additional_hits=explore,
    )
    if percent is not None:
        tree = AndItem((RangeItem("group", upper=float(percent), include_upper=False), tree))
    query = item_to_json(tree)
    return [
        SearchRequest(("passages",), query, ranking, inputs={"q": q.tolist()}, hits=10)
        for q in queries
    ]


def run(
    index: DocumentTypeIndex, prepared: Sequence[SearchRequest]
) -> tuple[list[set[int]], float]:
    """Hit lids per query and queries per CPU-second."""
    start = time.process_time()
    found = [{hit.lid for hit in index.search(request).hits} for request in prepared]
    return found, len(prepared) / max(time.process_time() - start, 1e-9)


def recall(found: Sequence[set[int]], truth: Sequence[set[int]]) -> float:
    return float(np.mean([len(f & t) / max(len(t), 1) for f, t in zip(found, truth, strict=True)]))


def put(
    index: DocumentTypeIndex,
    vectors: Matrix,
    lids: Sequence[int],
    rows: Sequence[int] | None = None,
) -> tuple[float, float]:
    """Put ``lids`` one by one (lid i gets row ``rows[i]``, by default row ``lids[i]``);
    returns (wall seconds, CPU seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for lid, row in zip(lids, lids if rows is None else rows, strict=True):
        index.put(lid, {"embedding": {"values": vectors[row].tolist()}, "group": lid % 100})
    return time.perf_counter() - wall, time.process_time() - cpu


def numpy_top10(
    vectors: Matrix, rows: npt.NDArray[np.int64], queries: Matrix, percent: int | None
) -> list[set[int]]:
    """The exact top 10 by cosine, where lid i holds row ``rows[i]`` (-1: no document)."""
    lids = np.flatnonzero(rows >= 0)
    if percent is not None:
        lids = lids[lids % 100 < percent]
    similarity = queries @ vectors[rows[lids]].T
    best = np.argsort(-similarity, axis=1, kind="stable")[:, :10]
    return [set(lids[row].tolist()) for row in best]


Row = tuple[float, float, int | None, float, float]
"""Recall and q/s at the defaults, the explore value reaching RECALL (None if none
did), recall and q/s there."""


def report_recall(
    label: str,
    index: DocumentTypeIndex,
    vectors: Matrix,
    rows: npt.NDArray[np.int64],
    queries: Matrix,
) -> dict[str, Row]:
    """Recall@10 against the exact answer per case in CASES, by case name."""
    out: dict[str, Row] = {}
    write(f"  -- {label}\n")
    write(f"  {'filter':>11}{'plan':>26}{'explore':>9}{'r@10':>7}{'q/s':>7}{'exact q/s':>11}")
    write(f"{'exact=numpy':>13}\n")
    documents = index.document_count
    for percent, ranking in CASES:
        allowed = None if percent is None else int(np.sum(np.arange(documents) % 100 < percent))
        thresholds = NearestNeighborThresholds(
            approximate_threshold=0.0 if ranking == "graph" else 0.05
        )
        plan = plan_nearest_neighbor(documents, allowed, 10, thresholds).algorithm.value
        truth, exact_rate = run(index, requests(queries, percent, approximate=False))
        agreement = recall(truth, numpy_top10(vectors, rows, queries, percent))
        name = "none" if percent is None else f"{percent}%"
        if ranking != "nn":
            name += f" {ranking}"
        first: tuple[float, float] | None = None
        reached: tuple[int, float, float] | None = None
        for explore in EXPLORE:
            found, rate = run(index, requests(queries, percent, explore, ranking=ranking))
            r = recall(found, truth)
            write(f"  {name:>11}{plan:>26}{explore:>9}{r:>7.3f}{rate:>7.0f}")
            write(f"{exact_rate:>11.0f}{agreement:>13.3f}\n")
            if first is None:
                first = (r, rate)
            if r >= RECALL:
                reached = (explore, r, rate)
                break
        assert first is not None
        out[name] = (*first, None, 0.0, 0.0) if reached is None else (*first, *reached)
    return out


async def feed_http(vectors: Matrix, count: int, directory: Path) -> None:
    """Put the first ``count`` documents into a ``python -m content`` process over HTTP
    (``POST /internal/v1/put``, CONNECTIONS keep-alive connections, one request in
    flight on each, a minimal client), then ask it how many documents it searches."""
    config = ContentConfig(
        1,
        clusters=(ContentClusterConfig("c", document_types=(DocumentTypeRef("passages"),)),),
        schemas=(schema(vectors.shape[1]),),
    )
    bodies = iter(
        [
            orjson.dumps(
                {
                    "id": f"id:ns:passages::{lid}",
                    "fields": {"embedding": {"values": vectors[lid].tolist()}, "group": lid % 100},
                }
            )
            for lid in range(count)
        ]
    )
    port = free_port()
    with ConfigStub(config) as stub:
        process = start_node(port, directory / "data", stub.url, directory / "node.log", "c")
        try:
            await _wait_up(port, process)
            connections = await asyncio.gather(
                *(Connection.open("127.0.0.1", port) for _ in range(CONNECTIONS))
            )

            async def worker(connection: Connection) -> None:
                for body in bodies:
                    status, answer = await connection.post(f"{INTERNAL_PREFIX}/put", body)
                    if status != 200:
                        raise SystemExit(f"put answered {status}: {answer[:200]!r}")

            server, wall = cpu_seconds(process.pid), time.perf_counter()
            await asyncio.gather(*(worker(c) for c in connections))
            wall, server = time.perf_counter() - wall, cpu_seconds(process.pid) - server
            probe = requests(vectors[:1], None)[0]
            _, answer = await connections[0].post(
                f"{INTERNAL_PREFIX}/search", orjson.dumps(probe.to_json())
            )
            searched = orjson.loads(answer).get("documents")
            for connection in connections:
                connection.close()
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    write(
        f"  feed over HTTP: {count} puts into one content node ({CONNECTIONS} connections) in "
        f"{wall:.1f} s: {count / wall:.0f} documents/s; server CPU {server / count * 1e3:.2f} ms "
        f"per put; the node then searched {searched} documents\n"
    )


async def _wait_up(port: int, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(6000):
            if process.poll() is not None:
                raise SystemExit(f"content node exited with {process.returncode}")
            try:
                health = await client.get(f"http://127.0.0.1:{port}/state/v1/health")
                if '"up"' in health.text:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("content node did not come up")


def write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else DOCUMENTS
    over_http = int(sys.argv[2]) if len(sys.argv) > 2 else HTTP_DOCUMENTS
    embeddings = load(EMBEDDINGS)
    queries = embeddings[-QUERIES:]
    vectors = embeddings[: min(wanted, len(embeddings) - QUERIES)]
    count, dimensions = vectors.shape
    write(f"ann on sentence embeddings, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    write(f"  machine: {machine()}\n")
    write(
        f"  {count} documents x {dimensions}-d ({EMBEDDINGS}), {QUERIES} held-out queries, "
        f"metric {METRIC}, M=16, ef_construction=200, targetHits 10\n"
    )

    index = DocumentTypeIndex(schema(dimensions))
    wall, cpu = put(index, vectors, range(count))
    write(
        f"  feed: {count} puts into DocumentTypeIndex in {wall:.1f} s wall, {cpu:.1f} CPU-s: "
        f"{count / wall:.0f} documents/s ({count / cpu:.0f} per CPU-second)\n"
    )
    if over_http > 0:
        with tempfile.TemporaryDirectory(prefix="vespid-ann-http-") as path:
            asyncio.run(feed_http(vectors, min(over_http, count), Path(path)))
    summary: dict[str, dict[str, Row]] = {}
    rows = np.arange(count)
    summary["fresh"] = report_recall("fresh index", index, vectors, rows, queries)

    rng = np.random.default_rng(10)
    churned = sorted(rng.choice(count, count // 10, replace=False).tolist())
    start = time.perf_counter()
    for lid in churned:
        index.remove(lid)
    removed = time.perf_counter() - start
    wall, _ = put(index, vectors, churned)
    write(
        f"  removed {len(churned)} documents in {removed:.1f} s, put them back in {wall:.1f} s "
        f"({len(churned) / wall:.0f} documents/s)\n"
    )
    summary["churned"] = report_recall(
        "after removing 10% and putting them back (same lids)", index, vectors, rows, queries
    )

    moved = sorted(rng.choice(count, count // 10, replace=False).tolist())
    for lid in moved:
        index.remove(lid)
    new_lids = list(range(rows.size, rows.size + len(moved)))
    rows = np.concatenate([rows, rows[moved]])
    rows[moved] = -1
    wall, _ = put(index, vectors, new_lids, rows[new_lids].tolist())
    write(
        f"  removed another {len(moved)} documents and added their vectors under new lids in "
        f"{wall:.1f} s ({len(moved) / wall:.0f} documents/s)\n"
    )
    summary["moved"] = report_recall(
        "after removing 10% and adding them under new lids", index, vectors, rows, queries
    )

    graphs = cast(dict[str, HnswIndex], index.hnsw_indexes)
    with tempfile.TemporaryDirectory(prefix="vespid-ann-") as path:
        directory = FileDirectory(path)
        start = time.perf_counter()
        save_index(directory, "embedding.hnsw", graphs["embedding"])
        saved = time.perf_counter() - start
        size = len(directory.read("embedding.hnsw"))
        start = time.perf_counter()
        loaded = load_index(directory, "embedding.hnsw")
        read = time.perf_counter() - start
    before = graphs["embedding"].size
    graphs["embedding"] = loaded
    assert index.hnsw_indexes["embedding"] is loaded
    assert loaded.size == before
    write(
        f"  HNSW index saved ({size / 2**20:.0f} MiB) in {saved:.1f} s, loaded in {read:.1f} s, "
        f"{loaded.size} vectors, put in place of the live graph\n"
    )
    summary["loaded"] = report_recall(
        "after save_index / load_index", index, vectors, rows, queries
    )

    write("  summary: recall@10 at defaults (q/s); exploreAdditionalHits for >= 0.95\n")
    for state, cases in summary.items():
        cells = []
        for name, (r0, q0, explore, r, q) in cases.items():
            more = "never" if explore is None else f"+{explore} -> {r:.3f} ({q:.0f} q/s)"
            cells.append(f"{name}: {r0:.3f} ({q0:.0f} q/s), {more}")
        write(f"  {state:>8}: " + "; ".join(cells) + "\n")


if __name__ == "__main__":
    main()
