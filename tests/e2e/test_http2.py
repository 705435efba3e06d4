"""The container's public port speaks HTTP/1.1 and HTTP/2 cleartext side by side.

The vespa CLI's feeder and pyvespa's async client open ``http://`` URLs with h2c prior
knowledge (the connection begins with the HTTP/2 preface); curl and pyvespa's sync
client use HTTP/1.1. Against a real Vespid (``vespid up``), the same /search/ and
/document/v1 requests get the same answers over both, gzip request bodies included.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import orjson
import pytest

from tests.e2e.harness import Instance

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

T = TypeVar("T")
PROTOCOLS = {"http1": "HTTP/1.1", "h2c": "HTTP/2"}
DOCS = "/document/v1/books/book/docid"


def _with_client(
    instance: Instance, protocol: str, body: Callable[[httpx.AsyncClient], Awaitable[T]]
) -> T:
    """Run ``body`` with a client that speaks only ``protocol`` to the container."""

    async def main() -> T:
        # An http:// URL with http1 off makes httpx open connections with the HTTP/2
        # preface (prior knowledge), as the vespa CLI and pyvespa's async client do.
        h2c = protocol == "h2c"
        async with httpx.AsyncClient(
            base_url=instance.container, http1=not h2c, http2=h2c, timeout=30
        ) as client:
            return await body(client)

    return asyncio.run(main())


def _checked(response: httpx.Response, protocol: str, status: int = 200) -> Any:
    assert response.http_version == PROTOCOLS[protocol]
    assert response.status_code == status, response.text
    return response.json()


@pytest.mark.parametrize("protocol", ["http1", "h2c"])
def test_document_put_get_update_and_remove(instance: Instance, protocol: str) -> None:
    async def body(client: httpx.AsyncClient) -> None:
        url = f"{DOCS}/{protocol}-doc"
        put = await client.post(url, json={"fields": {"title": "Over two", "year": 2015}})
        assert _checked(put, protocol) == {"pathId": url, "id": f"id:books:book::{protocol}-doc"}
        fields = {"fields": {"year": {"assign": 2016}}}
        _checked(await client.put(url, json=fields), protocol)
        got = _checked(await client.get(url), protocol)
        assert got["fields"] == {"title": "Over two", "year": 2016}
        _checked(await client.delete(url), protocol)
        _checked(await client.get(url), protocol, status=404)

    _with_client(instance, protocol, body)


@pytest.mark.parametrize("protocol", ["http1", "h2c"])
def test_gzip_request_bodies(instance: Instance, protocol: str) -> None:
    doc = {"fields": {"title": "Squeezed " * 200, "year": 1999}}
    search = {"yql": "select * from book where year = 1999 and title contains 'squeezed'"}

    async def body(client: httpx.AsyncClient) -> None:
        url = f"{DOCS}/gzip-{protocol}"
        gzipped = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        put = await client.post(url, content=gzip.compress(orjson.dumps(doc)), headers=gzipped)
        _checked(put, protocol)
        assert _checked(await client.get(url), protocol)["fields"] == doc["fields"]
        query = gzip.compress(orjson.dumps(search))
        result = _checked(await client.post("/search/", content=query, headers=gzipped), protocol)
        ids = [hit["id"] for hit in result["root"]["children"]]
        assert f"id:books:book::gzip-{protocol}" in ids

    _with_client(instance, protocol, body)


def test_many_concurrent_streams_on_one_connection(instance: Instance) -> None:
    """A feeder's pattern: hundreds of puts in flight over one h2c connection."""

    async def body(client: httpx.AsyncClient) -> set[str]:
        async def put(i: int) -> str:
            response = await client.post(f"{DOCS}/stream-{i}", json={"fields": {"year": i}})
            return str(_checked(response, "h2c")["id"])

        return set(await asyncio.gather(*(put(i) for i in range(300))))

    ids = _with_client(instance, "h2c", body)
    assert ids == {f"id:books:book::stream-{i}" for i in range(300)}
    total = instance.query("select * from book where year < 300 and year >= 0", hits=0)
    assert total["root"]["fields"]["totalCount"] >= 300


def test_the_same_searches_answer_the_same_over_both(instance: Instance) -> None:
    queries = [
        {"yql": "select * from book where true", "hits": "5", "ranking": "unranked"},
        {"yql": "select title from book where title contains 'squeezed'"},
        {"yql": "select * from book where year > 1900 order by year desc limit 3"},
        {"yql": "select * from book where"},  # a 400 answers the same too
    ]

    async def answers(client: httpx.AsyncClient) -> list[tuple[str, int, Any]]:
        got = []
        for params in queries:
            response = await client.get("/search/", params=params)
            got.append((response.http_version, response.status_code, response.json()))
        return got

    http1 = _with_client(instance, "http1", answers)
    h2c = _with_client(instance, "h2c", answers)
    assert {version for version, _, _ in http1} == {"HTTP/1.1"}
    assert {version for version, _, _ in h2c} == {"HTTP/2"}
    assert [status for _, status, _ in http1] == [200, 200, 200, 400]
    assert [answer[1:] for answer in http1] == [answer[1:] for answer in h2c]
