"""How ``vespid feed`` puts requests on the wire: keep-alive HTTP/1.1.

The feeder only needs "send this request, give me the status and body". That seam is
`FeedSender`; `sender_for` picks the real one. For ``http://`` targets (the usual: a
local container) `KeepAliveSender` writes each request as one block of bytes on one of
its keep-alive connections and parses the answer with httptools (llhttp, the parser
uvicorn uses): about a third of aiohttp's client CPU per request, and the feeder's CPU
is a third of what a feed costs on one machine (docs/performance.md). ``https://``
targets go through aiohttp (`AiohttpSender`), which does TLS. Both beat httpx's async
client by far (about 170 requests/s where aiohttp managed 1,200, on loopback with 16
in flight).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, cast
from urllib.parse import urlencode, urlsplit

import aiohttp
import httptools
from yarl import URL


@dataclass(frozen=True, slots=True)
class Answer:
    """A response as the feeder needs it."""

    status: int
    body: bytes


class SendError(Exception):
    """The request got no answer: connection refused or reset, timeout."""


class FeedSender(Protocol):
    """Sends one request to the container and returns its answer."""

    async def send(
        self, method: str, path: str, params: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """Send the request; raises `SendError` when no answer came."""
        ...

    async def aclose(self) -> None:
        """Close every connection."""
        ...


class AiohttpSender:
    """A pool of ``connections`` keep-alive connections to ``target``."""

    def __init__(self, target: str, connections: int, timeout: float) -> None:
        self._target = target.rstrip("/")
        self._connections = connections
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Created on first use: an aiohttp session belongs to the running event loop.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=self._timeout,
                headers={"Content-Type": "application/json"},
            )
        return self._session

    async def send(
        self, method: str, path: str, params: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """Send the request; raises `SendError` when no answer came."""
        try:
            # The feed's paths are already percent-encoded: send them as they are.
            url = URL(self._target + path, encoded=True)
            async with self._open().request(
                method, url, params=dict(params), data=body
            ) as response:
                return Answer(response.status, await response.read())
        except (aiohttp.ClientError, TimeoutError) as e:
            raise SendError(f"{type(e).__name__}: {e}") from None

    async def aclose(self) -> None:
        """Close every connection."""
        if self._session is not None:
            await self._session.close()
            self._session = None


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection carrying one request at a time."""

    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._answer: asyncio.Future[Answer] | None = None
        self._body: list[bytes] = []
        self.reusable = True
        """False once the connection closed or the server asked to close it."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # a TCP transport

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as e:
            self._fail(SendError(f"Malformed HTTP answer: {e}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        self._fail(SendError(f"Connection closed before the answer{f': {exc}' if exc else ''}"))

    def on_body(self, body: bytes) -> None:
        """httptools: a piece of the answer's body."""
        self._body.append(body)

    def on_message_complete(self) -> None:
        """httptools: the whole answer is in."""
        answer = Answer(self._parser.get_status_code(), b"".join(self._body))
        self._body = []
        if not self._parser.should_keep_alive():
            self.close()
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(answer)

    def request(self, data: bytes) -> asyncio.Future[Answer]:
        """Write a whole request; the future is its answer (or `SendError`)."""
        assert self._transport is not None, "requests go on made connections"
        self._answer = asyncio.get_running_loop().create_future()
        self._transport.write(data)
        return self._answer

    def close(self) -> None:
        """Close the connection; it is not used again."""
        self.reusable = False
        if self._transport is not None:
            self._transport.close()

    def _fail(self, error: SendError) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)


class KeepAliveSender:
    """Up to ``connections`` keep-alive HTTP/1.1 connections to an ``http://`` ``target``."""

    def __init__(self, target: str, connections: int, timeout: float) -> None:
        url = urlsplit(target)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"Expected an http:// URL, got {target!r}")
        self._host, self._port = url.hostname, url.port or 80
        self._prefix = url.path.rstrip("/")
        self._headers = f"Host: {url.netloc}\r\nContent-Type: application/json\r\nContent-Length: "
        self._connections = connections
        self._timeout = timeout
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()

    async def send(
        self, method: str, path: str, params: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """Send the request; raises `SendError` when no answer came."""
        query = f"?{urlencode(params)}" if params else ""
        content = body or b""
        head = f"{method} {self._prefix}{path}{query} HTTP/1.1\r\n{self._headers}{len(content)}"
        connection = await self._connection()
        answer = connection.request(head.encode("utf-8") + b"\r\n\r\n" + content)
        try:
            async with asyncio.timeout(self._timeout):
                return await answer
        except TimeoutError:
            raise SendError(f"No answer within {self._timeout:g} s") from None
        finally:
            # Reused only after a whole answer: a late one would pair with the next request.
            answered = answer.done() and not answer.cancelled() and answer.exception() is None
            if answered and connection.reusable:
                self._idle.append(connection)
            else:
                connection.close()
                self._open.discard(connection)

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable:
                return connection
            self._open.discard(connection)
        try:
            _, connection = await asyncio.get_running_loop().create_connection(
                _Connection, self._host, self._port
            )
        except OSError as e:
            raise SendError(f"{type(e).__name__}: {e}") from None
        self._open.add(connection)
        return connection

    async def aclose(self) -> None:
        """Close every connection."""
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()


def sender_for(target: str, connections: int, timeout: float) -> FeedSender:
    """`KeepAliveSender` for an ``http://`` target, `AiohttpSender` (TLS) for others."""
    if target.startswith("http://"):
        return KeepAliveSender(target, connections, timeout)
    return AiohttpSender(target, connections, timeout)
