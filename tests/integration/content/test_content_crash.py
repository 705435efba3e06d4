"""A real content node process killed with SIGKILL mid-feed keeps every acknowledged write.

One real dependency: the `python -m content` process with its files. Its config comes
from a stub that speaks the config API contract (docs/internals.md). Each document is
put, then updated (two fields assigned in one update), straight through the node's
API with many writes in flight, each retried until acknowledged; at random moments
spread over the feed the process is killed with SIGKILL and restarted on the same
data directory. After each restart the writes acknowledged since the previous one
must be back exactly as written, and no document may show an update half-applied
(one field changed, not the other) whether or not that update was acknowledged; at
the end, every document must hold its update.

Two sizes, both in every run: 2,000 documents and 3 kills (under a minute), and the
issue's 20,000 documents and 5 kills (about five minutes on 2 free cores).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.harness import free_port
from tests.integration.content.node_process import ConfigStub, start_node, wait_up
from tests.unit.content.test_node_support import content_config

IN_FLIGHT = 64


@pytest.fixture
def config_server() -> Iterator[str]:
    with ConfigStub(content_config()) as stub:
        yield stub.url


def fields_of(i: int) -> dict[str, Any]:
    return {"title": f"song number {i} " + "la " * (i % 50), "year": 1900 + i % 120}


def update_of(i: int) -> dict[str, Any]:
    return {"title": {"assign": f"updated {i}"}, "year": {"assign": 2000 + i % 20}}


def updated_fields_of(i: int) -> dict[str, Any]:
    return {"title": f"updated {i}", "year": 2000 + i % 20}


@pytest.mark.timeout(1800)
@pytest.mark.parametrize(
    ("documents", "kills"),
    [
        pytest.param(2_000, 3, id="2000-documents-3-kills"),
        pytest.param(
            20_000,
            5,
            id="20000-documents-5-kills",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_sigkill_mid_feed_loses_no_acknowledged_write(
    tmp_path: Path, config_server: str, documents: int, kills: int
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "content.log"
    rng = random.Random(5)
    kill_points = sorted(rng.sample(range(documents // 20, documents * 19 // 20), kills))
    """Kill when this many writes are acknowledged: spread over the whole feed."""
    acked: dict[int, int] = {}
    """Per document, how many of its writes (put, then update) are acknowledged."""
    window: set[int] = set()
    """Written and acknowledged since the last restart: what a crash would most likely
    lose."""
    ids = iter(range(documents))
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        extra = ("--flush-bytes", str(64 << 10))  # flush (full and delta) every ~400 writes
        started.append(start_node(port, tmp_path / "data", config_server, log, "music", *extra))
        return started[-1]

    async def until_acked(client: httpx.AsyncClient, op: str, body: dict[str, Any]) -> None:
        while True:
            try:
                response = await client.post(f"{base}/internal/v1/{op}", json=body)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                return
            await asyncio.sleep(0.05)

    async def worker(client: httpx.AsyncClient) -> None:
        for i in ids:
            doc_id = f"id:ns:music::{i}"
            await until_acked(client, "put", {"id": doc_id, "fields": fields_of(i)})
            acked[i] = 1
            window.add(i)
            # assign is idempotent, so a retry of an update that was applied is harmless
            await until_acked(client, "update", {"id": doc_id, "fields": update_of(i)})
            acked[i] = 2
            window.add(i)

    async def verify(client: httpx.AsyncClient, wanted: list[int]) -> None:
        for first in range(0, len(wanted), 256):
            batch = wanted[first : first + 256]
            writes = {i: acked[i] for i in batch}  # before asking: writes go on meanwhile
            replies = await asyncio.gather(
                *(
                    client.post(f"{base}/internal/v1/get", json={"id": f"id:ns:music::{i}"})
                    for i in batch
                )
            )
            for i, reply in zip(batch, replies, strict=True):
                got = reply.json()
                assert got["found"], f"acknowledged document {i} is lost"
                if writes[i] == 2:
                    assert got["fields"] == updated_fields_of(i), f"update of {i} is lost"
                else:  # its update may have been applied, but never half
                    versions = (fields_of(i), updated_fields_of(i))
                    assert got["fields"] in versions, f"document {i} is {got['fields']}"

    async def killer(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
        for point in kill_points:
            while len(acked) < point:
                await asyncio.sleep(0.01)
            await asyncio.sleep(rng.uniform(0.0, 0.2))
            at_risk = sorted(window)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            process = start()
            await wait_up(client, base, process)
            window.clear()
            await verify(client, at_risk)

    async def run() -> None:
        limits = httpx.Limits(max_connections=IN_FLIGHT)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            try:
                process = start()
                await wait_up(client, base, process)
                feed = asyncio.gather(*(worker(client) for _ in range(IN_FLIGHT)))
                await killer(client, process)
                await feed
                assert set(acked.values()) == {2}
                await verify(client, sorted(acked))
            finally:
                for process in started:
                    process.kill()
                    process.wait()

    try:
        asyncio.run(run())
    except AssertionError:
        sys.stderr.write(log.read_text()[-5000:])
        raise
    assert len(acked) == documents
    assert len(started) == kills + 1
