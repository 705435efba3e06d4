"""A real ``python -m content`` process for tests and benchmarks, and a config server for it.

`ConfigStub` answers the config API contract of docs/internals.md with one fixed
`ContentConfig` (generation 1; a poll for anything newer is held open a while, as a
real config server holds it). `start_node` starts the node on a data directory with
its output appended to a log file; `wait_up` polls its health until it serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from tests.e2e.harness import free_port
from vespid.config import ContentConfig

REPO = Path(__file__).resolve().parents[3]


class ConfigStub:
    """A config server on loopback that serves ``config`` as generation 1."""

    def __init__(self, config: ContentConfig) -> None:
        body = json.dumps({"generation": 1, "config": config.to_json()}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if "generation=1" in self.path:
                    time.sleep(2)  # nothing newer: hold the long poll a while
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)  # the node may be gone (killed, or stopped)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ConfigStub:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


def start_node(
    port: int, data: Path, config_url: str, log: Path, cluster: str, *extra: str
) -> subprocess.Popen[bytes]:
    """Start content node 0 of ``cluster`` on ``port`` over ``data``, logging to ``log``."""
    argv = [sys.executable, "-m", "content", "--port", str(port), "--host", "127.0.0.1"]
    argv += ["--cluster", cluster, "--distribution-key", "0", "--data-dir", str(data)]
    argv += ["--config-server", config_url, *extra]
    with log.open("ab") as out:
        return subprocess.Popen(argv, cwd=REPO, stdout=out, stderr=out)


async def wait_up(
    client: httpx.AsyncClient, base: str, process: subprocess.Popen[bytes], timeout: float = 300
) -> float:
    """Wait until the node at ``base`` reports up; return the seconds waited.

    Raises:
        AssertionError: the process exited, or it was not up within ``timeout`` seconds.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise AssertionError(f"content node exited with {process.returncode}")
        try:
            health = await client.get(f"{base}/state/v1/health")
            if '"up"' in health.text:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"content node did not come up within {timeout:.0f} s")
