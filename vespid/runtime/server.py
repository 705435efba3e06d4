"""Running a service's ASGI app, and the logging set-up every process shares.

Two HTTP servers, chosen per process by `serve`:

- uvicorn (HTTP/1.1 only) for the internal ports: the config server and the content
  nodes, whose only clients are Vespid's own (HTTP/1.1 keep-alive).
- Hypercorn for the container's public port, which must speak HTTP/1.1 and HTTP/2
  over cleartext side by side: the vespa CLI's feeder and pyvespa's async client open
  ``http://`` URLs with h2c *prior knowledge* (the connection starts with the HTTP/2
  preface, no ``Upgrade``), while curl, pyvespa's sync client and browsers use
  HTTP/1.1. Hypercorn reads the first bytes of each connection and picks the
  protocol, so one port serves both. docs/performance.md has the measurement that
  chose it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Any

import uvicorn
from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config as HypercornConfig

GRACEFUL_SHUTDOWN_SECONDS = 5
"""How long a stopping server lets requests in flight finish."""


def setup_logging(service_name: str, level: int = logging.INFO) -> None:
    """Log to stderr, one line per record, prefixed with the service name."""
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format=f"%(asctime)s {service_name} %(levelname)s %(name)s: %(message)s",
        force=True,
    )


def serve(app: Any, host: str, port: int, *, h2c: bool = False) -> None:
    """Serve ``app`` on ``host:port`` until SIGTERM/SIGINT (graceful shutdown).

    Args:
        h2c: serve HTTP/2 over cleartext (prior knowledge and ``Upgrade: h2c``) as well
            as HTTP/1.1 on the same port, with Hypercorn; else HTTP/1.1 with uvicorn.
    """
    if h2c:
        asyncio.run(_serve_hypercorn(app, host, port))
        return
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    uvicorn.Server(config).run()


def hypercorn_config(host: str, port: int) -> HypercornConfig:
    """Hypercorn's settings for a public port: HTTP/1.1 and h2c, no access log."""
    config = HypercornConfig()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.accesslog = None
    config.loglevel = "WARNING"
    config.graceful_timeout = GRACEFUL_SHUTDOWN_SECONDS
    # Feed clients keep many streams open on one connection (the vespa CLI asks for
    # up to 128 per connection by default); refusing them would only make it open more.
    config.h2_max_concurrent_streams = 256
    # Hypercorn closes a connection after 1,000 requests by default; over HTTP/2 that
    # is a GOAWAY in the middle of a feed, which clients answer by failing the streams
    # in flight. Vespa's server keeps connections for as long as clients like.
    config.keep_alive_max_requests = 2**62
    # Vespa's own server (Jetty) does not name itself either.
    config.include_server_header = False
    return config


async def _serve_hypercorn(app: Any, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await hypercorn_serve(app, hypercorn_config(host, port), shutdown_trigger=stop.wait)
