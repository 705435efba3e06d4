"""The content node process: open storage, follow config, serve the API.

`NodeService` is what the app's lifespan starts: it opens the document database in a
worker thread (snapshot load and log replay may take a while; the state API answers
``initializing`` meanwhile), builds the `ContentNode`, then applies every config
generation the config server publishes. The first applied config turns the status
``up``. `run` is what ``python -m content`` calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from content.errors import ContentError
from content.http.app import create_app
from content.node import ContentNode, DocumentDatabase, StorageOptions, settle_long_lived_objects
from content.settings import Settings
from content.storage import Directory, FileDirectory
from vespid.config import ContentConfig
from vespid.runtime import ConfigSubscriber, ServiceState, serve, setup_logging

log = logging.getLogger(__name__)

Subscribe = Callable[[Settings], ConfigSubscriber[ContentConfig]]
Storage = Callable[[Settings], tuple[Directory, Directory]]
"""Where snapshots and the transaction log live: (snapshots, log)."""


def _files(settings: Settings) -> tuple[Directory, Directory]:
    data = settings.data_dir
    return FileDirectory(data / "documents"), FileDirectory(data / "tlog")


def _subscribe(settings: Settings) -> ConfigSubscriber[ContentConfig]:
    return ConfigSubscriber(
        settings.config_servers, "content", ContentConfig, settings.tenant, settings.application
    )


class NodeService:
    """Owns the node's lifetime inside the server process."""

    def __init__(
        self,
        settings: Settings,
        subscribe: Subscribe = _subscribe,
        storage: Storage = _files,
        settle: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.state = ServiceState()
        self._subscribe = subscribe
        self._storage = storage
        self._settle = settle
        """Called after each applied config; `run` passes `settle_long_lived_objects`
        (process-wide, so tests leave it out)."""
        self._node: ContentNode | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def node(self) -> ContentNode | None:
        """The node once storage is open (it refuses requests until it has config)."""
        return self._node

    async def start(self) -> None:
        """Open storage and follow config in the background."""
        self._task = asyncio.get_running_loop().create_task(self._main())

    async def stop(self) -> None:
        """Stop following config, sync and close storage."""
        self.state.status = "down"
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):  # the cancellation we asked for
                await self._task
        if self._node is not None:
            await self._node.aclose()
            self._node = None

    async def _main(self) -> None:
        try:
            self._node = await asyncio.to_thread(self._open)
        except (ContentError, OSError) as e:
            log.error("cannot open the content node's storage: %s", e)
            self.state.status, self.state.message = "down", str(e)
            return
        self._node.database.start()
        subscriber = self._subscribe(self.settings)
        try:
            generation = -1
            while True:
                config = await subscriber.next_config(generation)
                generation = config.generation
                try:
                    await self._apply(self._node, config)
                except Exception as e:  # the top of the config task: log, report, go on
                    log.exception("config generation %d could not be applied", generation)
                    self.state.message = f"config generation {generation} not applied: {e}"
                    continue
                self.state.generation = generation
                self.state.status, self.state.message = "up", ""
        finally:
            await subscriber.aclose()

    async def _apply(self, node: ContentNode, config: ContentConfig) -> None:
        """Apply ``config``; the first one in a worker thread.

        Until its first config the node refuses every request, so building the
        search indexes of a large store cannot race with writes and may leave the
        event loop free to answer the state API.
        """
        if node.generation is None:
            await asyncio.to_thread(node.apply_config, config)
        else:
            node.apply_config(config)
        self._settle()

    def _open(self) -> ContentNode:
        options = StorageOptions(
            flush_bytes=self.settings.flush_bytes,
            memory_budget=self.settings.memory_budget,
            tombstone_ttl=self.settings.tombstone_ttl,
        )
        snapshots, tlog = self._storage(self.settings)
        database = DocumentDatabase.open(snapshots, tlog, options)
        return ContentNode(database, self.settings.cluster, self.settings.distribution_key)


def run(settings: Settings) -> None:
    """Serve a content node until SIGTERM/SIGINT."""
    setup_logging(f"content-{settings.cluster}-{settings.distribution_key}")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per config poll
    service = NodeService(settings, settle=settle_long_lived_objects)
    serve(create_app(service, settings.max_pending_writes), settings.host, settings.port)
