"""A lean HTTP/1.1 client: keep-alive connections to one server, answers parsed by httptools.

Vespid's request-heavy paths post small bodies to one known server over and over: the
feeder to a container, a container to its content nodes. For that, a general client
is mostly overhead: aiohttp spends about 0.1 ms of CPU per request on loopback, httpx's
async client over 1 ms. `KeepAlivePool` writes each request as one block of bytes on
an idle connection (or a new one, up to ``max_connections``) and parses the answer with
httptools (llhttp, uvicorn's parser): about a third of aiohttp's CPU per request
(docs/performance.md). A connection is reused only after a whole answer arrived on it;
a request cancelled or failed midway closes its connection, so a late answer can never
pair with the next request. A connection idle for longer than ``IDLE_REUSE_SECONDS`` is
not reused: servers close idle connections (uvicorn after 5 s), and a request written
just as the server closes would fail without an answer. Plain ``http://`` only.
"""

from __future__ import annotations

import asyncio
from typing import cast

import httptools

IDLE_REUSE_SECONDS = 2.0
"""Idle connections older than this are closed rather than reused (see above)."""


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection carrying one request at a time."""

    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._answer: asyncio.Future[tuple[int, bytes]] | None = None
        self._body: list[bytes] = []
        self.reusable = True
        """False once the connection closed or the server asked to close it."""
        self.idle_since = 0.0
        """Event-loop time of the last answer."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # a TCP transport

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as e:
            self._fail(ConnectionError(f"Malformed HTTP answer: {e}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        self._fail(
            ConnectionError(f"Connection closed before the answer{f': {exc}' if exc else ''}")
        )

    def on_body(self, body: bytes) -> None:
        """httptools: a piece of the answer's body."""
        self._body.append(body)

    def on_message_complete(self) -> None:
        """httptools: the whole answer is in."""
        answer = (self._parser.get_status_code(), b"".join(self._body))
        self._body = []
        if not self._parser.should_keep_alive():
            self.close()
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(answer)

    def request(self, data: bytes) -> asyncio.Future[tuple[int, bytes]]:
        """Write a whole request; the future is its answer (or `ConnectionError`)."""
        assert self._transport is not None, "requests go on made connections"
        self._answer = asyncio.get_running_loop().create_future()
        self._transport.write(data)
        return self._answer

    def close(self) -> None:
        """Close the connection; it is not used again."""
        self.reusable = False
        if self._transport is not None:
            self._transport.close()

    def _fail(self, error: ConnectionError) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)


class KeepAlivePool:
    """Keep-alive connections to ``host:port``, at most ``max_connections`` at a time.

    Created and used in one event loop.
    """

    def __init__(self, host: str, port: int, max_connections: int = 256) -> None:
        if max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {max_connections}")
        self.host, self.port = host, port
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()

    async def request(self, head: str, body: bytes) -> tuple[int, bytes]:
        """Send a request (``head``: request line and headers, without the blank line
        that ends them) and return the answer's status and body.

        The caller bounds the time by cancelling the call.

        Raises:
            ConnectionError: the server could not be reached, or the connection broke
                before the whole answer.
        """
        async with self._slots:
            connection = await self._connection()
            answer = connection.request(head.encode() + b"\r\n\r\n" + body)
            try:
                return await answer
            finally:
                answered = answer.done() and not answer.cancelled() and not answer.exception()
                if answered and connection.reusable:
                    connection.idle_since = asyncio.get_running_loop().time()
                    self._idle.append(connection)
                else:
                    connection.close()
                    self._open.discard(connection)

    async def _connection(self) -> _Connection:
        loop = asyncio.get_running_loop()
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable and loop.time() - connection.idle_since < IDLE_REUSE_SECONDS:
                return connection
            connection.close()
            self._open.discard(connection)
        try:
            _, connection = await asyncio.get_running_loop().create_connection(
                _Connection, self.host, self.port
            )
        except OSError as e:
            raise ConnectionError(f"{type(e).__name__}: {e}") from None
        self._open.add(connection)
        return connection

    async def aclose(self) -> None:
        """Close every connection."""
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()
