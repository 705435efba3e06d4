"""Benchmark: restart of a content node holding DOCUMENTS ~1 KB documents, and its memory.

The documents (four attributes and one text field, as in `bench_content_puts`) are
written with the engine API, storage only (the search indexes are not stored, so
writing them would only take longer), then flushed to a snapshot; TAIL more are
written after the flush so the restart also replays a log tail. Then a real
``python -m content`` process is started on that data directory and timed until its
health says ``up``: Python start, snapshot load, log replay, and the first config,
which builds the search indexes from the document store. The node's own log lines
split that time. Memory per document is the resident set of that process minus the
resident set of a node started on an empty directory, over DOCUMENTS.

Not a test: run ``.venv/bin/python -m tests.perf.bench_content_restart [DOCUMENTS]``
(default 1,000,000: about 1.3 GB on disk and several minutes).
"""

from __future__ import annotations

import asyncio
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

from content.node import ContentNode, DocumentDatabase, StorageOptions
from content.storage import FileDirectory
from tests.e2e.harness import free_port
from tests.integration.content.node_process import ConfigStub, start_node, wait_up
from tests.perf.bench_content_puts import CONFIG, WORDS, NoIndex
from vespid.messages import PutRequest

DOCUMENTS = 1_000_000
TAIL = 10_000
IN_FLIGHT = 512
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


def document(i: int, rng: random.Random) -> dict[str, Any]:
    """Document ``i``: about 1 KB of text and four attributes."""
    return {
        "title": " ".join(rng.choice(WORDS) for _ in range(150)),
        "a": i,
        "b": i * 7,
        "c": i / 3,
        "d": f"category{i % 50}",
    }


async def write(directory: Path, count: int) -> None:
    """Write ``count`` documents, flush, then write TAIL more that stay in the log."""
    options = StorageOptions(flush_bytes=1 << 40)  # one flush, at the end
    database = DocumentDatabase.open(
        FileDirectory(directory / "documents"), FileDirectory(directory / "tlog"), options
    )
    database.start()
    node = ContentNode(database, "c", 0, NoIndex)
    node.apply_config(CONFIG)
    rng = random.Random(1)
    started = time.perf_counter()
    await _put_range(node, 0, count, rng)
    await node.flush()
    await _put_range(node, count, count + TAIL, rng)
    print(f"written {count:,} + {TAIL:,} documents in {time.perf_counter() - started:.0f} s")
    await node.aclose()


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


async def _start(data: Path, log: Path) -> tuple[float, int]:
    """Start a node on ``data``; return the seconds until it is up and its RSS then."""
    port = free_port()
    with ConfigStub(CONFIG) as stub:
        started = time.monotonic()
        process = start_node(port, data, stub.url, log, "c")
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                await wait_up(client, f"http://127.0.0.1:{port}", process, timeout=1800)
            return time.monotonic() - started, _rss_bytes(process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _phases(log: Path) -> str:
    """Seconds between the node's log lines: opened storage, then built the indexes."""
    stamps: dict[str, datetime] = {}
    for line in log.read_text().splitlines():
        match = _STAMP.match(line)
        if match is None:
            continue
        when = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f")
        for key in ("document database opened", "indexed doc"):
            if key in line:
                stamps[key] = when
    opened, indexed = stamps.get("document database opened"), stamps.get("indexed doc")
    if opened is None or indexed is None:
        return "(phases not found in the node's log)"
    return f"index build after storage open: {(indexed - opened).total_seconds():.1f} s"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else DOCUMENTS
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        empty_seconds, empty_rss = asyncio.run(_start(root / "empty", root / "empty.log"))
        print(f"empty node: up in {empty_seconds:.1f} s, RSS {empty_rss / 2**20:.0f} MiB")
        asyncio.run(write(root / "data", count))
        seconds, rss = asyncio.run(_start(root / "data", root / "node.log"))
        total = count + TAIL
        per_document = (rss - empty_rss) / total
        phases = _phases(root / "node.log")
        print(
            f"restart with {total:,} documents: up in {seconds:.1f} s; {phases};"
            f" RSS {rss / 2**20:,.0f} MiB, {per_document:,.0f} bytes per document"
        )


if __name__ == "__main__":
    main()
