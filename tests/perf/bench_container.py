"""Benchmark: the container's own cost per request, and its HTTP server on the public port.

Part 1, overhead: one query for 10 hits through the whole container app (the ASGI app
called directly: parameters, YQL parse, query build, dispatch to two content nodes,
merge, summary fetch, render) where the two content nodes are an in-process
`ContentTransport` answering instantly with prepared bytes. What is measured is the
container alone, without its HTTP server and sockets. Median and p90 over many queries.

Part 2, serving: the same app (same instant nodes) served in a child process by uvicorn
as `vespid.runtime.serve` runs an internal port (HTTP/1.1, httptools and uvloop), as it
runs the container's public port ("public": the same, with connections that open with
the HTTP/2 preface handed to Hypercorn), or by Hypercorn alone (HTTP/1.1 and h2c, what
the public port ran before), loaded over loopback by httpx with a bounded number of
requests in flight, with ``http1`` and with h2c prior knowledge (``http1=False,
http2=True``). For a small ``/search/`` and a small document put: requests/s, and the
server process's CPU time per request (user + system, from ``/proc``), the figure that
survives a busy machine.
The load generator shares the cores with the server, so requests/s compare servers;
they are not the container's ceiling.

Part 3, clients (``--clients``): the CPU a client spends per request posting a small
body to one uvicorn server (the "uvicorn" child of part 2) with 16 requests in flight:
`vespid.runtime.keep_alive` (the container's client to content nodes and the feeder's)
against aiohttp (what both used before). The client's own process time, per request.

Not a test: ``.venv/bin/python -m tests.perf.bench_container`` (``--profile`` prints
where the overhead goes; ``--serve SERVER PORT`` is the child process of part 2;
``--clients`` runs part 3 only).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
import orjson
from hypercorn.asyncio import serve as hypercorn_serve

from container.dispatch import ContentClient, KeepAliveTransport
from container.http import ContainerRuntime, create_app
from tests.e2e.harness import free_port
from tests.unit.container.harness import config
from vespid.messages import (
    DocsumReply,
    SearchHit,
    SearchReply,
    WriteBatchReply,
    WriteOutcome,
    WriteReply,
)
from vespid.runtime import serve
from vespid.runtime.server import hypercorn_config

HITS = 10
QUERIES = 3000
WARMUP = 300
LOAD_SECONDS = 4.0
IN_FLIGHT = 32
SEARCH_PATH = "/search/?yql=select+*+from+sources+*+where+true&hits=10"
PUT_BODY = orjson.dumps({"fields": {"title": "a small document", "year": 1999, "score": 0.5}})

Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def _summary(doc_id: str) -> dict[str, Any]:
    return {"title": f"title of {doc_id}", "year": 2000, "score": 0.5, "embedding": [1.0, 2.0]}


class InstantNodes:
    """Two content nodes that answer at once: ``HITS`` hits each, their summaries, puts.

    Answers are encoded once (per node and op; per request body for summaries, whose
    ids vary by node) and then replayed, so the nodes cost next to nothing per call.
    """

    def __init__(self) -> None:
        self._answers: dict[tuple[int, str, bytes], bytes] = {}

    def _answer(self, port: int, op: str, body: bytes) -> bytes:
        if op == "search":
            hits = tuple(
                SearchHit(f"id:music:music::n{port}-{i}", 1.0 - i / 100 - port / 1e6, "music")
                for i in range(HITS)
            )
            return orjson.dumps(SearchReply(hits, 1000, 1000).to_json())
        if op == "docsum":
            ids = orjson.loads(body)["ids"]
            return orjson.dumps(DocsumReply({i: _summary(i) for i in ids}).to_json())
        if op == "batch":
            outcomes = (WriteOutcome(found=False),) * len(orjson.loads(body)["operations"])
            return orjson.dumps(WriteBatchReply(outcomes).to_json())
        return orjson.dumps(WriteReply(found=False).to_json())

    async def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        """Answer at once (`container.dispatch.ContentTransport.post`)."""
        address, op = url.removeprefix("http://").split("/", 1)[0], url.rsplit("/", 1)[1]
        key = (int(address.rsplit(":", 1)[1]), op, body if op in ("docsum", "batch") else b"")
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._answer(key[0], op, body)
        return 200, answer

    async def aclose(self) -> None:
        """Nothing to close."""


def _app() -> tuple[Asgi, ContainerRuntime]:
    runtime = ContainerRuntime(ContentClient(transport=InstantNodes()))

    async def start(rt: ContainerRuntime) -> None:
        await rt.apply(config())

    return create_app(runtime, on_start=start), runtime


async def _request(app: Asgi, scope: dict[str, Any]) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _search_scope() -> dict[str, Any]:
    path, query = SEARCH_PATH.split("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8080),
    }


async def _overhead(profile: bool) -> list[float]:
    app, runtime = _app()
    await runtime.apply(config())
    scope = _search_scope()
    for _ in range(WARMUP):
        assert await _request(app, dict(scope)) == 200
    profiler = cProfile.Profile() if profile else None
    times = []
    if profiler is not None:
        profiler.enable()
    for _ in range(QUERIES):
        started = time.perf_counter()
        await _request(app, dict(scope))
        times.append(time.perf_counter() - started)
    if profiler is not None:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(45)
    await runtime.aclose()
    return times


def _serve(server: str, port: int) -> None:
    app, _ = _app()
    if server == "hypercorn":
        # Hypercorn alone, for both protocols: what the public port ran before.
        hypercorn = hypercorn_config()
        hypercorn.bind = [f"127.0.0.1:{port}"]
        asyncio.run(hypercorn_serve(app, hypercorn))  # type: ignore[arg-type]
        return
    serve(app, "127.0.0.1", port, h2c=server == "public")


async def _load(url: str, http2: bool, put: bool) -> tuple[int, float]:
    """Requests answered, and seconds taken, with ``IN_FLIGHT`` requests outstanding."""
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    async with httpx.AsyncClient(
        base_url=url, http1=not http2, http2=http2, limits=limits, timeout=30
    ) as client:
        done = 0
        stop = time.monotonic() + LOAD_SECONDS

        async def worker(w: int) -> None:
            nonlocal done
            i = 0
            while time.monotonic() < stop:
                if put:
                    r = await client.post(
                        f"/document/v1/music/music/docid/w{w}-{i}", content=PUT_BODY
                    )
                else:
                    r = await client.get(SEARCH_PATH)
                assert r.status_code == 200, r.text
                assert r.http_version == ("HTTP/2" if http2 else "HTTP/1.1")
                done += 1
                i += 1

        started = time.monotonic()
        await asyncio.gather(*(worker(w) for w in range(IN_FLIGHT)))
        return done, time.monotonic() - started


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/ApplicationStatus", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server at {url} did not come up")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serving() -> list[tuple[str, str, str, float, float]]:
    """Per server, protocol and request: requests/s and the server's CPU ms per request."""
    rows = []
    servers = (
        ("uvicorn", ("http1",)),
        ("public", ("http1", "h2c")),
        ("hypercorn", ("http1", "h2c")),
    )
    for server, protocols in servers:
        port = free_port()
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.perf.bench_container", "--serve", server, str(port)]
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_up(url)
            for protocol in protocols:
                for what in ("search", "put"):
                    cpu = _cpu_seconds(child.pid)
                    count, seconds = asyncio.run(_load(url, protocol == "h2c", what == "put"))
                    rate = count / seconds
                    per_request = (_cpu_seconds(child.pid) - cpu) / count * 1000
                    rows.append((server, protocol, what, rate, per_request))
                    sys.stdout.write(
                        f"{server:9} {protocol:5} {what:6} {rate:7.0f} requests/s, "
                        f"server CPU {per_request:.2f} ms/request\n"
                    )
                    sys.stdout.flush()
        finally:
            child.terminate()
            child.wait(30)
    return rows


CLIENT_REQUESTS = 4000
CLIENT_IN_FLIGHT = 16


async def _client_load(url: str, client: str) -> float:
    """Client CPU ms per request for ``CLIENT_REQUESTS`` puts, ``CLIENT_IN_FLIGHT`` at once."""
    path = "/document/v1/music/music/docid/c"
    left = CLIENT_REQUESTS
    if client == "keep-alive":
        transport = KeepAliveTransport()

        async def post(i: int) -> int:
            status, _ = await transport.post(f"{url}{path}{i % 100}", PUT_BODY)
            return status

        close = transport.aclose
    else:
        session = aiohttp.ClientSession()

        async def post(i: int) -> int:
            async with session.post(f"{url}{path}{i % 100}", data=PUT_BODY) as response:
                await response.read()
                return response.status

        close = session.close

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            assert await post(left) == 200

    started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(CLIENT_IN_FLIGHT)))
    spent = time.process_time() - started
    await close()
    return spent / CLIENT_REQUESTS * 1000


def _clients() -> None:
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.perf.bench_container", "--serve", "uvicorn", str(port)]
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_up(url)
        for _ in range(2):
            for client in ("keep-alive", "aiohttp"):
                per_request = asyncio.run(_client_load(url, client))
                sys.stdout.write(f"client {client:10} {per_request:.3f} ms CPU/request\n")
                sys.stdout.flush()
    finally:
        child.terminate()
        child.wait(30)


def _machine() -> str:
    model = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln), model
            )
    return (
        f"{os.cpu_count()} cores, {model}, {platform.python_implementation()} "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )


def main() -> None:
    """Run both parts and print the figures."""
    args = argparse.ArgumentParser()
    args.add_argument("--profile", action="store_true")
    args.add_argument("--serve", nargs=2, metavar=("SERVER", "PORT"))
    args.add_argument("--overhead-only", action="store_true")
    args.add_argument("--clients", action="store_true")
    parsed = args.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    if parsed.serve:
        _serve(parsed.serve[0], int(parsed.serve[1]))
        return
    if parsed.clients:
        _clients()
        return
    times = asyncio.run(_overhead(parsed.profile))
    p50 = statistics.median(times) * 1000
    p90 = statistics.quantiles(times, n=10)[-1] * 1000
    sys.stdout.write(
        f"container overhead per query, {HITS} hits from two instant content nodes: "
        f"p50 {p50:.2f} ms, p90 {p90:.2f} ms over {QUERIES} queries ({_machine()})\n"
    )
    if not parsed.overhead_only and not parsed.profile:
        _serving()


if __name__ == "__main__":
    main()
