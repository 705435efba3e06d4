"""Benchmark: puts per second into one content node, engine level and through HTTP, fsync on.

~1 KB documents with four attributes and one text field.

Engine level: `ContentNode.put` on real files (`FileDirectory`), 512 writes in flight
so group commit can share syncs, after `settle_long_lived_objects` as the content node
process does once it has its config. Measured three times: with the real search index
(`content.matching.DocumentTypeIndex`), with storage alone (log, document store,
bucket database), and with the index through `ContentNode.write_batch` (what the
``batch`` op of the content node API calls: 512 puts, one wait for durability), with
no flush during the feed; each prints puts/s, the process's CPU time per put and the
load average (other work on the machine moves puts/s much more than the CPU per put).
Then the time to flush (a full snapshot), to flush again after 5% of the documents are
written again (a delta), and to reopen storage (snapshot and delta load and bucket
database rebuild; the search index rebuild is not included).

Through HTTP: a real ``python -m content`` process (uvicorn) fed ``POST
/internal/v1/put`` over CONNECTIONS keep-alive connections, one request in flight on
each, by two clients in turn: a minimal one (`tests.perf.content_http_client`, a few
tens of microseconds per request, so the figure is the server's) with half the
documents, and httpx (what Vespid's own Python clients use) with at most HTTPX_PUTS.
Each prints puts/s and the CPU per put of the server process and of the client. Client
and server share the machine's cores.

Not a test: run ``.venv/bin/python -m tests.perf.bench_content_puts [DOCUMENTS
[VOCABULARY]]``. Titles are 150 words drawn from 9 (WORDS), or with VOCABULARY from that
many made-up words with Zipf frequencies, which gives the text index prose-like work
(about 100 distinct words per title instead of 9).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

from content.node import ContentNode, DocumentDatabase, StorageOptions, settle_long_lived_objects
from content.storage import FileDirectory
from tests.e2e.harness import free_port
from tests.integration.content.node_process import ConfigStub, start_node, wait_up
from tests.perf.content_http_client import Connection, cpu_seconds
from vespid.config import (
    ContentClusterConfig,
    ContentConfig,
    DocumentTypeRef,
    FieldConfig,
    SchemaConfig,
)
from vespid.messages import PutRequest, SearchRequest

SCHEMA = SchemaConfig(
    "doc",
    fields=(
        FieldConfig("title", "string", index=True, summary=True),
        FieldConfig("a", "int", attribute=True),
        FieldConfig("b", "long", attribute=True),
        FieldConfig("c", "double", attribute=True),
        FieldConfig("d", "string", attribute=True),
    ),
)
CONFIG = ContentConfig(
    1,
    clusters=(ContentClusterConfig("c", document_types=(DocumentTypeRef("doc"),)),),
    schemas=(SCHEMA,),
)
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota")
IN_FLIGHT = 512
CONNECTIONS = 64
HTTPX_PUTS = 2_000
"""At most this many puts through httpx, which is slow (figures in docs/performance.md)."""
PUT_PATH = "/internal/v1/put"


class NoIndex:
    """Takes documents and forgets them: measures storage alone."""

    def __init__(self, _: SchemaConfig) -> None:
        """Nothing to set up."""

    def put(self, lid: int, fields: dict[str, Any]) -> None:
        """Ignore the document."""

    def remove(self, lid: int) -> None:
        """Ignore the remove."""

    def search(self, request: SearchRequest) -> Any:
        raise NotImplementedError("storage-only benchmark")


def documents(count: int, vocabulary: int = 0) -> list[dict[str, Any]]:
    """``count`` documents; the title draws on WORDS, or with ``vocabulary`` on that many
    made-up words with Zipf frequencies (most of a title's words then differ, as in prose).
    """
    rng = random.Random(1)
    words: list[str] = list(WORDS)
    weights: list[float] | None = None
    if vocabulary:
        letters = "etaoinshrdlucmfwypvbgk"
        words = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(vocabulary)]
        weights = [1 / rank for rank in range(1, vocabulary + 1)]
    return [
        {
            "title": " ".join(rng.choices(words, weights, k=150)),
            "a": i,
            "b": i * 7,
            "c": i / 3,
            "d": f"category{i % 50}",
        }
        for i in range(count)
    ]


async def feed(
    directory: Path, docs: list[dict[str, Any]], with_index: bool, batched: bool = False
) -> None:
    options = StorageOptions(flush_bytes=1 << 40)  # only the flushes timed below
    database = DocumentDatabase.open(
        FileDirectory(directory / "documents"), FileDirectory(directory / "tlog"), options
    )
    database.start()
    node = ContentNode(database, "c", 0, None if with_index else NoIndex)
    node.apply_config(CONFIG)
    settle_long_lived_objects()
    started, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(docs), IN_FLIGHT):
        batch = range(first, min(len(docs), first + IN_FLIGHT))
        requests = [PutRequest(f"id:ns:doc::{i}", docs[i]) for i in batch]
        if batched:
            await node.write_batch(requests)
        else:
            await asyncio.gather(*map(node.put, requests))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    label = "with index" if with_index else "storage only"
    label += ", write_batch" if batched else ""
    print(
        f"{label}: {len(docs) / elapsed:,.0f} puts/s, CPU per put {cpu / len(docs) * 1e6:.0f} us"
        f" ({len(docs)} documents, load average {os.getloadavg()[0]:.1f})"
    )
    started = time.perf_counter()
    await node.flush()
    print(f"{label}: flush {time.perf_counter() - started:.2f} s (full snapshot)")
    again = range(0, len(docs), 20)  # 5% of the documents written again
    await asyncio.gather(*(node.put(PutRequest(f"id:ns:doc::{i}", docs[i])) for i in again))
    started = time.perf_counter()
    await node.flush()
    elapsed = time.perf_counter() - started
    print(f"{label}: flush {elapsed:.2f} s after {len(again)} more puts (delta)")
    await node.aclose()
    started = time.perf_counter()
    DocumentDatabase.open(FileDirectory(directory / "documents"), FileDirectory(directory / "tlog"))
    print(f"{label}: reopen storage {time.perf_counter() - started:.2f} s")


Post = Callable[[bytes], Awaitable[int]]


def _minimal_clients(connections: list[Connection]) -> list[Post]:
    def poster(connection: Connection) -> Post:
        async def post(body: bytes) -> int:
            status, _ = await connection.post(PUT_PATH, body)
            return status

        return post

    return [poster(c) for c in connections]


def _httpx_clients(client: httpx.AsyncClient, base: str) -> list[Post]:
    async def post(body: bytes) -> int:
        headers = {"Content-Type": "application/json"}
        return (await client.post(base + PUT_PATH, content=body, headers=headers)).status_code

    return [post] * CONNECTIONS


async def _drive(label: str, pid: int, clients: list[Post], bodies: list[bytes]) -> None:
    """Feed ``bodies`` with one request in flight per client; print the figures."""
    queue = iter(bodies)

    async def worker(post: Post) -> None:
        for body in queue:
            status = await post(body)
            if status != 200:
                raise SystemExit(f"put answered {status}")

    server, client, started = cpu_seconds(pid), time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(post) for post in clients))
    elapsed = time.perf_counter() - started
    server, client = cpu_seconds(pid) - server, time.process_time() - client
    print(
        f"HTTP, {label} client, {len(clients)} connections: {len(bodies) / elapsed:,.0f} puts/s;"
        f" CPU per put: server {server / len(bodies) * 1e6:.0f} us,"
        f" client {client / len(bodies) * 1e6:.0f} us"
    )


async def feed_http(directory: Path, docs: list[dict[str, Any]]) -> None:
    """Both clients in turn against one node process, each with its own ids."""
    half = len(docs) // 2
    bodies = [orjson.dumps({"id": f"id:ns:doc::{i}", "fields": d}) for i, d in enumerate(docs)]
    port = free_port()
    with ConfigStub(CONFIG) as stub:
        process = start_node(port, directory / "data", stub.url, directory / "node.log", "c")
        try:
            base = f"http://127.0.0.1:{port}"
            limits = httpx.Limits(max_connections=CONNECTIONS)
            async with httpx.AsyncClient(timeout=60, limits=limits) as client:
                await wait_up(client, base, process)
                opened = [Connection.open("127.0.0.1", port) for _ in range(CONNECTIONS)]
                connections = await asyncio.gather(*opened)
                await _drive("minimal", process.pid, _minimal_clients(connections), bodies[:half])
                for connection in connections:
                    connection.close()
                slow = bodies[half : half + HTTPX_PUTS]
                await _drive("httpx", process.pid, _httpx_clients(client, base), slow)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 20_000
    vocabulary = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 0
    docs = documents(count, vocabulary)
    for with_index, batched in ((False, False), (True, False), (True, True)):
        with tempfile.TemporaryDirectory() as directory:
            asyncio.run(feed(Path(directory), docs, with_index, batched))
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(feed_http(Path(directory), docs))


if __name__ == "__main__":
    main()
