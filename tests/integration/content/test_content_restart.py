"""A real content node restarted on its data directory serves the same answers without
rebuilding its search side.

One real dependency: the `python -m content` process with its files, its config from a
stub. Documents with text, attributes and an HNSW tensor field are put over HTTP with a
small ``--flush-bytes``, so flushes snapshot the search side during the feed; then
every document's year is updated and some are removed, so the last of those stay in the
log (hnswlib draws a new node's level from a generator it does not save, so a vector
*inserted* from the log tail may link differently after a restart; updates and removes
replay into the loaded graph exactly). The process is stopped (SIGTERM) and started again: its log
must say the index was loaded from its snapshot (not built), and text, filter and
nearestNeighbor queries must give exactly the answers of before.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.harness import free_port
from tests.integration.content.node_process import ConfigStub, start_node, wait_up
from tests.unit.content.test_node_support import content_config
from vespid.config import FieldConfig, HnswConfig, InputConfig, RankProfileConfig, SchemaConfig
from vespid.messages import AndItem, NearestNeighborItem, RangeItem, SearchRequest, item_to_json
from vespid.messages.query import TermItem

DIMENSIONS = 8
SCHEMA = SchemaConfig(
    name="music",
    fields=(
        FieldConfig("title", "string", index=True, summary=True),
        FieldConfig("year", "int", attribute=True, fast_search=True),
        FieldConfig("genre", "string", attribute=True),
        FieldConfig(
            "embedding",
            f"tensor<float>(x[{DIMENSIONS}])",
            attribute=True,
            hnsw=HnswConfig(),
            distance_metric="angular",
        ),
    ),
    rank_profiles=(
        RankProfileConfig("text", first_phase="bm25(title) + attribute(year) / 10000"),
        RankProfileConfig(
            "near",
            inputs=(InputConfig("q", f"tensor<float>(x[{DIMENSIONS}])"),),
            first_phase="closeness(field, embedding)",
        ),
    ),
)
WORDS = ["red", "blue", "love", "song", "night", "day", "sun", "rain"]
DOCUMENTS = 600


def document(i: int, rng: random.Random) -> dict[str, Any]:
    return {
        "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))),
        "year": 1980 + i % 40,
        "genre": rng.choice(["rock", "pop", "jazz"]),
        "embedding": {"values": [rng.gauss(0, 1) for _ in range(DIMENSIONS)]},
    }


def queries(rng: random.Random) -> list[dict[str, Any]]:
    def request(tree: Any, ranking: str, **extra: Any) -> dict[str, Any]:
        query = SearchRequest(("music",), item_to_json(tree), ranking, hits=50, **extra)
        return query.to_json()

    found = [request(TermItem("title", word), "text") for word in ("red", "love", "sun", "missing")]
    found.append(request(AndItem((TermItem("genre", "jazz"), RangeItem("year", 1990.0))), "text"))
    for _ in range(5):
        probe = [rng.gauss(0, 1) for _ in range(DIMENSIONS)]
        near = NearestNeighborItem("embedding", "q", target_hits=10)
        found.append(request(near, "near", inputs={"q": probe}))
        filtered = AndItem((near, TermItem("genre", "pop")))
        found.append(request(filtered, "near", inputs={"q": probe}))
    return found


async def feed(client: httpx.AsyncClient, base: str) -> None:
    rng = random.Random(3)
    for first in range(0, DOCUMENTS, 50):
        puts = [
            client.post(
                f"{base}/internal/v1/put",
                json={"id": f"id:ns:music::{i}", "fields": document(i, rng)},
            )
            for i in range(first, first + 50)
        ]
        for reply in await asyncio.gather(*puts):
            assert reply.status_code == 200, reply.text
    for i in range(DOCUMENTS):
        update = {"id": f"id:ns:music::{i}", "fields": {"year": {"assign": 1970 + i % 13}}}
        reply = await client.post(f"{base}/internal/v1/update", json=update)
        assert reply.status_code == 200, reply.text
    for i in range(0, DOCUMENTS, 7):
        reply = await client.post(f"{base}/internal/v1/remove", json={"id": f"id:ns:music::{i}"})
        assert reply.status_code == 200, reply.text


async def answers(client: httpx.AsyncClient, base: str) -> list[Any]:
    found = []
    for query in queries(random.Random(11)):
        reply = await client.post(f"{base}/internal/v1/search", json=query)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        found.append((body["total_count"], [(h["id"], h["relevance"]) for h in body["hits"]]))
    return found


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_restarted_node_loads_its_search_side_and_answers_the_same(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "content.log"
    first_run = 0

    async def run() -> None:
        nonlocal first_run
        async with httpx.AsyncClient(timeout=30) as client:
            with ConfigStub(content_config(schema=SCHEMA)) as stub:
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                process = start_node(port, data, stub.url, log, "music", "--flush-bytes", "40000")
                try:
                    await wait_up(client, base, process)
                    await feed(client, base)
                    before = await answers(client, base)
                finally:
                    stop(process)
                assert "flushed a" in log.read_text()
                first_run = len(log.read_text())
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                process = start_node(port, data, stub.url, log, "music")
                try:
                    await wait_up(client, base, process)
                    after = await answers(client, base)
                finally:
                    stop(process)
        assert any(hits for _, hits in before)
        assert after == before
        text = log.read_text()[first_run:]
        assert "loaded search index of music from its snapshot" in text
        assert "indexed music" not in text, "the index was rebuilt, not loaded"
        assert " 0 log records applied again" not in text, "nothing was left in the log"

    asyncio.run(run())
