"""Benchmark: feed throughput over HTTP with ``vespid feed`` into a real single-node Vespid.

``vespid up`` starts the sample application (config server, ZooKeeper, node agent,
container, one content node with redundancy 1); a feed of small book documents is
written to a JSONL file and sent by ``vespid feed`` as a subprocess, as a user runs it,
once per connection count. Reported: documents/s as the feeder measures it
(``feeder.ok.rate``: operations from first send to last answer) and as the wall clock
sees the whole command (interpreter start and file reading included), and the CPU time the
container and the content node spent per document (from ``/proc``, pids from the node
agent's pid files), which says where the time goes on a busy machine. Each run feeds
new document ids, so every operation is an insert.

Not a test: ``.venv/bin/python -m tests.perf.bench_feed [DOCUMENTS [CONNECTIONS,...]]``.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.harness import Instance, run_vespid, running_instance
from tests.perf.bench_container import _cpu_seconds, _machine

DOCUMENTS = 5000
CONNECTIONS = (8, 32)
"""Overridden by a comma-separated second argument: ``bench_feed 5000 16,64``."""
GENRES = ("romance", "science", "mystery", "adventure")


def write_feed(path: Path, documents: int, prefix: str) -> None:
    """``documents`` puts of small books (about 200 bytes each) as JSONL."""
    with path.open("w") as out:
        for i in range(documents):
            op = {
                "put": f"id:books:book::{prefix}-{i}",
                "fields": {
                    "title": f"Book number {i}",
                    "description": f"A short book, the {i}th of its kind, about {GENRES[i % 4]}.",
                    "author": f"Author {i % 97}",
                    "genre": GENRES[i % 4],
                    "year": 1900 + i % 120,
                    "rating": (i % 50) / 10,
                    "pages": 100 + i % 900,
                },
            }
            out.write(json.dumps(op) + "\n")


def service_pids(inst: Instance) -> dict[str, int]:
    """The running services' pids by service name (the node agent's pid files)."""
    return {
        path.stem: int(path.read_text().split()[0])
        for path in (inst.home / "run").glob("*.pid")
        if path.stem.startswith(("container", "content"))
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def feed(inst: Instance, path: Path, connections: int) -> tuple[float, float, float]:
    """Feed ``path``; the feeder's documents/s, the command's wall-clock documents/s, and
    the CPU seconds the ``vespid feed`` process used."""
    started, cpu = time.monotonic(), _children_cpu()
    result = run_vespid(
        "feed", str(path), "--target", inst.container, "--connections", str(connections)
    )
    wall = time.monotonic() - started
    feeder_cpu = _children_cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"vespid feed failed:\n{result.stdout}\n{result.stderr}\n{inst.logs()}")
    summary = json.loads(result.stdout)
    ok = int(summary["feeder.ok.count"])
    return float(summary["feeder.ok.rate"]), ok / wall, feeder_cpu


def main() -> None:
    """Start Vespid, feed at each connection count, print documents/s."""
    args = sys.argv[1:] if __name__ == "__main__" else []
    documents = int(args[0]) if args else DOCUMENTS
    connection_counts = tuple(map(int, args[1].split(","))) if len(args) > 1 else CONNECTIONS
    with tempfile.TemporaryDirectory(prefix="vespid-bench-feed-") as tmp:
        root = Path(tmp)
        with running_instance(root) as inst:
            for connections in connection_counts:
                path = root / f"feed-{connections}.jsonl"
                write_feed(path, documents, f"c{connections}")
                pids = service_pids(inst)
                cpu = {name: _cpu_seconds(pid) for name, pid in pids.items()}
                rate, wall_rate, feeder_cpu = feed(inst, path, connections)
                per_document = ", ".join(
                    f"{name.split('-')[0]} {(_cpu_seconds(pid) - cpu[name]) / documents * 1000:.2f}"
                    for name, pid in sorted(pids.items())
                )
                sys.stdout.write(
                    f"vespid feed, {documents} small documents, {connections} connections: "
                    f"{rate:.0f} documents/s (feeder), {wall_rate:.0f} documents/s "
                    f"(whole command); CPU ms per document: {per_document}, "
                    f"feeder {feeder_cpu / documents * 1000:.2f} (whole command); "
                    f"load average {os.getloadavg()[0]:.1f}\n"
                )
                sys.stdout.flush()
    sys.stdout.write(f"({_machine()})\n")


if __name__ == "__main__":
    main()
