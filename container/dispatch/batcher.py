"""Write batching: the puts, updates and removes in flight to one node go as few requests.

Each document/v1 write awaits `WriteBatcher.write`. Writes for a node queue up; a
flush, scheduled for the end of the current event-loop turn, sends what has queued
as one ``batch`` request (`vespid.messages.WriteBatchRequest`) while fewer than
``max_in_flight`` batches are out to that node; otherwise the writes wait for the
next batch to return, so under load batches grow by themselves and an idle node
still gets a lone write at once. The node applies a batch in order and answers after
one group commit; each write gets its own outcome, raised or returned to its own
caller as if it had been sent alone. Per request, a call to a content node costs the
container about 0.1 ms of CPU and the node about as much: batching pays that once per
batch instead of once per document.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque
from dataclasses import dataclass, field

from container.dispatch.client import ContentClient
from container.errors import BackendCommunicationError, ContainerError, DispatchTimeoutError
from vespid.config import ContentNodeConfig
from vespid.errors import VespidError, error_from_code
from vespid.messages import WriteBatchReply, WriteBatchRequest, WriteOperation, WriteReply


@dataclass(slots=True)
class _Pending:
    operation: WriteOperation
    deadline: float
    future: asyncio.Future[WriteReply]


@dataclass(slots=True)
class _NodeQueue:
    waiting: deque[_Pending] = field(default_factory=deque)
    in_flight: int = 0
    scheduled: bool = False


class WriteBatcher:
    """Coalesces concurrent writes per content node; safe to share between requests.

    Args:
        client: sends the batches.
        max_batch: operations per batch request at most.
        max_in_flight: batch requests out to one node at a time at most. Four let the
            node apply one batch while the log syncs the ones before it; one or two left
            a feed waiting on syncs (docs/performance.md).
    """

    def __init__(self, client: ContentClient, max_batch: int = 256, max_in_flight: int = 4) -> None:
        if max_batch < 1 or max_in_flight < 1:
            raise ValueError("max_batch and max_in_flight must be at least 1")
        self._client = client
        self._max_batch = max_batch
        self._max_in_flight = max_in_flight
        self._queues: dict[ContentNodeConfig, _NodeQueue] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def write(
        self, node: ContentNodeConfig, operation: WriteOperation, timeout: float
    ) -> WriteReply:
        """Send ``operation`` to ``node`` in the next batch; its reply, or its error.

        Raises:
            VespidError: the node refused this operation (its own error, rebuilt).
            DispatchTimeoutError: no answer within ``timeout`` seconds; the write may
                still be applied, as in Vespa.
            BackendCommunicationError: the node could not be reached.
        """
        loop = asyncio.get_running_loop()
        queue = self._queues.get(node)
        if queue is None:
            queue = self._queues[node] = _NodeQueue()
        pending = _Pending(operation, loop.time() + timeout, loop.create_future())
        queue.waiting.append(pending)
        if not queue.scheduled and queue.in_flight < self._max_in_flight:
            queue.scheduled = True
            loop.call_soon(self._flush, node, queue)
        try:
            async with asyncio.timeout(max(timeout, 0.001)):
                return await pending.future
        except TimeoutError:
            raise DispatchTimeoutError(
                f"Timeout after {timeout * 1000:.0f}ms waiting for content node "
                f"{node.distribution_key} at {node.host}:{node.port}"
            ) from None

    def _flush(self, node: ContentNodeConfig, queue: _NodeQueue) -> None:
        """Send what has queued for ``node``, as far as its batches in flight allow."""
        queue.scheduled = False
        while queue.waiting and queue.in_flight < self._max_in_flight:
            batch: list[_Pending] = []
            while queue.waiting and len(batch) < self._max_batch:
                pending = queue.waiting.popleft()
                if not pending.future.done():  # its caller gave up waiting: skip it
                    batch.append(pending)
            if not batch:
                return
            queue.in_flight += 1
            task = asyncio.get_running_loop().create_task(self._send(node, queue, batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(
        self, node: ContentNodeConfig, queue: _NodeQueue, batch: list[_Pending]
    ) -> None:
        try:
            request = WriteBatchRequest(tuple(p.operation for p in batch))
            timeout = max(p.deadline for p in batch) - asyncio.get_running_loop().time()
            try:
                reply = await self._client.call(node, "batch", request, WriteBatchReply, timeout)
            except (VespidError, ContainerError) as e:
                for pending in batch:  # each waiter raises its own copy
                    _fail(pending, copy.copy(e))
                return
            if len(reply.outcomes) != len(batch):
                lost = BackendCommunicationError(
                    f"content node {node.distribution_key} answered {len(reply.outcomes)} "
                    f"outcomes for a batch of {len(batch)}"
                )
                for pending in batch:
                    _fail(pending, copy.copy(lost))
                return
            for pending, outcome in zip(batch, reply.outcomes, strict=True):
                if outcome.code is not None:
                    _fail(pending, error_from_code(outcome.code, outcome.message))
                elif not pending.future.done():
                    pending.future.set_result(WriteReply(outcome.found, outcome.timestamp))
        finally:
            for pending in batch:  # only if something unforeseen broke off the send
                _fail(pending, BackendCommunicationError("The batch was not sent"))
            queue.in_flight -= 1
            if queue.waiting and not queue.scheduled:
                self._flush(node, queue)


def _fail(pending: _Pending, error: BaseException) -> None:
    if not pending.future.done():
        pending.future.set_exception(error)
