"""Running a service's ASGI app, and the logging set-up every process shares.

Every process serves with uvicorn (httptools and uvloop). The internal ports (config
server, content nodes) speak HTTP/1.1 only: their clients are Vespid's own. The
container's public port (``h2c=True``) must also speak HTTP/2 over cleartext with
prior knowledge, as the vespa CLI's feeder and pyvespa's async client do: there each
connection is sniffed, and those that open with the HTTP/2 preface are served by
Hypercorn's HTTP/2 (`vespid.runtime.h2c`). docs/performance.md has the measurements
behind the choice.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

import uvicorn
from hypercorn.config import Config as HypercornConfig

from vespid.runtime.h2c import Http2Connections, sniffing_protocol

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
        h2c: serve HTTP/2 over cleartext with prior knowledge as well as HTTP/1.1 on
            the same port (`vespid.runtime.h2c`); else HTTP/1.1 only.
    """
    http2 = Http2Connections(app, hypercorn_config()) if h2c else None
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http="httptools" if http2 is None else sniffing_protocol(http2),
        access_log=False,
        log_level="warning",
        lifespan="on",
        proxy_headers=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    _Server(config, http2).run()


class _Server(uvicorn.Server):
    """uvicorn's server, which also closes the HTTP/2 connections it handed over."""

    def __init__(self, config: uvicorn.Config, http2: Http2Connections | None) -> None:
        super().__init__(config)
        self._http2 = http2

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop accepting, finish or end every connection, then run the app's shutdown."""
        if self._http2 is not None:
            await self._http2.close()
        await super().shutdown(sockets)


def hypercorn_config() -> HypercornConfig:
    """Hypercorn's settings for the HTTP/2 connections of a public port: no access log."""
    config = HypercornConfig()
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
