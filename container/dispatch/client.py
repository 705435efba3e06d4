"""The container's client for the content node API (docs/internals.md, "Content node API").

One `ContentClient` per container process holds one httpx transport (a pool of
keep-alive connections to every content node) and calls it directly: the
`httpx.AsyncClient` layers above a transport (redirects, auth, cookies, default
headers, event hooks) do nothing for this traffic and cost about half of the
client's CPU time per call. A call posts the request message as compact JSON to
``http://host:port/internal/v1/<op>`` and decodes the reply message. Failures become
exceptions the callers can tell apart:

- the node answered with an error → the `vespid.errors` class of its ``code``
  (`DocumentNotFoundError`, `ConditionNotMetError`, `OverloadError`, ...);
- no whole answer within the timeout → `DispatchTimeoutError`. The timeout bounds the
  call from start to last byte (httpx's own timeouts bound each phase apart, so a
  call made of several short phases could outlast it); a call cut short closes its
  connection. A timed-out write may still have been applied, as in Vespa;
- connection refused, reset, or a reply that is not the message → `BackendCommunicationError`.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import httpx
import orjson

from container.errors import BackendCommunicationError, DispatchTimeoutError
from vespid.config import ContentNodeConfig
from vespid.errors import VespidError, error_from_code
from vespid.messages import INTERNAL_PREFIX

R = TypeVar("R")

_HEADERS = httpx.Headers({"Content-Type": "application/json"})


class ContentClient:
    """Calls content nodes; safe to share between concurrent requests.

    Args:
        transport: an httpx transport, injected by tests (fake in-process nodes).
        max_connections: the connection pool size over all nodes.
    """

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 256,
    ) -> None:
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._transport = transport or httpx.AsyncHTTPTransport(limits=limits)
        self._urls: dict[tuple[str, int, str], httpx.URL] = {}

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
        seconds = max(timeout, 0.001)
        limit = {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}
        http_request = httpx.Request(
            "POST", url, content=body, headers=_HEADERS, extensions={"timeout": limit}
        )
        try:
            async with asyncio.timeout(seconds):
                response = await self._transport.handle_async_request(http_request)
                try:
                    await response.aread()
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.TimeoutException):
            raise DispatchTimeoutError(
                f"Timeout after {timeout * 1000:.0f}ms waiting for {_name(node)}"
            ) from None
        except httpx.TransportError as e:
            raise BackendCommunicationError(f"{_name(node)}: {type(e).__name__}: {e}") from None
        return _decode(node, response, reply_type)

    def _url(self, node: ContentNodeConfig, op: str) -> httpx.URL:
        # Parsing a URL is a third of what building an httpx request costs; a container
        # calls a handful of (node, op) pairs, so each is parsed once.
        key = (node.host, node.port, op)
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = httpx.URL(
                f"http://{node.host}:{node.port}{INTERNAL_PREFIX}/{op}"
            )
        return url

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._transport.aclose()


def _name(node: ContentNodeConfig) -> str:
    return f"content node {node.distribution_key} at {node.host}:{node.port}"


def _decode(node: ContentNodeConfig, response: httpx.Response, reply_type: type[R]) -> R:
    try:
        data = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise BackendCommunicationError(
            f"{_name(node)} answered {response.status_code} with a body that is not JSON"
        ) from None
    if response.status_code != 200:
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            raise error_from_code(data["code"], str(data.get("message", "")))
        raise VespidError(f"{_name(node)} answered {response.status_code}: {data!r}")
    try:
        reply: R = reply_type.from_json(data)  # type: ignore[attr-defined]
    except ValueError as e:
        raise BackendCommunicationError(f"{_name(node)} sent a malformed reply: {e}") from None
    return reply
