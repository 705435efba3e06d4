"""Benchmark: BM25 top-10 over HTTP through a real Vespid vs SQLite FTS5 in-process.

``vespid up`` starts a one-node application (config server, ZooKeeper, node agent,
container, one content node) whose schema has one indexed string field ``text``
(``stemming: none``) and a rank profile ``bm25`` ranking by ``bm25(text)``; ``vespid
feed`` writes the same real-text documents `tests.perf.bench_bm25` uses (default
100,000 man-page paragraphs), and the same queries (1-3 terms, rare and common mixes,
seed 42) go to ``/search/`` as YQL (``text contains "a" or text contains "b"``, ``and``,
``weakAnd(...)``; ``ranking=bm25&hits=10``, every hit's summary rendered) over one
keep-alive connection, one query at a time, from a minimal HTTP/1.1 client
(`tests.perf.content_http_client`, tens of microseconds per request).

Reported per row, medians over ``ROUNDS`` rounds in which Vespid and FTS5 take turns:
Vespid's queries per wall-clock second as the client sees them, the CPU time the
container and the content node spent per query (from ``/proc``), FTS5's queries per
CPU-second in this process (``ORDER BY bm25(docs) LIMIT 10``), and the ratio of the
first to the last: issue 6 asks for at least FTS5's in-process rate over HTTP. Each
answer is checked: totalCount against the number of matching documents and the top
10 against a brute-force numpy bm25 (mean overlap printed). Client and servers share
the machine's cores.

Not a test: run ``.venv/bin/python -m tests.perf.bench_bm25_http [DOCUMENTS [QUERIES]]``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import orjson

from tests.e2e.harness import Instance, run_vespid, running_instance
from tests.perf.bench_bm25 import (
    MIN_DF,
    SEED,
    BruteForce,
    Engine,
    build_fts5,
    fts5_search,
    machine,
    overlap,
    sample_queries,
)
from tests.perf.bench_feed import service_pids
from tests.perf.content_http_client import Connection, cpu_seconds
from tests.perf.corpus import documents

DOCUMENTS = 100_000
QUERIES = 200
ROUNDS = 3
CONNECTIONS = 32

SERVICES = """<?xml version="1.0" encoding="utf-8" ?>
<services version="1.0">
    <container id="default" version="1.0">
        <search/>
        <document-api/>
        <http><server id="default" port="{port}"/></http>
        <nodes><node hostalias="node1"/></nodes>
    </container>
    <content id="paras" version="1.0">
        <redundancy>1</redundancy>
        <documents><document type="para" mode="index"/></documents>
        <nodes><node hostalias="node1" distribution-key="0"/></nodes>
    </content>
</services>
"""
SCHEMA = """schema para {
    document para {
        field text type string {
            indexing: summary | index
            index: enable-bm25
            stemming: none
        }
    }
    rank-profile bm25 {
        first-phase {
            expression: bm25(text)
        }
    }
}
"""


def write_application(root: Path, container_port: int) -> Path:
    """The one-field application package under ``root``."""
    (root / "schemas").mkdir(parents=True)
    (root / "services.xml").write_text(SERVICES.format(port=container_port))
    (root / "schemas" / "para.sd").write_text(SCHEMA)
    return root


def write_feed(path: Path, texts: list[str]) -> None:
    """One put per paragraph; document ``id:para:para::<i>`` holds paragraph i."""
    with path.open("wb") as out:
        for i, text in enumerate(texts):
            out.write(orjson.dumps({"put": f"id:para:para::{i}", "fields": {"text": text}}))
            out.write(b"\n")


def yql(kind: str, terms: list[str]) -> str:
    """The query path for ``terms`` joined by ``kind`` (or, and, weakand)."""
    words = [f'text contains "{t}"' for t in terms]
    where = f"weakAnd({', '.join(words)})" if kind == "weakand" else f" {kind} ".join(words)
    text = f"select * from para where {where}"
    return f"/search/?yql={quote(text)}&ranking=bm25&hits=10"


class HttpRow:
    """Runs one row's queries over a keep-alive connection and checks the answers.

    Each batch opens its own connection: the server closes one left idle while FTS5
    takes its turn.
    """

    def __init__(self, port: int, pids: dict[str, int]) -> None:
        self.port = port
        self.pids = pids

    async def answers(self, paths: list[str]) -> list[tuple[list[int], int]]:
        found = []
        connection = await Connection.open("127.0.0.1", self.port)
        for path in paths:
            status, body = await connection.get(path)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}: {body[:500]!r}")
            root = orjson.loads(body)["root"]
            lids = [int(hit["id"].rsplit(":", 1)[1]) for hit in root.get("children", [])]
            found.append((lids, int(root["fields"]["totalCount"])))
        connection.close()
        return found

    async def timed(self, paths: list[str]) -> tuple[float, dict[str, float]]:
        """Queries per wall-clock second, and each service's CPU milliseconds per query."""
        connection = await Connection.open("127.0.0.1", self.port)
        await connection.get(paths[0])
        cpu = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        start = time.perf_counter()
        for path in paths:
            await connection.get(path)
        wall = time.perf_counter() - start
        connection.close()
        used = {
            name: (cpu_seconds(pid) - cpu[name]) / len(paths) * 1000
            for name, pid in self.pids.items()
        }
        return len(paths) / wall, used


def fts5_rate(engine: Engine, prepared: list[object]) -> float:
    start = time.process_time()
    for query in prepared:
        engine.search(query)
    return len(prepared) / max(time.process_time() - start, 1e-9)


async def run_rows(inst: Instance, texts: list[str], per_length: int) -> None:
    brute = BruteForce(texts)
    fts5 = build_fts5(texts)
    pids = service_pids(inst)
    row = HttpRow(inst.container_port, pids)
    sys.stdout.write(
        f"  {'query':<20}{'median df':>10}{'vespid q/s':>11}{'container ms':>13}"
        f"{'content ms':>11}{'fts5 q/s':>9}{'vs fts5':>8}   overlap  totalCount\n"
    )
    for frequent in (False, True):
        mix = "common" if frequent else "rare"
        for kind in ("or", "and", "weakand"):
            for length in (1, 2, 3):
                if kind != "or" and length == 1:
                    continue
                queries = sample_queries(brute, length, per_length, SEED + length, frequent)
                paths = [yql(kind, q) for q in queries]
                answers = await row.answers(paths)
                truth = [brute.top10(q, kind == "and") for q in queries]
                totals_ok = "-"
                if kind != "weakand":
                    totals = [len(brute.matches(q, kind == "and")) for q in queries]
                    exact = sum(t == a[1] for t, a in zip(totals, answers, strict=True))
                    totals_ok = f"{exact}/{len(queries)}"
                engine = fts5_search(fts5, "AND" if kind == "and" else "OR")
                prepared = [engine.prepare(q) for q in queries]
                http_rates, fts5_rates = [], []
                server_ms: dict[str, list[float]] = {name: [] for name in pids}
                for _ in range(ROUNDS):
                    rate, used = await row.timed(paths)
                    http_rates.append(rate)
                    for name, spent in used.items():
                        server_ms[name].append(spent)
                    fts5_rates.append(fts5_rate(engine, prepared))
                rate, fts = statistics.median(http_rates), statistics.median(fts5_rates)
                ms = {
                    kind: statistics.median(
                        m
                        for name, values in server_ms.items()
                        if name.startswith(kind)
                        for m in values
                    )
                    for kind in ("container", "content")
                }
                df = statistics.median(
                    int(brute.df[brute.vocabulary[t]]) for q in queries for t in q
                )
                label = f"{kind.upper() if kind != 'weakand' else 'weakAnd'} {length} {mix}"
                sys.stdout.write(
                    f"  {label:<20}{df:>10.0f}{rate:>11.0f}{ms['container']:>13.2f}"
                    f"{ms['content']:>11.2f}{fts:>9.0f}{rate / fts:>8.2f}   "
                    f"{overlap([a[0] for a in answers], truth):.3f}    {totals_ok}\n"
                )
                sys.stdout.flush()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else DOCUMENTS
    per_length = int(sys.argv[2]) if len(sys.argv) > 2 else QUERIES
    sys.stdout.write(
        f"bm25 top-10 over HTTP, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
        f"  machine: {machine()}; min df {MIN_DF}\n"
    )
    texts = documents(count)
    with tempfile.TemporaryDirectory(prefix="vespid-bench-bm25-http-") as tmp:
        root = Path(tmp)
        with running_instance(root, write_application) as inst:
            feed_path = root / "feed.jsonl"
            write_feed(feed_path, texts)
            started = time.monotonic()
            fed = run_vespid(
                "feed", str(feed_path), "--target", inst.container,
                "--connections", str(CONNECTIONS), timeout=3600,
            )  # fmt: skip
            if fed.returncode != 0:
                raise SystemExit(f"vespid feed failed:\n{fed.stdout}\n{fed.stderr}")
            summary = json.loads(fed.stdout)
            sys.stdout.write(
                f"  fed {summary['feeder.ok.count']} documents in "
                f"{time.monotonic() - started:.0f} s\n"
            )
            asyncio.run(run_rows(inst, texts, per_length))


if __name__ == "__main__":
    main()
