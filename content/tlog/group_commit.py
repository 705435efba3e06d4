"""Group commit for asyncio writers: one sync acknowledges every record written before it.

A writer appends its record to the `TransactionLog` and awaits `GroupCommitter.durable`
with the serial it got. The committer task runs `TransactionLog.commit` in a thread;
while a sync is in flight new records pile up and the next commit takes them all, so
many concurrent writes share one fsync and nobody is answered before their record is
on disk.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging

from content.errors import TlogWriteError
from content.tlog.log import TransactionLog
from content.types import SerialNum

log = logging.getLogger(__name__)


class GroupCommitter:
    """Runs commits of ``tlog`` in a worker thread and wakes the writers they cover."""

    def __init__(self, tlog: TransactionLog) -> None:
        self._tlog = tlog
        self._waiters: collections.deque[tuple[SerialNum, asyncio.Future[None]]] = (
            collections.deque()
        )
        self._wake = asyncio.Event()
        self._failure: TlogWriteError | None = None
        self._task: asyncio.Task[None] | None = None
        self.commits = 0
        """Number of syncs done; with ``records`` it tells how well commits are grouped."""

    def start(self) -> None:
        """Start the committer task on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def durable(self, serial: SerialNum) -> None:
        """Return once the record with ``serial`` is synced.

        Raises:
            TlogWriteError: the log could not be written.
        """
        if self._failure is not None:
            raise self._failure
        if serial <= self._tlog.durable_serial:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((serial, future))
        self._wake.set()
        await future

    async def aclose(self) -> None:
        """Commit what is pending and stop the committer task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):  # the cancellation we asked for
                await self._task
            self._task = None
        if self._failure is None:
            await asyncio.to_thread(self._tlog.commit)
            self._release(self._tlog.durable_serial)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                durable = await asyncio.to_thread(self._tlog.commit)
            except TlogWriteError as e:
                log.error("%s; refusing further writes", e)
                self._fail(e)
                return
            self.commits += 1
            self._release(durable)

    def _release(self, durable: SerialNum) -> None:
        while self._waiters and self._waiters[0][0] <= durable:
            _, future = self._waiters.popleft()
            if not future.done():
                future.set_result(None)

    def _fail(self, error: TlogWriteError) -> None:
        self._failure = error
        while self._waiters:
            _, future = self._waiters.popleft()
            if not future.done():
                future.set_exception(error)
