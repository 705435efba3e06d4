"""Write batching: concurrent writes share batch requests, and each gets its own outcome."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from container.dispatch import ContentClient, WriteBatcher
from container.errors import BackendCommunicationError, DispatchTimeoutError
from tests.unit.container.fake_content import FakeContentNode, FakeNetwork
from vespid.config import ContentNodeConfig
from vespid.errors import ConditionNotMetError
from vespid.messages import WriteOperation, WriteReply

NODE = ContentNodeConfig(0, "localhost", 19100)


def _put(i: int) -> WriteOperation:
    return WriteOperation("put", f"id:m:music::{i}", {"title": str(i)})


def test_concurrent_writes_go_as_one_batch_and_each_gets_its_reply() -> None:
    node = FakeContentNode(0)
    batcher = WriteBatcher(ContentClient(FakeNetwork({19100: node})))

    async def run() -> list[WriteReply]:
        return await asyncio.gather(*(batcher.write(NODE, _put(i), 5.0) for i in range(10)))

    replies = asyncio.run(run())
    assert [kind for kind, _ in node.requests].count("batch") == 1
    assert replies == [WriteReply(found=False)] * 10
    assert set(node.documents) == {f"id:m:music::{i}" for i in range(10)}


def test_an_operation_the_node_refuses_fails_alone() -> None:
    node = FakeContentNode(0)
    node.failures["update"] = ConditionNotMetError("Condition not met")
    batcher = WriteBatcher(ContentClient(FakeNetwork({19100: node})))
    update = WriteOperation("update", "id:m:music::1", {"title": [{"assign": "x"}]})

    async def run() -> list[WriteReply | BaseException]:
        calls = [batcher.write(NODE, _put(0), 5.0), batcher.write(NODE, update, 5.0)]
        return await asyncio.gather(*calls, return_exceptions=True)

    put, refused = asyncio.run(run())
    assert put == WriteReply(found=False)
    assert isinstance(refused, ConditionNotMetError)
    assert refused.message == "Condition not met"


class HeldTransport:
    """Answers every batch with success, but only once ``release`` is set; records sizes."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.release = asyncio.Event()

    async def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        operations = orjson.loads(body)["operations"]
        self.sizes.append(len(operations))
        await self.release.wait()
        outcomes = [{"found": False, "timestamp": 1}] * len(operations)
        return 200, orjson.dumps({"outcomes": outcomes})

    async def aclose(self) -> None:
        """Nothing to close."""


def test_writes_queue_while_the_batches_in_flight_are_out_and_then_go_together() -> None:
    async def run() -> list[int]:
        transport = HeldTransport()
        batcher = WriteBatcher(ContentClient(transport), max_in_flight=1)
        first = asyncio.ensure_future(batcher.write(NODE, _put(0), 5.0))
        await asyncio.sleep(0.01)
        rest = [asyncio.ensure_future(batcher.write(NODE, _put(i), 5.0)) for i in range(1, 8)]
        await asyncio.sleep(0.01)
        assert transport.sizes == [1], "the later writes wait for the batch in flight"
        transport.release.set()
        await asyncio.gather(first, *rest)
        return transport.sizes

    assert asyncio.run(run()) == [1, 7]


def test_batches_hold_at_most_max_batch_operations() -> None:
    node = FakeContentNode(0)
    batcher = WriteBatcher(ContentClient(FakeNetwork({19100: node})), max_batch=4)

    async def run() -> None:
        await asyncio.gather(*(batcher.write(NODE, _put(i), 5.0) for i in range(10)))

    asyncio.run(run())
    sizes = [len(r.operations) for kind, r in node.requests if kind == "batch"]
    assert sizes == [4, 4, 2]


def test_a_write_that_outlasts_its_timeout_is_a_dispatch_timeout() -> None:
    async def run() -> None:
        batcher = WriteBatcher(ContentClient(HeldTransport()))
        await batcher.write(NODE, _put(0), 0.01)

    with pytest.raises(DispatchTimeoutError, match="Timeout after 10ms"):
        asyncio.run(run())


def test_an_unreachable_node_fails_every_write_of_the_batch() -> None:
    network = FakeNetwork({})

    async def run() -> list[WriteReply | BaseException]:
        batcher = WriteBatcher(ContentClient(network))
        calls = [batcher.write(NODE, _put(i), 5.0) for i in range(3)]
        return await asyncio.gather(*calls, return_exceptions=True)

    failures = asyncio.run(run())
    assert all(isinstance(f, BackendCommunicationError) for f in failures)
    assert len({id(f) for f in failures}) == 3, "each caller raises its own exception"
