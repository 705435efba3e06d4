"""One port, two protocols: uvicorn with the sniffing protocol of `vespid.runtime.h2c`.

A real uvicorn server on loopback, in this process, serving a small ASGI app: HTTP/1.1
requests are answered by uvicorn, connections that open with the HTTP/2 preface (h2c
prior knowledge, as the vespa CLI and pyvespa's async client send) by Hypercorn, both
with the same app; a connection that never sends a byte is closed after uvicorn's
keep-alive timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import uvicorn

from vespid.runtime.h2c import Http2Connections, sniffing_protocol
from vespid.runtime.server import hypercorn_config

T = TypeVar("T")


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    answer = f"{scope['http_version']} {scope['method']} {len(body)}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": answer})


def _serving(body: Callable[[str, int], Awaitable[T]]) -> T:
    async def main() -> T:
        http2 = Http2Connections(_app, hypercorn_config())
        config = uvicorn.Config(
            _app,
            host="127.0.0.1",
            port=0,
            http=sniffing_protocol(http2),
            lifespan="off",
            log_level="warning",
            timeout_keep_alive=1,
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            return await body(f"http://127.0.0.1:{port}", port)
        finally:
            await http2.close()
            server.should_exit = True
            await task

    return asyncio.run(main())


def test_http1_and_h2c_prior_knowledge_on_the_same_port() -> None:
    async def run(url: str, _: int) -> list[tuple[str, str]]:
        answers = []
        for http2 in (False, True):
            async with httpx.AsyncClient(http1=not http2, http2=http2) as client:
                for _ in range(2):  # the second request reuses the connection
                    response = await client.post(url + "/x", content=b"abc")
                    answers.append((response.http_version, response.text))
        return answers

    assert _serving(run) == [
        ("HTTP/1.1", "1.1 POST 3"),
        ("HTTP/1.1", "1.1 POST 3"),
        ("HTTP/2", "2 POST 3"),
        ("HTTP/2", "2 POST 3"),
    ]


def test_a_silent_connection_is_closed_after_the_keep_alive_timeout() -> None:
    async def run(_: str, port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            async with asyncio.timeout(5):
                return await reader.read()  # b"" once the server closes
        finally:
            writer.close()

    assert _serving(run) == b""
