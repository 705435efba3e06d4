"""Benchmark: ``vespid up`` with the sample package until the container answers.

Each run starts from an empty home directory on free ports, so it includes starting
ZooKeeper, the config server, the node agent, the container and the content node,
deploying the package and waiting for convergence and ``/ApplicationStatus``;
``vespid up`` returns only then. Prints the median of three runs. Not a test: run it
with ``make perf`` or ``.venv/bin/python -m tests.perf.bench_up``.
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.harness import Instance, copy_sample, free_port, run_vespid

RUNS = 3


def one_run(root: Path) -> float:
    """Seconds from ``vespid up APP`` to its return (the container answers)."""
    container_port = free_port()
    inst = Instance(
        home=root / "home",
        app_dir=copy_sample(root / "app", container_port),
        config_port=free_port(),
        zookeeper_port=free_port(),
        container_port=container_port,
    )
    started = time.monotonic()
    try:
        up = run_vespid("up", str(inst.app_dir), *inst.up_args())
        elapsed = time.monotonic() - started
        if up.returncode != 0:
            raise SystemExit(f"vespid up failed:\n{up.stdout}\n{up.stderr}\n{inst.logs()}")
    finally:
        run_vespid("down", "--home", str(inst.home), timeout=120)
    return elapsed


def main() -> None:
    """Run the benchmark and print the median."""
    times = []
    for i in range(RUNS):
        with tempfile.TemporaryDirectory(prefix="vespid-bench-") as tmp:
            times.append(one_run(Path(tmp)))
        sys.stdout.write(f"run {i + 1}: {times[-1]:.2f} s\n")
    median = statistics.median(times)
    sys.stdout.write(
        f"vespid up (sample package) until the container answers: median {median:.2f} s "
        f"over {RUNS} runs on {platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}\n"
    )


if __name__ == "__main__":
    main()
