"""The container's client for the content node API (docs/internals.md, "Content node API").

One `ContentClient` per container process sends every call through one
`ContentTransport`: in production `KeepAliveTransport`, a pool of keep-alive
connections per content node (`vespid.runtime.keep_alive`: each request written as
one block of bytes, each answer parsed by httptools). This is the container's hottest
path: posting small bodies over loopback with 16 in flight, httpx's async transport
spent about 2 ms of client CPU per request, aiohttp about 0.12 ms, and this pool about
a third of aiohttp (docs/performance.md). A call posts the request message as compact JSON to
``http://host:port/internal/v1/<op>`` and decodes the reply message. Failures become
exceptions the callers can tell apart:

- the node answered with an error → the `vespid.errors` class of its ``code``
  (`DocumentNotFoundError`, `ConditionNotMetError`, `OverloadError`, ...);
- no whole answer within the timeout → `DispatchTimeoutError`. The timeout bounds the
  call from start to last byte; a call cut short closes its connection. A timed-out
  write may still have been applied, as in Vespa;
- connection refused, reset, or a reply that is not the message → `BackendCommunicationError`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import orjson

from container.errors import BackendCommunicationError, DispatchTimeoutError
from vespid.config import ContentNodeConfig
from vespid.errors import VespidError, error_from_code
from vespid.messages import INTERNAL_PREFIX
from vespid.runtime.keep_alive import KeepAlivePool

R = TypeVar("R")

_HEADERS = {"Content-Type": "application/json"}


class ContentTransport(Protocol):
    """Where a `ContentClient` sends: one POST of a JSON body, answered with status and body.

    Tests inject in-process content nodes through this interface.
    """

    async def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        """POST ``body`` to ``url``; the answer's status and whole body.

        The caller bounds the time (it cancels the call).

        Raises:
            ConnectionError: the node could not be reached, or the connection broke.
        """
        ...

    async def aclose(self) -> None:
        """Close every connection; later calls fail."""
        ...


class KeepAliveTransport:
    """`ContentTransport` over `vespid.runtime.keep_alive` pools, one per content node.

    Args:
        max_connections: the connection limit per node.
    """

    def __init__(self, max_connections: int = 256) -> None:
        self._max_connections = max_connections
        self._pools: dict[tuple[str, int], KeepAlivePool] = {}
        self._targets: dict[str, tuple[KeepAlivePool, str]] = {}

    async def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        """POST ``body`` to ``url`` (see `ContentTransport.post`)."""
        pool, head = self._targets.get(url) or self._target(url)
        return await pool.request(f"{head}{len(body)}", body)

    def _target(self, url: str) -> tuple[KeepAlivePool, str]:
        parts = urlsplit(url)
        host, port = parts.hostname or "localhost", parts.port or 80
        pool = self._pools.get((host, port))
        if pool is None:
            pool = self._pools[host, port] = KeepAlivePool(host, port, self._max_connections)
        head = (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        )
        self._targets[url] = (pool, head)
        return pool, head

    async def aclose(self) -> None:
        """Close every connection."""
        for pool in self._pools.values():
            await pool.aclose()


class ContentClient:
    """Calls content nodes; safe to share between concurrent requests.

    Args:
        transport: where calls go; `KeepAliveTransport` unless a test injects nodes.
    """

    def __init__(self, transport: ContentTransport | None = None) -> None:
        self._transport: ContentTransport = transport or KeepAliveTransport()
        self._urls: dict[tuple[str, int, str], str] = {}

    async def call(
        self,
        node: ContentNodeConfig,
        op: str,
        request: Any,
        reply_type: type[R],
        timeout: float,
    ) -> R:
        """Send ``request`` (a `vespid.messages` request) to ``node``'s ``op``.

        Raises:
            VespidError: the node's own error, rebuilt from its code.
            DispatchTimeoutError: no answer within ``timeout`` seconds.
            BackendCommunicationError: the node could not be reached or answered garbage.
        """
        url = self._url(node, op)
        body = orjson.dumps(request.to_json())
        try:
            async with asyncio.timeout(max(timeout, 0.001)):
                status, content = await self._transport.post(url, body)
        except TimeoutError:
            raise DispatchTimeoutError(
                f"Timeout after {timeout * 1000:.0f}ms waiting for {_name(node)}"
            ) from None
        except ConnectionError as e:
            raise BackendCommunicationError(f"{_name(node)}: {e}") from None
        return _decode(node, status, content, reply_type)

    def _url(self, node: ContentNodeConfig, op: str) -> str:
        # A container calls a handful of (node, op) pairs: format each URL once.
        key = (node.host, node.port, op)
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = f"http://{node.host}:{node.port}{INTERNAL_PREFIX}/{op}"
        return url

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._transport.aclose()


def _name(node: ContentNodeConfig) -> str:
    return f"content node {node.distribution_key} at {node.host}:{node.port}"


def _decode(node: ContentNodeConfig, status: int, content: bytes, reply_type: type[R]) -> R:
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise BackendCommunicationError(
            f"{_name(node)} answered {status} with a body that is not JSON"
        ) from None
    if status != 200:
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            raise error_from_code(data["code"], str(data.get("message", "")))
        raise VespidError(f"{_name(node)} answered {status}: {data!r}")
    try:
        reply: R = reply_type.from_json(data)  # type: ignore[attr-defined]
    except ValueError as e:
        raise BackendCommunicationError(f"{_name(node)} sent a malformed reply: {e}") from None
    return reply
