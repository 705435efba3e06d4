"""Config subscription: how a service learns of new config generations.

A service long-polls ``GET /config/v1/{tenant}/{application}/{kind}?generation=G`` on
the config server (docs/internals.md) and gets an answer as soon as a generation newer
than G is active. Several config server URLs may be given; the subscriber moves on to
the next one when one fails, as Vespa's config proxies fail over between config servers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

import httpx

log = logging.getLogger(__name__)


class _ConfigDocument(Protocol):
    @property
    def generation(self) -> int: ...


C = TypeVar("C", bound=_ConfigDocument)


class ConfigSubscriber(Generic[C]):
    """Long-polls one config kind and returns each newer generation.

    Args:
        urls: config server base URLs, e.g. ``["http://localhost:19071"]``.
        kind: ``content``, ``container`` or ``node`` (``vespid.config.CONFIG_KINDS``).
        doc_type: the config document class; its ``from_json`` builds the answer.
        poll_timeout: seconds the server may hold one long poll.
        retry_delay: seconds to wait after a failed poll before the next URL.
        sleep: injected for tests.
        transport: an httpx transport, injected for tests.
    """

    def __init__(
        self,
        urls: Sequence[str],
        kind: str,
        doc_type: type[C],
        tenant: str = "default",
        application: str = "default",
        *,
        poll_timeout: float = 30.0,
        retry_delay: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not urls:
            raise ValueError("ConfigSubscriber needs at least one config server URL")
        self._urls = [u.rstrip("/") for u in urls]
        self._path = f"/config/v1/{tenant}/{application}/{kind}"
        self._doc_type: Any = doc_type
        self._poll_timeout = poll_timeout
        self._retry_delay = retry_delay
        self._sleep = sleep
        self._current = 0
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(poll_timeout + 10.0), transport=transport
        )

    async def next_config(self, after_generation: int = -1) -> C:
        """Return the first config whose generation is greater than ``after_generation``.

        Waits (retrying and failing over between config servers) until there is one.
        """
        while True:
            url = self._urls[self._current] + self._path
            try:
                response = await self._client.get(
                    url,
                    params={"generation": after_generation, "timeout": self._poll_timeout},
                )
            except httpx.HTTPError as e:
                log.info("config poll of %s failed: %s", url, e)
                await self._fail_over()
                continue
            if response.status_code == 200:
                body = response.json()
                if body["generation"] > after_generation:
                    config: C = self._doc_type.from_json(body["config"])
                    return config
                continue
            if response.status_code != 404:
                log.warning("config poll of %s answered %s", url, response.status_code)
                await self._fail_over()
                continue
            await self._sleep(self._retry_delay)

    async def _fail_over(self) -> None:
        self._current = (self._current + 1) % len(self._urls)
        await self._sleep(self._retry_delay)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()


async def follow_config(
    subscriber: ConfigSubscriber[C], apply: Callable[[C], Awaitable[None]]
) -> None:
    """Apply every new generation in turn, forever (run it as a task; cancel to stop)."""
    generation = -1
    while True:
        config = await subscriber.next_config(generation)
        await apply(config)
        generation = config.generation
