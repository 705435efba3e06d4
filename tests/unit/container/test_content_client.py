"""The content-node client: replies, node errors, timeouts and broken connections."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from container.dispatch import ContentClient
from container.errors import BackendCommunicationError, DispatchTimeoutError
from vespid.config import ContentNodeConfig
from vespid.errors import ConditionNotMetError, error_to_json
from vespid.messages import GetRequest, WriteReply

NODE = ContentNodeConfig(0, "localhost", 19100)


class Answers:
    """A `ContentTransport` answering with one fixed outcome, recording what it got."""

    def __init__(self, status: int = 200, body: bytes = b"", error: Exception | None = None):
        self.status = status
        self.body = body
        self.error = error
        self.hang = False
        self.calls: list[tuple[str, bytes]] = []

    async def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        self.calls.append((url, body))
        if self.hang:
            await asyncio.Event().wait()  # never answers: the client's timeout ends it
        if self.error is not None:
            raise self.error
        return self.status, self.body

    async def aclose(self) -> None:
        """Nothing to close."""


def _call(transport: Answers, timeout: float = 1.0) -> WriteReply:
    client = ContentClient(transport)
    request = GetRequest("id:m:music::one")
    return asyncio.run(client.call(NODE, "put", request, WriteReply, timeout))


def test_a_reply_is_decoded_and_the_request_posted_as_json() -> None:
    transport = Answers(body=orjson.dumps(WriteReply(found=False, timestamp=7).to_json()))
    assert _call(transport) == WriteReply(found=False, timestamp=7)
    [(url, body)] = transport.calls
    assert url == "http://localhost:19100/internal/v1/put"
    assert orjson.loads(body) == GetRequest("id:m:music::one").to_json()


def test_a_node_error_is_rebuilt_as_its_class() -> None:
    error = ConditionNotMetError("Condition 'x' not met")
    transport = Answers(status=412, body=orjson.dumps(error_to_json(error)))
    with pytest.raises(ConditionNotMetError, match="Condition 'x' not met"):
        _call(transport)


def test_a_call_that_outlasts_its_timeout_is_a_dispatch_timeout() -> None:
    transport = Answers()
    transport.hang = True
    with pytest.raises(DispatchTimeoutError, match="Timeout after 1ms waiting for content node 0"):
        _call(transport, timeout=0.001)


def test_a_broken_connection_is_a_backend_communication_error() -> None:
    transport = Answers(error=ConnectionError("connection refused"))
    with pytest.raises(BackendCommunicationError, match="connection refused"):
        _call(transport)


def test_a_reply_that_is_not_json_is_a_backend_communication_error() -> None:
    with pytest.raises(BackendCommunicationError, match="not JSON"):
        _call(Answers(status=502, body=b"<html>bad gateway</html>"))
