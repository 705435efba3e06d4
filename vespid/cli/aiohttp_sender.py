"""``vespid feed`` to ``https://`` targets: keep-alive HTTP/1.1 over TLS with aiohttp.

`vespid.cli.http_sender.sender_for` picks this sender for targets that are not plain
``http://`` (for those its own httptools-based sender costs less per request).
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp
from yarl import URL

from vespid.cli.http_sender import Answer, SendError


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
