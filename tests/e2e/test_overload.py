"""429 end to end: a content node with a tiny pending-write limit, driven into overload.

``vespid up`` starts the sample application with ``VESPID_MAX_PENDING_WRITES=2`` in the
environment, which only the content node reads: it holds at most two writes that are
not yet durable and refuses more (`content.http.overload`). Many concurrent writes then
get Vespa's 429 answer from the container, and ``vespid feed`` — which retries 429 with
backoff — still applies every operation exactly once: increments count each delivery.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import started_instance
from tests.e2e.harness import Instance, run_vespid

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

DOCS = "/document/v1/books/book/docid"
LIMIT = 2
COUNT = 300


@pytest.fixture(scope="module")
def overloaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """A Vespid whose content node admits at most ``LIMIT`` pending writes."""
    with started_instance(
        tmp_path_factory.mktemp("overload"), {"VESPID_MAX_PENDING_WRITES": str(LIMIT)}
    ) as inst:
        yield inst


async def _concurrent_puts(instance: Instance, count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=instance.container, timeout=30) as client:
        body = {"fields": {"title": "Crowded", "year": 1}}
        calls = [client.post(f"{DOCS}/crowd-{i}", json=body) for i in range(count)]
        return await asyncio.gather(*calls)


def test_429_with_vespas_body_when_the_content_node_is_overloaded(overloaded: Instance) -> None:
    responses = asyncio.run(_concurrent_puts(overloaded, 64))
    refused = [r for r in responses if r.status_code == 429]
    assert refused, [r.status_code for r in responses]
    assert {r.status_code for r in responses} <= {200, 429}
    answer = refused[0].json()
    assert answer["pathId"].startswith(f"{DOCS}/crowd-")
    assert answer["id"].startswith("id:books:book::crowd-")
    expected = f"Rejecting execution due to overload: {LIMIT} requests already enqueued"
    assert answer["message"] == expected
    assert refused[0].headers["content-type"].startswith("application/json")


def _feed(
    instance: Instance, path: Path, operations: Sequence[Mapping[str, object]]
) -> dict[str, object]:
    path.write_text("".join(json.dumps(op) + "\n" for op in operations))
    result = run_vespid("feed", str(path), "--target", instance.container, "--connections", "32")
    assert result.returncode == 0, result.stdout + result.stderr
    summary: dict[str, object] = json.loads(result.stdout)
    return summary


def test_vespid_feed_retries_429_and_delivers_every_operation_once(
    overloaded: Instance, tmp_path: Path
) -> None:
    ids = [f"id:books:book::counted-{i}" for i in range(COUNT)]
    puts = [{"put": i, "fields": {"title": "Counted", "year": 0}} for i in ids]
    _feed(overloaded, tmp_path / "puts.jsonl", puts)
    increments = [{"update": i, "fields": {"year": {"increment": 1}}} for i in ids]
    summary = _feed(overloaded, tmp_path / "increments.jsonl", increments)
    assert summary["feeder.ok.count"] == COUNT
    codes = summary["http.response.code.counts"]
    assert isinstance(codes, dict)
    assert codes.get("429", 0) > 0, codes
    params = {
        "selection": 'book.title == "Counted"',
        "cluster": "books",
        "wantedDocumentCount": "1000",
    }
    years: dict[str, int] = {}
    while True:
        page = httpx.get(overloaded.container + DOCS + "/", params=params, timeout=30).json()
        years.update((d["id"], d["fields"]["year"]) for d in page["documents"])
        if "continuation" not in page:
            break
        params["continuation"] = page["continuation"]
    assert years == dict.fromkeys(ids, 1)
