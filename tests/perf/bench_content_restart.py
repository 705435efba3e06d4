"""Benchmark: restart of a content node holding DOCUMENTS ~1 KB documents, and its memory.

The documents (four attributes and one text field of 150 words, as in
`bench_content_puts`) are written with the engine API through the whole engine: log,
document store and the search index (`DocumentTypeIndex`), with flushes started by the
memory budget as the index grows, then a final flush whose time is printed; TAIL more
are written after it so the restart also replays a log tail. Then a real
``python -m content`` process is started on that data directory and timed until its
health says ``up``: Python start, document store snapshot load and log replay, then the
first config, which loads the search side from its snapshot and applies the log tail to
it. The node's own log lines split that time. Memory per document is the resident set
of that process minus the resident set of a node started on an empty directory, over
the documents.

``--hnsw N`` adds an in-process run with one 384-d HNSW field over N documents (the
real embeddings of `tests.perf.embeddings` when the file exists, else random unit
vectors): write, flush (the graph copy and the file size), recall@10 against brute
force (targetHits 10, exploreAdditionalHits 0 and 90), reopen, and the same queries again,
which must give the same hits from a graph that was loaded, not rebuilt.

Not a test: run ``.venv/bin/python -m tests.perf.bench_content_restart [DOCUMENTS]
[--hnsw N] [--keep DIR]`` (default 1,000,000 documents: several GB on disk and many
minutes). With ``--keep DIR`` the data stays in DIR, and a later run with the same DIR
only measures the restart again (the tail replays each time: nothing is flushed).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from content.matching import DocumentTypeIndex
from content.node import ContentNode, DocumentDatabase, StorageOptions
from content.storage import FileDirectory
from tests.e2e.harness import free_port
from tests.integration.content.node_process import ConfigStub, start_node, wait_up
from tests.perf.bench_content_puts import CONFIG, WORDS
from tests.perf.embeddings import EMBEDDINGS
from tests.unit.content.test_node_support import content_config
from vespid.config import FieldConfig, HnswConfig, InputConfig, RankProfileConfig, SchemaConfig
from vespid.messages import NearestNeighborItem, PutRequest, SearchRequest, item_to_json

DOCUMENTS = 1_000_000
TAIL = 10_000
IN_FLIGHT = 512
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")
_LOADED = re.compile(r"loaded search index of \w+ from its snapshot at serial \d+ in ([\d.]+) s")


def document(i: int, rng: random.Random) -> dict[str, Any]:
    """Document ``i``: about 1 KB of text and four attributes."""
    return {
        "title": " ".join(rng.choice(WORDS) for _ in range(150)),
        "a": i,
        "b": i * 7,
        "c": i / 3,
        "d": f"category{i % 50}",
    }


def _open(directory: Path, options: StorageOptions | None = None) -> DocumentDatabase:
    return DocumentDatabase.open(
        FileDirectory(directory / "documents"), FileDirectory(directory / "tlog"), options
    )


async def write(directory: Path, count: int) -> None:
    """Write ``count`` documents through the whole engine, flush, then TAIL more that stay
    in the log. Flushes during the feed come from the memory budget (the default)."""
    database = _open(directory, StorageOptions(flush_bytes=1 << 40))
    database.start()
    node = ContentNode(database, "c", 0)
    node.apply_config(CONFIG)
    rng = random.Random(1)
    started, cpu = time.perf_counter(), time.process_time()
    await _put_range(node, 0, count, rng)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"written {count:,} documents in {elapsed:.0f} s ({count / elapsed:,.0f} puts/s, "
        f"{cpu / count * 1e6:.0f} us CPU per put, flushes included)"
    )
    started, cpu = time.perf_counter(), time.process_time()
    await node.flush()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"final flush: {elapsed:.1f} s ({cpu:.1f} s CPU)")
    await _put_range(node, count, count + TAIL, rng)
    await node.aclose()
    sizes = {p.name: p.stat().st_size for p in (directory / "documents").iterdir()}
    print(
        "snapshot files: "
        + ", ".join(f"{n} {b / 2**20:,.0f} MiB" for n, b in sorted(sizes.items()))
    )


async def _put_range(node: ContentNode, start: int, stop: int, rng: random.Random) -> None:
    for first in range(start, stop, IN_FLIGHT):
        batch = range(first, min(stop, first + IN_FLIGHT))
        await asyncio.gather(
            *(node.put(PutRequest(f"id:ns:doc::{i}", document(i, rng))) for i in batch)
        )


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _start(data: Path, log: Path) -> tuple[float, int, float, datetime]:
    """Start a node on ``data``; return the seconds until it is up, its RSS and CPU then,
    and the wall-clock time it was started."""
    port = free_port()
    with ConfigStub(CONFIG) as stub:
        started, at = time.monotonic(), datetime.now()
        process = start_node(port, data, stub.url, log, "c")
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                await wait_up(client, f"http://127.0.0.1:{port}", process, timeout=1800)
            seconds = time.monotonic() - started
            return seconds, _rss_bytes(process.pid), _cpu_seconds(process.pid), at
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _phases(log: Path, started: datetime) -> str:
    """The node's log lines split the start: storage open, then the search side."""
    stamps: dict[str, datetime] = {}
    loading = ""
    for line in log.read_text().splitlines():
        match = _STAMP.match(line)
        if match is None:
            continue
        when = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f")
        for key in ("document database opened", "loaded search index", "indexed doc", "serving"):
            if key in line:
                stamps[key] = when
        found = _LOADED.search(line)
        if found is not None:
            loading = f" (index snapshot load and tail: {found[1]} s)"
    opened, served = stamps.get("document database opened"), stamps.get("serving")
    if opened is None or served is None:
        return "(phases not found in the node's log)"
    how = "loaded" if "loaded search index" in stamps else "REBUILT"
    return (
        f"process start and storage open {(opened - started).total_seconds():.1f} s, "
        f"search side {how} in {(served - opened).total_seconds():.1f} s{loading}"
    )


# --- HNSW: one 384-d field, graph saved at flush and loaded at start -----------------

DIMENSIONS = 384
QUERIES = 100
HNSW_SCHEMA = SchemaConfig(
    name="vec",
    fields=(
        FieldConfig("id", "int", attribute=True),
        FieldConfig(
            "embedding",
            f"tensor<float>(x[{DIMENSIONS}])",
            attribute=True,
            hnsw=HnswConfig(),
            distance_metric="angular",
        ),
    ),
    rank_profiles=(
        RankProfileConfig(
            "near",
            inputs=(InputConfig("q", f"tensor<float>(x[{DIMENSIONS}])"),),
            first_phase="closeness(field, embedding)",
        ),
    ),
)


def _vectors(count: int) -> tuple[npt.NDArray[np.float32], str]:
    if EMBEDDINGS.exists():
        rows = np.load(EMBEDDINGS)
        if rows.shape[0] >= count + QUERIES:
            return rows[: count + QUERIES].astype(np.float32), "real embeddings"
    random_rows = np.random.default_rng(5).normal(size=(count + QUERIES, DIMENSIONS))
    random_rows /= np.linalg.norm(random_rows, axis=1, keepdims=True)
    return random_rows.astype(np.float32), "random unit vectors"


def _recall_and_hits(
    node: ContentNode, vectors: npt.NDArray[np.float32], count: int, explore: int
) -> tuple[float, list[list[str]]]:
    docs, queries = vectors[:count], vectors[count:]
    found, hits = 0, []
    for probe in queries:
        tree = NearestNeighborItem(
            "embedding", "q", target_hits=10, explore_additional_hits=explore
        )
        request = SearchRequest(
            ("vec",), item_to_json(tree), "near", inputs={"q": probe.tolist()}, hits=10
        )
        ids = [h.id for h in node.search(request).hits]
        hits.append(ids)
        exact = np.argsort(-(docs @ probe), kind="stable")[:10]
        found += len({f"id:ns:vec::{i}" for i in exact.tolist()} & set(ids))
    return found / (10 * len(queries)), hits


async def hnsw_run(directory: Path, count: int) -> None:
    """Write, flush, query; reopen and query again: same hits from the loaded graph."""
    vectors, kind = _vectors(count)
    config = content_config(schema=HNSW_SCHEMA)
    created: list[DocumentTypeIndex] = []

    def factory(schema: SchemaConfig) -> DocumentTypeIndex:
        created.append(DocumentTypeIndex(schema))
        return created[-1]

    database = _open(directory, StorageOptions(flush_bytes=1 << 40))
    database.start()
    node = ContentNode(database, "music", 0, factory)
    node.apply_config(config)
    started, cpu = time.perf_counter(), time.process_time()
    for first in range(0, count, IN_FLIGHT):
        batch = range(first, min(count, first + IN_FLIGHT))
        await asyncio.gather(
            *(
                node.put(
                    PutRequest(
                        f"id:ns:vec::{i}", {"id": i, "embedding": {"values": vectors[i].tolist()}}
                    )
                )
                for i in batch
            )
        )
    print(
        f"hnsw: wrote {count:,} documents ({kind}) in {time.perf_counter() - started:.0f} s "
        f"({time.process_time() - cpu:.0f} s CPU)"
    )
    graph = created[-1].hnsw_indexes["embedding"]
    copied = time.perf_counter()
    snapshot = graph.snapshot()
    copy_seconds = time.perf_counter() - copied
    graph_bytes = sum(
        a.nbytes for a in (snapshot.graph or {}).values() if isinstance(a, np.ndarray)
    )
    started = time.perf_counter()
    await node.flush()
    flush_seconds = time.perf_counter() - started
    files = {p.name: p.stat().st_size for p in (directory / "documents").glob("index.vec.*")}
    print(
        f"hnsw: graph copy on the event loop {copy_seconds * 1000:.0f} ms "
        f"({graph_bytes / 2**20:,.0f} MiB); flush {flush_seconds:.1f} s; files "
        + ", ".join(f"{n} {b / 2**20:,.1f} MiB" for n, b in sorted(files.items()))
    )
    before = [_recall_and_hits(node, vectors, count, explore) for explore in (0, 90)]
    await node.aclose()
    started = time.perf_counter()
    database = _open(directory)
    database.start()
    opened = time.perf_counter()
    reopened = ContentNode(database, "music", 0)
    reopened.apply_config(config)
    loaded = time.perf_counter()
    after = [_recall_and_hits(reopened, vectors, count, explore) for explore in (0, 90)]
    await reopened.aclose()
    print(
        f"hnsw: reopened: storage {opened - started:.1f} s, search side "
        f"{loaded - opened:.1f} s, loaded (not rebuilt): {reopened.search_side_loaded}"
    )
    for explore, (recall, hits), (recall_after, hits_after) in zip(
        (0, 90), before, after, strict=True
    ):
        print(
            f"hnsw: targetHits 10, exploreAdditionalHits {explore}: recall@10 {recall:.3f} "
            f"before, {recall_after:.3f} after; identical hits: {hits == hits_after}"
        )


def main() -> None:
    args = sys.argv[1:]
    hnsw = int(args[args.index("--hnsw") + 1]) if "--hnsw" in args else 0
    keep = Path(args[args.index("--keep") + 1]) if "--keep" in args else None
    numbers = [a for a in args if a.isdigit() and str(hnsw) != a]
    count = int(numbers[0]) if numbers else DOCUMENTS
    print(f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-restart-") as directory:
        root = Path(directory) if keep is None else keep
        root.mkdir(parents=True, exist_ok=True)
        if hnsw:
            asyncio.run(hnsw_run(root / "hnsw", hnsw))
        if count == 0:
            return
        empty_seconds, empty_rss, *_ = asyncio.run(_start(root / "empty", root / "empty.log"))
        print(f"empty node: up in {empty_seconds:.1f} s, RSS {empty_rss / 2**20:.0f} MiB")
        if not (root / "data").exists():
            asyncio.run(write(root / "data", count))
        print(f"load average {os.getloadavg()[0]:.1f}")
        log = root / f"node-{datetime.now():%H%M%S}.log"
        seconds, rss, cpu, started = asyncio.run(_start(root / "data", log))
        total = count + TAIL
        per_document = (rss - empty_rss) / total
        print(
            f"restart with {total:,} documents: up in {seconds:.1f} s ({cpu:.1f} s CPU); "
            f"{_phases(log, started)}; RSS {rss / 2**20:,.0f} MiB, "
            f"{per_document:,.0f} bytes per document; load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
