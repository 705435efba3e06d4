"""How ``vespid feed`` puts requests on the wire: keep-alive HTTP/1.1.

The feeder only needs "send this request, give me the status and body". That seam is
`FeedSender`; `sender_for` picks the real one. For ``http://`` targets (the usual: a
local container) `KeepAliveSender` sends over `vespid.runtime.keep_alive` connections,
each request one block of bytes and each answer parsed by httptools: about a third of
aiohttp's client CPU per request, and the feeder was a third of what a feed cost on one
machine (docs/performance.md). ``https://``
targets go through aiohttp (`vespid.cli.aiohttp_sender`), which does TLS. Both beat httpx's async
client by far (about 170 requests/s where aiohttp managed 1,200, on loopback with 16
in flight).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode, urlsplit

from vespid.runtime.keep_alive import KeepAlivePool


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


class KeepAliveSender:
    """Up to ``connections`` keep-alive HTTP/1.1 connections to an ``http://`` ``target``."""

    def __init__(self, target: str, connections: int, timeout: float) -> None:
        url = urlsplit(target)
        if url.scheme != "http" or not url.hostname:
            raise ValueError(f"Expected an http:// URL, got {target!r}")
        self._pool = KeepAlivePool(url.hostname, url.port or 80, connections)
        self._prefix = url.path.rstrip("/")
        self._headers = f"Host: {url.netloc}\r\nContent-Type: application/json\r\n"
        self._timeout = timeout

    async def send(
        self, method: str, path: str, params: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """Send the request; raises `SendError` when no answer came."""
        query = f"?{urlencode(params)}" if params else ""
        content = body or b""
        head = (
            f"{method} {self._prefix}{path}{query} HTTP/1.1\r\n{self._headers}"
            f"Content-Length: {len(content)}"
        )
        try:
            async with asyncio.timeout(self._timeout):
                status, answer = await self._pool.request(head, content)
        except TimeoutError:
            raise SendError(f"No answer within {self._timeout:g} s") from None
        except ConnectionError as e:
            raise SendError(str(e)) from None
        return Answer(status, answer)

    async def aclose(self) -> None:
        """Close every connection."""
        await self._pool.aclose()


def sender_for(target: str, connections: int, timeout: float) -> FeedSender:
    """`KeepAliveSender` for an ``http://`` target, `AiohttpSender` (TLS) for others."""
    if target.startswith("http://"):
        return KeepAliveSender(target, connections, timeout)
    # Imported only here: aiohttp takes about 0.4 s to import, a feed's whole start-up.
    from vespid.cli.aiohttp_sender import AiohttpSender

    return AiohttpSender(target, connections, timeout)
