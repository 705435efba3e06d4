"""The /state/v1 and /prometheus endpoints every Vespid process serves.

Shapes follow Vespa's state API: ``/state/v1/health`` is pretty-printed with
``" : "`` separators (scripts grep for ``"code" : "up"``), ``/state/v1/config`` reports
the config generation the process runs, which the config server's serviceconverge reads.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from vespid import __version__

VESPA_COMPATIBLE_VERSION = "8.0.0"
"""What /state/v1/version reports, for clients that check a minimum Vespa version."""


@dataclass
class _Metric:
    count: int = 0
    total: float = 0.0
    last: float = 0.0
    max: float = 0.0
    min: float = float("inf")


@dataclass
class ServiceState:
    """What a process reports about itself; the service updates it as it runs.

    ``status`` is ``initializing`` until the service can serve, then ``up``
    (or ``down`` while stopping). ``generation`` is the config generation applied.
    """

    status: str = "initializing"
    message: str = ""
    generation: int = 0
    clock: Callable[[], float] = time.time
    started: float = field(default_factory=time.time)
    _metrics: dict[str, _Metric] = field(default_factory=dict)

    def record(self, name: str, value: float = 1.0) -> None:
        """Add one observation of ``value`` to metric ``name`` (a latency, a count)."""
        m = self._metrics.setdefault(name, _Metric())
        m.count += 1
        m.total += value
        m.last = value
        m.max = max(m.max, value)
        m.min = min(m.min, value)

    def metric_values(self) -> list[dict[str, object]]:
        """Return the metrics in Vespa's ``values`` list shape."""
        elapsed = max(self.clock() - self.started, 1e-9)
        out: list[dict[str, object]] = []
        for name, m in sorted(self._metrics.items()):
            values = {
                "count": m.count,
                "rate": m.count / elapsed,
                "sum": m.total,
                "average": m.total / m.count if m.count else 0.0,
                "last": m.last,
                "max": m.max,
                "min": m.min if m.count else 0.0,
            }
            out.append({"name": name, "values": values})
        return out


def _pretty(data: object) -> Response:
    text = json.dumps(data, indent=2, separators=(",", " : "))
    return Response(text, media_type="application/json")


def state_routes(state: ServiceState) -> list[Route]:
    """Return the Starlette routes of the state API for ``state``."""

    async def health(_: Request) -> Response:
        status: dict[str, str] = {"code": state.status}
        if state.message:
            status["message"] = state.message
        now = state.clock()
        metrics: dict[str, object] = {}
        values = state.metric_values()
        if values:
            metrics = {"snapshot": {"from": state.started, "to": now}, "values": values}
        return _pretty({"time": int(now * 1000), "status": status, "metrics": metrics})

    async def metrics(_: Request) -> Response:
        return _pretty(
            {
                "time": int(state.clock() * 1000),
                "status": {"code": state.status},
                "metrics": {"values": state.metric_values()},
            }
        )

    async def config(_: Request) -> Response:
        generation = state.generation
        return JSONResponse(
            {
                "config": {
                    "generation": generation,
                    "applyOnRestart": False,
                    "wantedGeneration": generation,
                }
            }
        )

    async def version(_: Request) -> Response:
        return JSONResponse({"version": VESPA_COMPATIBLE_VERSION, "vespid": __version__})

    async def prometheus(_: Request) -> Response:
        lines = [f'vespid_up{{status="{state.status}"}} {int(state.status == "up")}']
        lines.append(f"vespid_config_generation {state.generation}")
        for metric in state.metric_values():
            name = "vespid_" + str(metric["name"]).replace(".", "_")
            values = metric["values"]
            assert isinstance(values, dict)
            lines.append(f"{name}_count {values['count']}")
            lines.append(f"{name}_sum {values['sum']}")
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")

    return [
        Route("/state/v1/health", health, methods=["GET"]),
        Route("/state/v1/metrics", metrics, methods=["GET"]),
        Route("/state/v1/config", config, methods=["GET"]),
        Route("/state/v1/version", version, methods=["GET"]),
        Route("/prometheus/v1/values", prometheus, methods=["GET"]),
    ]
