"""``vespid feed``: send a feed's operations to /document/v1, concurrently, with retries.

Operations go out over ``connections`` keep-alive HTTP/1.1 connections. Operations on
the same document are sent one after the other, in feed order (as Vespa's feed client
does); others run concurrently. An answer of 503, or a broken connection, is retried
with a growing, jittered delay, up to ``retries`` times; a 429 (the cluster is
overloaded: back-pressure, not a failure) is retried the same way for as long as the
operation's ``timeout`` allows, as Vespa's feed clients keep retrying it. Any other
answer is final. At the end the feeder reports
the vespa CLI's metrics (``feeder.ok.count``, ``http.response.code.counts``, ...).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from vespid.cli.feedops import Operation
from vespid.cli.http_sender import Answer, FeedSender, SendError, sender_for

RETRIED_STATUSES = frozenset({429, 503})


@dataclass(slots=True)
class FeedStats:
    """Counters of one feed session."""

    operations: int = 0
    ok: int = 0
    failed: int = 0
    """Operations that ended with an error answer or gave up on transport errors."""
    transport_errors: int = 0
    inflight: int = 0
    requests: int = 0
    request_bytes: int = 0
    responses: int = 0
    response_bytes: int = 0
    response_errors: int = 0
    latency_min: float = float("inf")
    latency_max: float = 0.0
    latency_sum: float = 0.0
    codes: Counter[int] = field(default_factory=Counter)

    def record_response(self, response: Answer, latency: float, sent: int) -> None:
        """Count one answered request."""
        self.requests += 1
        self.request_bytes += sent
        self.responses += 1
        self.response_bytes += len(response.body)
        self.codes[response.status] += 1
        if response.status >= 300:
            self.response_errors += 1
        self.latency_min = min(self.latency_min, latency)
        self.latency_max = max(self.latency_max, latency)
        self.latency_sum += latency

    def summary(self, seconds: float) -> dict[str, Any]:
        """The closing report, keyed like the vespa CLI's."""
        seconds = max(seconds, 1e-9)
        average = self.latency_sum / self.responses if self.responses else 0.0
        return {
            "feeder.operation.count": self.operations,
            "feeder.seconds": round(seconds, 3),
            "feeder.ok.count": self.ok,
            "feeder.ok.rate": round(self.ok / seconds, 3),
            "feeder.error.count": self.transport_errors,
            "feeder.inflight.count": self.inflight,
            "http.request.count": self.requests,
            "http.request.bytes": self.request_bytes,
            "http.request.MBps": round(self.request_bytes / seconds / 1e6, 3),
            "http.exception.count": self.transport_errors,
            "http.response.count": self.responses,
            "http.response.bytes": self.response_bytes,
            "http.response.MBps": round(self.response_bytes / seconds / 1e6, 3),
            "http.response.error.count": self.response_errors,
            "http.response.latency.millis.min": round(self.latency_min * 1000)
            if self.responses
            else 0,
            "http.response.latency.millis.avg": round(average * 1000),
            "http.response.latency.millis.max": round(self.latency_max * 1000),
            "http.response.code.counts": {str(c): n for c, n in sorted(self.codes.items())},
        }


def _message(response: Answer) -> str:
    try:
        body = orjson.loads(response.body)
    except orjson.JSONDecodeError:
        return response.body.decode("utf-8", "replace").strip()
    return str(body.get("message", body)) if isinstance(body, dict) else str(body)


class Feeder:
    """Sends operations to the container at ``target``.

    Args:
        target: the container's base URL, e.g. ``http://localhost:8080``.
        connections: concurrent requests (and HTTP connections).
        retries: how many times one operation is retried after 503 or a transport error.
        timeout: seconds one request may take, and the time after which an operation
            that keeps getting 429 (overload) is given up.
        report: called with a line for each operation that finally fails.
        progress: called every ``progress_interval`` seconds with the counters and the
            seconds since the start (the live progress line).
        sender: what puts requests on the wire; `sender_for` the target unless a test
            injects one.
        sleep, clock, rng: injected for tests.
    """

    def __init__(
        self,
        target: str,
        *,
        connections: int = 64,
        retries: int = 10,
        timeout: float = 60.0,
        report: Callable[[str], None] = lambda _: None,
        progress: Callable[[FeedStats, float], None] | None = None,
        progress_interval: float = 0.5,
        sender: FeedSender | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if connections < 1:
            raise ValueError(f"connections must be at least 1, got {connections}")
        self._sender = sender or sender_for(target, connections, timeout)
        self._connections = connections
        self._retries = retries
        self._timeout = timeout
        self._rng = rng or random.Random()
        self._report = report
        self._progress = progress
        self._progress_interval = progress_interval
        self._sleep = sleep
        self._clock = clock
        self.stats = FeedStats()
        self._last_for_id: dict[str, asyncio.Future[None]] = {}

    async def feed(self, operations: Iterable[Operation]) -> FeedStats:
        """Send every operation; return the counters once all have finished.

        When ``operations`` raises (a broken line in the feed), the operations already
        sent are finished first, then the error propagates.
        """
        slots = asyncio.Semaphore(self._connections)
        tasks: set[asyncio.Task[None]] = set()
        reporter = asyncio.create_task(self._report_progress()) if self._progress else None
        try:
            for operation in operations:
                await slots.acquire()
                self.stats.operations += 1
                task = asyncio.create_task(self._ordered(operation, slots))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        finally:
            if tasks:
                await asyncio.gather(*tasks)
            if reporter is not None:
                reporter.cancel()
            await self._sender.aclose()
        return self.stats

    async def _report_progress(self) -> None:
        assert self._progress is not None
        started = self._clock()
        while True:
            await asyncio.sleep(self._progress_interval)
            self._progress(self.stats, self._clock() - started)

    async def _ordered(self, operation: Operation, slots: asyncio.Semaphore) -> None:
        """Send ``operation`` once the previous operation on the same document is done."""
        previous = self._last_for_id.get(operation.doc_id)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last_for_id[operation.doc_id] = done
        try:
            if previous is not None:
                await previous
            await self._send(operation)
        finally:
            done.set_result(None)
            if self._last_for_id.get(operation.doc_id) is done:
                del self._last_for_id[operation.doc_id]
            slots.release()

    async def _send(self, operation: Operation) -> None:
        request = operation.request()
        sent = len(request.body or b"")
        self.stats.inflight += 1
        give_up = self._clock() + self._timeout
        attempts = failures = 0
        problem = ""
        try:
            while True:
                attempts += 1
                started = self._clock()
                try:
                    response = await self._sender.send(
                        request.method, request.path, request.params, request.body
                    )
                except SendError as e:
                    self.stats.transport_errors += 1
                    self.stats.requests += 1
                    failures += 1
                    problem = str(e)
                else:
                    self.stats.record_response(response, self._clock() - started, sent)
                    if response.status not in RETRIED_STATUSES:
                        self._finish(operation, response)
                        return
                    failures += response.status != 429  # overload is not a failure
                    problem = f"{response.status}: {_message(response)}"
                if failures > self._retries or self._clock() >= give_up:
                    break
                await self._sleep(self._backoff(attempts))
            self.stats.failed += 1
            self._report(
                f"{operation.kind} {operation.doc_id} failed after {attempts} attempts: {problem}"
            )
        finally:
            self.stats.inflight -= 1

    def _backoff(self, attempts: int) -> float:
        """Seconds before the next attempt: doubling from 20 ms up to 2 s, with jitter so
        that operations refused together do not all come back together."""
        return min(2.0, 0.02 * 2.0 ** (attempts - 1)) * (0.5 + self._rng.random())

    def _finish(self, operation: Operation, response: Answer) -> None:
        # Like the vespa CLI, a condition that does not hold is an answer, not a failure.
        if response.status in (200, 412):
            self.stats.ok += 1
            return
        self.stats.failed += 1
        self._report(
            f"{operation.kind} {operation.doc_id} failed: {response.status} {_message(response)}"
        )
