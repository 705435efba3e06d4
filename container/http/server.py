"""The container process: follow the `container` config, serve the HTTP API.

`ConfigFollower` is what the app's lifespan starts: a background task that long-polls
the config server (`vespid.runtime.ConfigSubscriber`) and hands every new generation
to `ContainerRuntime.apply`. `run` is what ``python -m container`` calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from container.dispatch import ContentClient
from container.http.app import create_app
from container.http.runtime import ContainerRuntime
from container.settings import Settings
from vespid.config import ContainerConfig
from vespid.runtime import ConfigSubscriber, follow_config, serve, setup_logging

log = logging.getLogger(__name__)

Subscribe = Callable[[Settings], ConfigSubscriber[ContainerConfig]]


def _subscribe(settings: Settings) -> ConfigSubscriber[ContainerConfig]:
    return ConfigSubscriber(
        settings.config_servers,
        "container",
        ContainerConfig,
        settings.tenant,
        settings.application,
    )


class ConfigFollower:
    """Applies config generations to a runtime for as long as the app runs."""

    def __init__(self, settings: Settings, subscribe: Subscribe = _subscribe) -> None:
        self.settings = settings
        self._subscribe = subscribe
        self._subscriber: ConfigSubscriber[ContainerConfig] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, runtime: ContainerRuntime) -> None:
        """Begin following config in the background."""
        self._subscriber = self._subscribe(self.settings)
        self._task = asyncio.get_running_loop().create_task(
            follow_config(self._subscriber, runtime.apply)
        )

    async def stop(self, runtime: ContainerRuntime) -> None:
        """Stop following config and close every connection."""
        runtime.state.status = "down"
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):  # the cancellation we asked for
                await self._task
        if self._subscriber is not None:
            await self._subscriber.aclose()
        await runtime.aclose()


def run(settings: Settings) -> None:
    """Serve the container until SIGTERM/SIGINT."""
    setup_logging(f"container-{settings.cluster}")
    # httpx (the config subscription's client) logs every request at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    follower = ConfigFollower(settings)
    runtime = ContainerRuntime(ContentClient(), cluster=settings.cluster)
    app = create_app(runtime, on_start=follower.start, on_stop=follower.stop)
    log.info("container %s starting on %s:%d", settings.cluster, settings.host, settings.port)
    serve(app, settings.host, settings.port, h2c=True)
