"""``python -m tests.perf`` (``make perf``): run every benchmark module's ``main()`` in turn.

A benchmark is a module ``tests/perf/bench_*.py`` with a ``main() -> None`` that prints
its figures; record them in docs/performance.md with the machine and date.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

for path in sorted(Path(__file__).parent.glob("bench_*.py")):
    sys.stdout.write(f"== {path.stem}\n")
    sys.stdout.flush()
    importlib.import_module(f"tests.perf.{path.stem}").main()
