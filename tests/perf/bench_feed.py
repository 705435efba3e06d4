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

Not a test: ``.venv/bin/python -m tests.perf.bench_feed [DOCUMENTS]``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.harness import Instance, copy_sample, free_port, run_vespid
from tests.perf.bench_container import _cpu_seconds, _machine

DOCUMENTS = 5000
CONNECTIONS = (8, 32)
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


def feed(inst: Instance, path: Path, connections: int) -> tuple[float, float]:
    """Feed ``path``; the feeder's documents/s and the command's wall-clock documents/s."""
    started = time.monotonic()
    result = run_vespid(
        "feed", str(path), "--target", inst.container, "--connections", str(connections)
    )
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"vespid feed failed:\n{result.stdout}\n{result.stderr}\n{inst.logs()}")
    summary = json.loads(result.stdout)
    ok = int(summary["feeder.ok.count"])
    return float(summary["feeder.ok.rate"]), ok / wall


def main() -> None:
    """Start Vespid, feed at each connection count, print documents/s."""
    documents = int(sys.argv[1]) if __name__ == "__main__" and len(sys.argv) > 1 else DOCUMENTS
    with tempfile.TemporaryDirectory(prefix="vespid-bench-feed-") as tmp:
        root = Path(tmp)
        container_port = free_port()
        inst = Instance(
            home=root / "home",
            app_dir=copy_sample(root / "app", container_port),
            config_port=free_port(),
            zookeeper_port=free_port(),
            container_port=container_port,
        )
        try:
            up = run_vespid("up", str(inst.app_dir), *inst.up_args())
            if up.returncode != 0:
                raise SystemExit(f"vespid up failed:\n{up.stdout}\n{up.stderr}\n{inst.logs()}")
            for connections in CONNECTIONS:
                path = root / f"feed-{connections}.jsonl"
                write_feed(path, documents, f"c{connections}")
                pids = service_pids(inst)
                cpu = {name: _cpu_seconds(pid) for name, pid in pids.items()}
                rate, wall_rate = feed(inst, path, connections)
                per_document = ", ".join(
                    f"{name} {(_cpu_seconds(pid) - cpu[name]) / documents * 1000:.2f} ms"
                    for name, pid in sorted(pids.items())
                )
                sys.stdout.write(
                    f"vespid feed, {documents} small documents, {connections} connections: "
                    f"{rate:.0f} documents/s (feeder), {wall_rate:.0f} documents/s "
                    f"(whole command); CPU per document: {per_document}\n"
                )
                sys.stdout.flush()
        finally:
            run_vespid("down", "--home", str(inst.home), timeout=120)
    sys.stdout.write(f"({_machine()})\n")


if __name__ == "__main__":
    main()
