"""Benchmark: parse and derive every conformance application package and every .sd file.

Loads, once and outside the timing, every package under the conformance material (a
directory with a ``services.xml`` in ``sample-apps/``, ``pyvespa/`` and ``vespa-tests/``)
and every ``.sd`` file under it. One run then calls ``derive_application`` on each
package (read services.xml and hosts.xml, parse every schema and expression, validate,
type-check the rank profiles, derive the three config documents; a refused package
counts with the time to refuse it) and ``parse_schema`` on each .sd file. Five runs in
one process; prints each run's time, the median and the slowest packages.
Not a test: run it with ``.venv/bin/python -m tests.perf.bench_package``.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial

from configserver.errors import InvalidApplicationPackageError
from configserver.model import derive_application
from configserver.schema import parse_schema
from tests.unit.configserver.conftest import CONFORMANCE, port_counter, read_package_dir

RUNS = 5
SLOWEST = 5


def _timed(run: Callable[[], object]) -> tuple[float, bool]:
    """Seconds ``run`` took, and whether it was accepted."""
    start = time.perf_counter()
    try:
        run()
    except InvalidApplicationPackageError:
        return time.perf_counter() - start, False
    return time.perf_counter() - start, True


def main() -> None:
    """Load the material, time ``RUNS`` runs, print the figures."""
    if not CONFORMANCE.is_dir():
        sys.stdout.write(f"no conformance material at {CONFORMANCE}\n")
        return
    packages = {
        p.parent.relative_to(CONFORMANCE).as_posix(): read_package_dir(p.parent)
        for p in sorted(CONFORMANCE.rglob("services.xml"))
    }
    schemas = {
        p.relative_to(CONFORMANCE).as_posix(): p.read_bytes()
        for p in sorted(CONFORMANCE.rglob("*.sd"))
    }
    totals: list[float] = []
    package_times: dict[str, list[float]] = {name: [] for name in packages}
    accepted = 0
    for _ in range(RUNS):
        start = time.perf_counter()
        accepted = 0
        for name, files in packages.items():
            seconds, ok = _timed(partial(derive_application, files, 1, None, port_counter()))
            package_times[name].append(seconds)
            accepted += ok
        for path, data in schemas.items():
            _timed(partial(parse_schema, data, path))
        totals.append(time.perf_counter() - start)
    median = statistics.median(totals)
    packages_median = sum(statistics.median(t) for t in package_times.values())
    out = sys.stdout
    out.write(f"python {platform.python_version()} on {platform.machine()}\n")
    out.write(
        f"{len(packages)} packages ({accepted} accepted, {len(packages) - accepted} refused), "
        f"{len(schemas)} .sd files\n"
    )
    out.write(f"runs (s): {', '.join(f'{t:.3f}' for t in totals)}\n")
    out.write(f"median total: {median * 1000:.0f} ms\n")
    out.write(
        f"  of which packages (sum of per-package medians): {packages_median * 1000:.0f} ms\n"
    )
    slowest = sorted(package_times.items(), key=lambda kv: -statistics.median(kv[1]))
    for name, times in slowest[:SLOWEST]:
        out.write(f"  {statistics.median(times) * 1000:6.1f} ms  {name}\n")


if __name__ == "__main__":
    main()
