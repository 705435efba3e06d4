"""HTTP/1.1 and h2c on one port: uvicorn serves HTTP/1.1, Hypercorn the HTTP/2 connections.

The container's public port must speak both: curl, pyvespa's sync client and most
feeders use HTTP/1.1, while the vespa CLI's feeder and pyvespa's async client open
``http://`` URLs with HTTP/2 *prior knowledge* (the connection starts with the HTTP/2
preface, no ``Upgrade``). Hypercorn serves both, but its HTTP/1.1 (h11, pure Python)
costs about twice the CPU per request of uvicorn's httptools parser, and HTTP/1.1 is
what a feed's every document crosses (docs/performance.md). So uvicorn runs the
server, and each new connection is sniffed: its first bytes are compared with the
preface; at the first byte that differs it is HTTP/1.1 and goes to uvicorn's
httptools protocol, and a whole preface hands it to Hypercorn's connection handler
(`hypercorn.asyncio.tcp_server.TCPServer`, pinned in constraints.txt), which speaks
HTTP/2 on it with the same ASGI app. ``Upgrade: h2c`` requests are answered over
HTTP/1.1, which RFC 9113 allows (no client we serve sends them).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from hypercorn.app_wrappers import ASGIWrapper
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.asyncio.worker_context import WorkerContext
from hypercorn.config import Config as HypercornConfig
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
"""What an HTTP/2 connection with prior knowledge sends first (RFC 9113, 3.4)."""


class Http2Connections:
    """Serves handed-over HTTP/2 connections with Hypercorn, and closes them at shutdown."""

    def __init__(self, app: Any, config: HypercornConfig) -> None:
        self._app = ASGIWrapper(app)
        self._config = config
        self._context = WorkerContext(None)
        self._tasks: set[asyncio.Task[None]] = set()

    def serve(self, transport: asyncio.Transport, received: bytes) -> None:
        """Speak HTTP/2 on ``transport``, whose first bytes ``received`` were already read."""
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        protocol = asyncio.StreamReaderProtocol(reader)
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        reader.feed_data(received)
        server = TCPServer(self._app, loop, self._config, self._context, {}, reader, writer)
        task = loop.create_task(server.run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Let idle connections go, then end those still open."""
        await self._context.terminated.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def sniffing_protocol(http2: Http2Connections) -> type[asyncio.Protocol]:
    """A uvicorn protocol class that serves HTTP/1.1 itself and hands HTTP/2 to ``http2``."""

    class SniffingProtocol(asyncio.Protocol):
        """Reads until the first bytes tell the protocol, then steps aside."""

        def __init__(
            self,
            config: Any,
            server_state: Any,
            app_state: dict[str, Any],
            _loop: asyncio.AbstractEventLoop | None = None,
        ) -> None:
            self._http1 = (config, server_state, app_state, _loop)
            self._idle_seconds: float = config.timeout_keep_alive
            self._transport: asyncio.Transport | None = None
            self._idle: asyncio.TimerHandle | None = None
            self._received = b""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            # A TCP transport (uvloop's are not `asyncio.Transport` subclasses).
            self._transport = cast(asyncio.Transport, transport)
            # A connection that never says which protocol it speaks is closed, as
            # uvicorn closes one that idles between requests.
            loop = asyncio.get_running_loop()
            self._idle = loop.call_later(self._idle_seconds, self._transport.close)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._idle is not None:
                self._idle.cancel()

        def data_received(self, data: bytes) -> None:
            assert self._transport is not None, "data comes after the connection"
            self._received += data
            seen = min(len(self._received), len(PREFACE))
            if self._received[:seen] != PREFACE[:seen]:
                self._decided()
                http1 = HttpToolsProtocol(*self._http1)
                self._transport.set_protocol(http1)
                http1.connection_made(self._transport)
                http1.data_received(self._received)
            elif seen == len(PREFACE):
                self._decided()
                http2.serve(self._transport, self._received)

        def _decided(self) -> None:
            if self._idle is not None:
                self._idle.cancel()
                self._idle = None

    return SniffingProtocol
