"""What the container's HTTP app serves from: the current config and the shared clients.

`ContainerRuntime.apply` swaps in a new `ContainerConfig` generation as one reference
assignment; requests read `config` once at their start, so each runs entirely
against one generation (Vespa's component graph swap, in miniature). Until the first
config arrives, `require_config` raises `NoConfigError` (503) and the state API says
``initializing``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from container.dispatch import ContentClient, SearchDispatcher
from container.docapi import DocumentApi, Visitor
from container.errors import ApiNotServedError, NoConfigError
from vespid.config import ContainerConfig
from vespid.runtime import ServiceState

log = logging.getLogger(__name__)


class ContainerRuntime:
    """The live state of one container process."""

    def __init__(
        self,
        client: ContentClient,
        state: ServiceState | None = None,
        clock: Callable[[], float] = time.monotonic,
        cluster: str | None = None,
    ) -> None:
        self.client = client
        self.cluster = cluster
        """The container cluster this process belongs to (``--cluster``)."""
        self.state = state or ServiceState()
        self.config: ContainerConfig | None = None
        self.searcher = SearchDispatcher(client, clock)
        self.documents = DocumentApi(client)
        self.visitor = Visitor(client)

    async def apply(self, config: ContainerConfig) -> None:
        """Start serving ``config``'s generation."""
        self.config = config
        self.state.generation = config.generation
        self.state.status = "up"
        log.info("serving config generation %d", config.generation)

    def require_config(self) -> ContainerConfig:
        """The current config.

        Raises:
            NoConfigError: before the first generation has arrived.
        """
        config = self.config
        if config is None:
            raise NoConfigError("The container has not received its configuration yet")
        return config

    def require_api(self, api: str) -> ContainerConfig:
        """The current config, if this container cluster serves ``api``.

        ``api`` is ``search`` or ``document_api``. A cluster the config does not list
        serves both.

        Raises:
            NoConfigError: before the first generation has arrived.
            ApiNotServedError: services.xml leaves the API out of this cluster.
        """
        config = self.require_config()
        mine = next((c for c in config.containers if c.name == self.cluster), None)
        if mine is not None and not getattr(mine, api):
            element = "<search>" if api == "search" else "<document-api>"
            raise ApiNotServedError(
                f"Container cluster '{mine.name}' has no {element} in services.xml"
            )
        return config

    async def aclose(self) -> None:
        """Close the content-node connections."""
        await self.client.aclose()
