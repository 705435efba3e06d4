"""The content node's ``batch`` op and its pending-write limit, with real storage and index."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from content.http.overload import PendingWrites
from tests.unit.content.test_http import ConfigServer, serving, wait_for
from tests.unit.content.test_node_support import content_config
from vespid.errors import OverloadError
from vespid.messages import GetRequest, WriteBatchRequest, WriteOperation

A, B, C = "id:ns:music::a", "id:ns:music::b", "id:ns:music::c"


def _batch(*operations: WriteOperation) -> WriteBatchRequest:
    return WriteBatchRequest(operations)


def test_a_batch_applies_in_order_and_answers_each_operation(tmp_path: Path) -> None:
    async def run() -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any], int]:
        server = ConfigServer()
        server.publish(content_config())
        async with serving(tmp_path, server) as (service, post):
            await wait_for(service, "up")
            assert service.node is not None
            commits = service.node.database._committer.commits
            batch = _batch(
                WriteOperation("put", A, {"title": "one", "year": 1}),
                WriteOperation("update", A, {"year": [{"increment": 1}]}),
                WriteOperation("put", B, {"title": "two"}, condition="music.year == 5"),
                WriteOperation("remove", C),
                WriteOperation("put", C, {"title": "three"}),
                WriteOperation("update", "id:ns:music::none", {"year": [{"assign": 1}]}),
                WriteOperation("put", "id:ns:nope::x", {"title": "x"}),
            )
            response = await post("batch", batch)
            assert response.status_code == 200
            outcomes: list[dict[str, Any]] = response.json()["outcomes"]
            syncs = service.node.database._committer.commits - commits
            a = (await post("get", GetRequest(A))).json()
            b = (await post("get", GetRequest(B))).json()
            return outcomes, a, b, syncs
        raise AssertionError("not served")

    outcomes, a, b, syncs = asyncio.run(run())
    assert [o.get("found", o.get("code")) for o in outcomes] == [
        False,
        True,
        "CONDITION_NOT_MET",
        False,
        False,
        False,
        "UNKNOWN_DOCUMENT_TYPE",
    ]
    assert all(o["timestamp"] > 0 for o in (outcomes[0], outcomes[1], outcomes[4]))
    assert outcomes[0]["timestamp"] < outcomes[1]["timestamp"] < outcomes[4]["timestamp"]
    assert a["fields"] == {"title": "one", "year": 2}
    assert b["found"] is False
    assert syncs == 1, "the whole batch shares one group commit"


def test_writes_past_the_pending_limit_are_refused_one_by_one(tmp_path: Path) -> None:
    async def run() -> tuple[list[dict[str, Any]], list[bool]]:
        server = ConfigServer()
        server.publish(content_config())
        async with serving(tmp_path, server, max_pending_writes=2) as (service, post):
            await wait_for(service, "up")
            ids = [f"id:ns:music::{i}" for i in range(5)]
            batch = _batch(*(WriteOperation("put", i, {"title": i}) for i in ids))
            outcomes = (await post("batch", batch)).json()["outcomes"]
            stored = [(await post("get", GetRequest(i))).json()["found"] for i in ids]
            again = (await post("batch", _batch(WriteOperation("remove", ids[0])))).json()
            assert again["outcomes"] == [
                {"found": True, "timestamp": again["outcomes"][0]["timestamp"]}
            ]
            return outcomes, stored
        raise AssertionError("not served")

    outcomes, stored = asyncio.run(run())
    assert [o.get("code") for o in outcomes] == [None, None, "OVERLOAD", "OVERLOAD", "OVERLOAD"]
    message = "Rejecting execution due to overload: 2 requests already enqueued"
    assert outcomes[2]["message"] == message
    assert stored == [True, True, False, False, False]


def test_pending_writes_admit_up_to_the_limit_and_free_on_release() -> None:
    writes = PendingWrites(limit=3)
    assert writes.admit(2) == 2
    assert writes.admit(5) == 1
    assert writes.admit(1) == 0
    writes.release(2)
    assert writes.admit(4) == 2
    assert isinstance(writes.refusal(), OverloadError)
    with pytest.raises(ValueError, match="at least 1"):
        PendingWrites(limit=0)


@pytest.mark.parametrize(
    "data",
    [
        {"operations": [{"op": "patch", "id": A}]},
        {"operations": [{"op": "put", "id": A}]},
        {"operations": [{"op": "remove", "id": A, "fields": {}}]},
        {"operations": [{"op": "put", "id": 3, "fields": {}}]},
        {"operations": {}},
    ],
)
def test_a_malformed_batch_is_400(tmp_path: Path, data: dict[str, Any]) -> None:
    async def run() -> tuple[int, str]:
        server = ConfigServer()
        server.publish(content_config())
        async with serving(tmp_path, server) as (service, post):
            await wait_for(service, "up")
            response = await post("batch", data)
            return response.status_code, response.json()["code"]
        raise AssertionError("not served")

    assert asyncio.run(run()) == (400, "INVALID_DOCUMENT")
