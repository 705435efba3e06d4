"""Keeping one service process alive: start it, restart it with backoff when it dies, stop it.

Vespa's config sentinel does this for every service on a host; the node agent keeps one
:class:`Supervisor` per service. A process that dies is started again after a delay
that doubles with each quick failure (so a service that cannot start does not spin)
and starts over once a run has lasted long enough to count as healthy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vespid.cli.processes import record_of, write_pid_file

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Backoff:
    """Delay before restarting a process that has just exited.

    >>> b = Backoff(initial=1.0, maximum=4.0, reset_after=60.0)
    >>> [b.delay_after(uptime=0.1) for _ in range(4)]
    [1.0, 2.0, 4.0, 4.0]
    >>> b.delay_after(uptime=120.0)
    1.0
    """

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    reset_after: float = 60.0
    """A run at least this long (seconds) counts as healthy: the next delay is ``initial``."""
    _next: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.maximum < self.initial or self.factor < 1:
            raise ValueError(
                f"Backoff needs 0 < initial <= maximum and factor >= 1, got "
                f"initial={self.initial}, maximum={self.maximum}, factor={self.factor}"
            )
        self._next = self.initial

    def delay_after(self, uptime: float) -> float:
        """Return the delay before the next start, given how long the last run lasted."""
        if uptime >= self.reset_after:
            self._next = self.initial
        delay = self._next
        self._next = min(self.maximum, self._next * self.factor)
        return delay


class Supervisor:
    """Runs ``argv`` until stopped, restarting it when it exits.

    Output goes to ``log_path`` (appended); the running process is recorded in
    ``pid_path`` (see :mod:`vespid.cli.processes`), which is removed when it ends.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        pid_path: Path,
        *,
        backoff: Backoff | None = None,
        stop_timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[Supervisor], None] = lambda _: None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self._log_path = log_path
        self._pid_path = pid_path
        self._backoff = backoff if backoff is not None else Backoff()
        self._stop_timeout = stop_timeout
        self._clock = clock
        self._process: asyncio.subprocess.Process | None = None
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._on_change = on_change
        self.starts = 0
        """How many times the process has been started."""
        self.last_exit: int | str | None = None
        """The exit status of the last run (negative: killed by that signal), or why it
        could not start; None before the first exit."""
        self.quick_exits = 0
        """Exits in a row that each came before the run counted as healthy
        (``Backoff.reset_after``): a crash loop when it keeps growing."""

    @property
    def pid(self) -> int | None:
        """The pid of the running process, or None between runs."""
        process = self._process
        return process.pid if process is not None and process.returncode is None else None

    def start(self) -> None:
        """Start supervising (in a task of the running event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"supervise {self.name}")

    async def _run(self) -> None:
        while not self._stopping.is_set():
            started = self._clock()
            code = await self._run_once()
            if self._stopping.is_set():
                return
            uptime = self._clock() - started
            self.last_exit = code
            if uptime < self._backoff.reset_after:
                self.quick_exits += 1
            self._on_change(self)
            delay = self._backoff.delay_after(uptime)
            log.warning("%s exited (%s); restarting in %.1f s", self.name, code, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    async def _run_once(self) -> int | str:
        """Run the process once: until it exits, or until stopped (then terminate it)."""
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._log_path.open("ab") as out:
                process = await asyncio.create_subprocess_exec(
                    *self.argv, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out
                )
        except OSError as e:
            log.error("cannot start %s: %s", self.name, e)
            return f"not started: {e}"
        self._process = process
        self.starts += 1
        write_pid_file(self._pid_path, record_of(process.pid))
        log.info("started %s (pid %d)", self.name, process.pid)
        self._on_change(self)
        exited = asyncio.ensure_future(process.wait())
        stopping = asyncio.ensure_future(self._stopping.wait())
        healthy = asyncio.ensure_future(asyncio.sleep(self._backoff.reset_after))
        done, _ = await asyncio.wait(
            {exited, stopping, healthy}, return_when=asyncio.FIRST_COMPLETED
        )
        if healthy in done and not exited.done():
            self.quick_exits = 0  # this run counts as healthy: whatever came before is over
            self._on_change(self)
            await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        healthy.cancel()
        stopping.cancel()
        if not exited.done():
            await self._terminate(process, exited)
        self._pid_path.unlink(missing_ok=True)
        return await exited

    async def _terminate(
        self, process: asyncio.subprocess.Process, exited: asyncio.Future[int]
    ) -> None:
        """SIGTERM, then SIGKILL after the stop timeout."""
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(asyncio.shield(exited), self._stop_timeout)
        except TimeoutError:
            log.warning("%s did not stop in %.0f s; killing it", self.name, self._stop_timeout)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await exited

    async def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after the stop timeout) and supervising."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        self._pid_path.unlink(missing_ok=True)
        log.info("stopped %s", self.name)
