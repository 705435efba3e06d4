"""A real content node process killed with SIGKILL mid-feed keeps every acknowledged write.

One real dependency: the `python -m content` process with its files. Its config comes
from a minimal server that speaks the config API contract (docs/internals.md). A feed
of DOCUMENTS puts goes straight to the node's API with many writes in flight, each
retried until acknowledged; KILLS times at random moments the process is killed with
SIGKILL and restarted on the same data directory. After each restart the writes
acknowledged since the previous one must be back exactly as written; at the end, all.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.harness import free_port
from tests.unit.content.test_node_support import content_config

DOCUMENTS = 20_000
KILLS = 5
IN_FLIGHT = 64
REPO = Path(__file__).resolve().parents[3]


class _ConfigHandler(BaseHTTPRequestHandler):
    body = json.dumps({"generation": 1, "config": content_config().to_json()}).encode()

    def do_GET(self) -> None:
        if "generation=1" in self.path:
            time.sleep(2)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def config_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _ConfigHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def start_node(port: int, data: Path, config_url: str, log: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "content", "--port", str(port), "--host", "127.0.0.1"]
    argv += ["--cluster", "music", "--distribution-key", "0", "--data-dir", str(data)]
    argv += ["--config-server", config_url, "--flush-bytes", str(1 << 20)]
    with log.open("ab") as out:
        return subprocess.Popen(argv, cwd=REPO, stdout=out, stderr=out)


async def wait_up(client: httpx.AsyncClient, base: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise AssertionError(f"content node exited with {process.returncode}")
        try:
            health = await client.get(f"{base}/state/v1/health")
            if '"up"' in health.text:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("content node did not come up")


def fields_of(i: int) -> dict[str, Any]:
    return {"title": f"song number {i} " + "la " * (i % 50), "year": 1900 + i % 120}


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_sigkill_mid_feed_loses_no_acknowledged_write(tmp_path: Path, config_server: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "content.log"
    rng = random.Random(5)
    acked: set[int] = set()
    window: set[int] = set()
    """Acknowledged since the last restart: the writes a crash would most likely lose."""
    ids = iter(range(DOCUMENTS))
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(start_node(port, tmp_path / "data", config_server, log))
        return started[-1]

    async def put_until_acked(client: httpx.AsyncClient, i: int) -> None:
        body = {"id": f"id:ns:music::{i}", "fields": fields_of(i)}
        while True:
            try:
                response = await client.post(f"{base}/internal/v1/put", json=body)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                acked.add(i)
                window.add(i)
                return
            await asyncio.sleep(0.05)

    async def worker(client: httpx.AsyncClient) -> None:
        for i in ids:
            await put_until_acked(client, i)

    async def verify(client: httpx.AsyncClient, wanted: list[int]) -> None:
        for first in range(0, len(wanted), 256):
            batch = wanted[first : first + 256]
            replies = await asyncio.gather(
                *(
                    client.post(f"{base}/internal/v1/get", json={"id": f"id:ns:music::{i}"})
                    for i in batch
                )
            )
            for i, reply in zip(batch, replies, strict=True):
                got = reply.json()
                assert got["found"], f"acknowledged document {i} is lost"
                assert got["fields"] == fields_of(i), f"document {i} is not as written"

    async def killer(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(1.0, 4.0))
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
    assert len(acked) == DOCUMENTS
