"""The feeder: concurrency, per-document order, retries and the closing summary.

The container is an in-process httpx transport that records what it receives.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Iterator, Mapping

import httpx
import orjson
import pytest

from vespid.cli.errors import CliError
from vespid.cli.feed import Feeder
from vespid.cli.feedops import Operation
from vespid.cli.http_sender import Answer, SendError


class MockSender:
    """Sends the feeder's requests to an in-process httpx handler instead of the network."""

    def __init__(self, handler: httpx.MockTransport) -> None:
        self._client = httpx.AsyncClient(transport=handler, base_url="http://container:8080")

    async def send(
        self, method: str, path: str, params: Mapping[str, str], body: bytes | None
    ) -> Answer:
        try:
            response = await self._client.request(method, path, params=dict(params), content=body)
        except httpx.TransportError as e:
            raise SendError(f"{type(e).__name__}: {e}") from None
        return Answer(response.status_code, response.content)

    async def aclose(self) -> None:
        await self._client.aclose()


class FakeContainer:
    """Answers /document/v1 requests; refuses the first ``busy`` attempts per path with
    ``busy_status`` (429, overload, unless told otherwise)."""

    def __init__(
        self, busy: int = 0, status_for: dict[str, int] | None = None, busy_status: int = 429
    ) -> None:
        self.busy = busy
        self.busy_status = busy_status
        self.status_for = status_for or {}
        self.received: list[tuple[str, str]] = []
        self.attempts: defaultdict[str, int] = defaultdict(int)
        self.concurrent = 0
        self.max_concurrent = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.concurrent += 1
        self.max_concurrent = max(self.max_concurrent, self.concurrent)
        await asyncio.sleep(0.001)
        self.concurrent -= 1
        path = request.url.path
        self.attempts[path] += 1
        if self.attempts[path] <= self.busy:
            message = "Rejecting execution due to overload" if self.busy_status == 429 else "busy"
            return httpx.Response(self.busy_status, json={"message": message})
        self.received.append((request.method, path))
        status = self.status_for.get(path, 200)
        return httpx.Response(status, json={"pathId": path, "message": "nope"})


async def _no_sleep(_: float) -> None:
    return None


def _feed(
    container: FakeContainer, ops: list[Operation], connections: int = 8, retries: int = 10
) -> tuple[Feeder, list[str]]:
    reports: list[str] = []
    feeder = Feeder(
        "http://container:8080",
        sender=MockSender(httpx.MockTransport(container.handle)),
        report=reports.append,
        sleep=_no_sleep,
        connections=connections,
        retries=retries,
    )
    asyncio.run(feeder.feed(ops))
    return feeder, reports


def test_every_operation_is_sent_concurrently_and_counted() -> None:
    container = FakeContainer()
    ops = [Operation("put", f"id:n:t::{i}", {"i": i}) for i in range(50)]
    feeder, reports = _feed(container, ops, connections=4)
    assert sorted(p for _, p in container.received) == sorted(
        f"/document/v1/n/t/docid/{i}" for i in range(50)
    )
    assert 1 < container.max_concurrent <= 4
    summary = feeder.stats.summary(2.0)
    assert summary["feeder.operation.count"] == 50
    assert summary["feeder.ok.count"] == 50
    assert summary["feeder.ok.rate"] == 25.0
    assert summary["http.response.code.counts"] == {"200": 50}
    assert summary["feeder.inflight.count"] == 0
    assert reports == []


def test_operations_on_one_document_keep_their_order() -> None:
    container = FakeContainer()
    ops = [
        Operation("put", "id:n:t::same", {"v": 1}),
        Operation("update", "id:n:t::same", {"v": {"assign": 2}}),
        Operation("remove", "id:n:t::same"),
        Operation("put", "id:n:t::same", {"v": 3}),
    ]
    _feed(container, ops, connections=8)
    assert [m for m, _ in container.received] == ["POST", "PUT", "DELETE", "POST"]


def test_overload_answers_are_retried_until_accepted() -> None:
    container = FakeContainer(busy=2)
    ops = [Operation("put", f"id:n:t::{i}", {}) for i in range(5)]
    feeder, reports = _feed(container, ops)
    summary = feeder.stats.summary(1.0)
    assert summary["feeder.ok.count"] == 5
    assert summary["http.request.count"] == 15
    assert summary["http.response.code.counts"] == {"200": 5, "429": 10}
    assert reports == []


def test_a_refused_operation_is_final_and_reported() -> None:
    container = FakeContainer(status_for={"/document/v1/n/t/docid/bad": 400})
    ops = [Operation("put", "id:n:t::bad", {}), Operation("put", "id:n:t::good", {})]
    feeder, reports = _feed(container, ops)
    assert feeder.stats.ok == 1
    assert feeder.stats.failed == 1
    assert container.attempts["/document/v1/n/t/docid/bad"] == 1
    assert reports == ["put id:n:t::bad failed: 400 nope"]


def test_giving_up_after_the_retries_is_reported() -> None:
    container = FakeContainer(busy=100, busy_status=503)
    feeder, reports = _feed(container, [Operation("remove", "id:n:t::x")], retries=3)
    assert feeder.stats.failed == 1
    assert container.attempts["/document/v1/n/t/docid/x"] == 4
    assert reports[0].startswith("remove id:n:t::x failed after 4 attempts: 503")


def test_overload_is_retried_beyond_the_retries_until_the_timeout_with_growing_delays() -> None:
    container = FakeContainer(busy=100)
    now = 0.0
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        nonlocal now
        delays.append(seconds)
        now += seconds

    reports: list[str] = []
    feeder = Feeder(
        "http://c",
        sender=MockSender(httpx.MockTransport(container.handle)),
        report=reports.append,
        retries=3,
        timeout=10.0,
        sleep=sleep,
        clock=lambda: now,
        rng=random.Random(7),
    )
    stats = asyncio.run(feeder.feed([Operation("put", "id:n:t::x", {})]))
    assert stats.failed == 1
    assert container.attempts["/document/v1/n/t/docid/x"] == len(delays) + 1 > 4
    assert 10.0 <= now < 13.0
    assert all(0.01 <= d <= 3.0 for d in delays)
    assert delays[-1] > delays[0]
    assert reports[0].startswith("put id:n:t::x failed after")
    assert "429: Rejecting execution due to overload" in reports[0]


def test_transport_errors_are_retried_and_counted() -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("connection refused", request=request)
        assert orjson.loads(request.content) == {"fields": {"a": 1}}
        return httpx.Response(200, json={})

    feeder = Feeder("http://c", sender=MockSender(httpx.MockTransport(flaky)), sleep=_no_sleep)
    stats = asyncio.run(feeder.feed([Operation("put", "id:n:t::1", {"a": 1})]))
    assert (stats.ok, stats.transport_errors, stats.requests) == (1, 1, 2)


def test_progress_is_reported_while_feeding() -> None:
    seen: list[tuple[int, float]] = []
    container = FakeContainer()
    feeder = Feeder(
        "http://c",
        sender=MockSender(httpx.MockTransport(container.handle)),
        progress=lambda stats, seconds: seen.append((stats.ok, seconds)),
        progress_interval=0.001,
        connections=2,
    )
    asyncio.run(feeder.feed([Operation("put", f"id:n:t::{i}", {}) for i in range(40)]))
    assert seen
    assert all(0 <= ok <= 40 for ok, _ in seen)
    assert [s for _, s in seen] == sorted(s for _, s in seen)


def test_operations_sent_before_a_broken_line_are_finished() -> None:
    container = FakeContainer()

    def operations() -> Iterator[Operation]:
        yield Operation("put", "id:n:t::1", {})
        yield Operation("put", "id:n:t::2", {})
        raise CliError("line 3: invalid JSON")

    feeder = Feeder("http://c", sender=MockSender(httpx.MockTransport(container.handle)))
    with pytest.raises(CliError, match="line 3"):
        asyncio.run(feeder.feed(operations()))
    assert feeder.stats.ok == 2
    assert len(container.received) == 2
