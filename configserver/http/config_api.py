"""The config API services long-poll: ``GET /config/v1/{tenant}/{application}/{kind}``.

Answers at once when the active generation is newer than the caller's ``generation``,
else waits for an activation — announced by the store's activation listener (a
ZooKeeper watch, so activations through other config server processes count too) and
turned into an asyncio wake-up by :class:`ActivationSignal` — else answers after
``timeout`` seconds with the current config. See docs/internals.md "Config API".

When the server begins to stop (SIGTERM or SIGINT), every waiter answers at once with
the current config: uvicorn waits for running requests before it shuts the application
down, so a long poll left waiting would hold the stop up until uvicorn's graceful
timeout cancels it. Subscribers then poll again and fail over to another config server.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from configserver.errors import BadRequestError, NotFoundError
from configserver.http.deploy import checked_name
from configserver.http.responses import json_response
from configserver.session import SessionManager

DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 60.0


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ActivationSignal:
    """Wakes every waiting request when an activation happens; notify from any thread.

    :meth:`close` wakes them for good: the server is stopping. :meth:`bind` arranges for
    that to happen on SIGINT and SIGTERM when a server (uvicorn) has a handler for them.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event = asyncio.Event()
        self.closing = False
        """True once the server has begun to stop: waiters answer at once."""

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the event loop the waiters run on (at application start-up)."""
        self._loop = loop
        self._event = asyncio.Event()
        self.closing = False
        self._close_on_stop_signals()

    def notify(self) -> None:
        """Wake all current waiters; safe to call from any thread (kazoo's, a worker's)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._fire)

    def close(self) -> None:
        """Wake every waiter now and from now on; safe from any thread or a signal handler."""
        self.closing = True
        self.notify()

    def _fire(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    def current(self) -> asyncio.Event:
        """The event the next notification sets; take it *before* reading state."""
        return self._event

    def _close_on_stop_signals(self) -> None:
        """Run :meth:`close` before the server's own SIGINT/SIGTERM handler.

        Only a handler a server installed is chained (the defaults mean nobody stops
        gracefully, so there is nothing to speed up), and only from the main thread,
        where Python runs signal handlers. The server restores its predecessors when it
        stops, which drops this wrapper with its own.
        """
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in STOP_SIGNALS:
            previous = signal.getsignal(signum)
            if callable(previous) and previous is not signal.default_int_handler:
                signal.signal(signum, self._chained(previous))

    def _chained(
        self, previous: Callable[[int, FrameType | None], object]
    ) -> Callable[[int, FrameType | None], None]:
        def handler(signum: int, frame: FrameType | None) -> None:
            self.close()
            previous(signum, frame)

        return handler


def _float_param(request: Request, name: str, default: float) -> float:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise BadRequestError(f"Parameter '{name}' must be a number, got '{raw}'.") from None


def config_routes(
    manager: SessionManager,
    activations: ActivationSignal,
    clock: Callable[[], float] = time.monotonic,
) -> list[Route]:
    """Return the config API route over ``manager``, woken by ``activations``."""

    async def get_config(request: Request) -> Response:
        tenant = checked_name(request.path_params["tenant"], "tenant")
        application = checked_name(request.path_params["application"], "application")
        kind: str = request.path_params["kind"]
        known = int(_float_param(request, "generation", -1))
        timeout = min(max(_float_param(request, "timeout", DEFAULT_TIMEOUT), 0.0), MAX_TIMEOUT)
        deadline = clock() + timeout
        while True:
            wake = activations.current()
            found = await run_in_threadpool(manager.active_config, tenant, application, kind)
            if found is None:
                raise NotFoundError(
                    f"No active session for application '{tenant}.{application}' yet."
                )
            generation, config = found
            remaining = deadline - clock()
            if generation > known or remaining <= 0 or activations.closing:
                return json_response({"generation": generation, "config": config})
            try:
                await asyncio.wait_for(wake.wait(), remaining)
            except TimeoutError:
                continue

    return [Route("/config/v1/{tenant}/{application}/{kind}", get_config, methods=["GET"])]
