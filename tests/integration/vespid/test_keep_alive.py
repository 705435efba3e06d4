"""`vespid.runtime.keep_alive` against a real HTTP/1.1 server on loopback (asyncio streams),
through its two users: the feeder's `KeepAliveSender` and the container's
`KeepAliveTransport`.

The server reads each request whole and answers by a script per path: a plain
keep-alive answer, a chunked one, one that closes the connection, or none at all.
The sender must reuse connections, reassemble chunked bodies, open a new connection
after a close, and give up on a silent server with `SendError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from container.dispatch import KeepAliveTransport
from vespid.cli.http_sender import Answer, KeepAliveSender, SendError, sender_for
from vespid.runtime import keep_alive

T = TypeVar("T")


class ScriptedServer:
    """Answers requests on loopback; counts connections and records request lines."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[str] = []
        self.bodies: list[bytes] = []
        self._open: dict[asyncio.StreamWriter, asyncio.Task[object] | None] = {}

    async def close(self) -> None:
        """Close every connection and stop its handler."""
        for writer, task in self._open.items():
            writer.close()
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in self._open.values() if t), return_exceptions=True)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._open[writer] = asyncio.current_task()
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                self.requests.append(lines[0])
                length = next(
                    int(v)
                    for k, _, v in (h.partition(": ") for h in lines)
                    if k == "Content-Length"
                )
                self.bodies.append(await reader.readexactly(length))
                path = lines[0].split()[1]
                if path.startswith("/silent"):
                    await asyncio.sleep(10)
                elif path.startswith("/chunked"):
                    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                    writer.write(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                elif path.startswith("/close"):
                    writer.write(
                        b"HTTP/1.1 503 Busy\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy"
                    )
                    await writer.drain()
                    writer.close()
                    return
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def _with_server(body: Callable[[ScriptedServer, str], Awaitable[T]]) -> T:
    async def main() -> T:
        scripted = ScriptedServer()
        server = await asyncio.start_server(scripted.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            return await body(scripted, f"http://127.0.0.1:{port}")
        finally:
            server.close()
            await scripted.close()
            await server.wait_closed()

    return asyncio.run(main())


def test_connection_reuse_chunked_bodies_and_closing_servers() -> None:
    async def run(
        server: ScriptedServer, url: str
    ) -> tuple[list[Answer], int, list[str], list[bytes]]:
        sender = KeepAliveSender(url, connections=2, timeout=5)
        answers = [await sender.send("POST", "/a%20b", {"condition": "x == 1"}, b'{"f":1}')]
        answers.append(await sender.send("DELETE", "/c", {}, None))
        answers.append(await sender.send("PUT", "/chunked", {}, b"{}"))
        answers.append(await sender.send("PUT", "/close", {}, b"{}"))
        answers.append(await sender.send("GET", "/again", {}, None))
        await sender.aclose()
        return answers, server.connections, server.requests, server.bodies

    answers, connections, requests, bodies = _with_server(run)
    assert answers == [
        Answer(200, b"ok"),
        Answer(200, b"ok"),
        Answer(200, b"abcde"),
        Answer(503, b"busy"),
        Answer(200, b"ok"),
    ]
    assert connections == 2, "one connection until the server closed it, then a new one"
    assert requests[0] == "POST /a%20b?condition=x+%3D%3D+1 HTTP/1.1"
    assert bodies[:2] == [b'{"f":1}', b""]


def test_a_silent_server_is_a_send_error_and_its_connection_is_dropped() -> None:
    async def run(server: ScriptedServer, url: str) -> tuple[str, Answer, int]:
        sender = KeepAliveSender(url, connections=1, timeout=0.2)
        with pytest.raises(SendError, match=r"No answer within 0\.2 s") as caught:
            await sender.send("GET", "/silent", {}, None)
        after = await sender.send("GET", "/fine", {}, None)
        await sender.aclose()
        return str(caught.value), after, server.connections

    _, after, connections = _with_server(run)
    assert after == Answer(200, b"ok")
    assert connections == 2, "the connection with a pending answer is not reused"


def test_an_unreachable_target_is_a_send_error() -> None:
    async def run(_: ScriptedServer, url: str) -> None:
        sender = KeepAliveSender("http://127.0.0.1:1", connections=1, timeout=1)
        with pytest.raises(SendError):
            await sender.send("GET", "/", {}, None)

    _with_server(run)


def test_https_targets_go_through_aiohttp() -> None:
    assert isinstance(sender_for("http://localhost:8080", 4, 1.0), KeepAliveSender)
    assert not isinstance(sender_for("https://localhost:8443", 4, 1.0), KeepAliveSender)


def test_the_container_transport_posts_json_and_keeps_the_connection() -> None:
    async def run(server: ScriptedServer, url: str) -> tuple[list[tuple[int, bytes]], int]:
        transport = KeepAliveTransport()
        answers = [await transport.post(url + "/internal/v1/batch", b'{"operations":[]}')]
        answers.append(await transport.post(url + "/internal/v1/get", b"{}"))
        await transport.aclose()
        return answers, server.connections

    answers, connections = _with_server(run)
    assert answers == [(200, b"ok"), (200, b"ok")]
    assert connections == 1


def test_the_container_transport_reports_an_unreachable_node_as_a_connection_error() -> None:
    async def run(_: ScriptedServer, __: str) -> None:
        transport = KeepAliveTransport()
        with pytest.raises(ConnectionError):
            await transport.post("http://127.0.0.1:1/internal/v1/put", b"{}")

    _with_server(run)


def test_a_connection_idle_too_long_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keep_alive, "IDLE_REUSE_SECONDS", 0.0)

    async def run(server: ScriptedServer, url: str) -> tuple[list[tuple[int, bytes]], int]:
        transport = KeepAliveTransport()
        answers = [await transport.post(url + "/internal/v1/get", b"{}") for _ in range(2)]
        await transport.aclose()
        return answers, server.connections

    answers, connections = _with_server(run)
    assert answers == [(200, b"ok"), (200, b"ok")]
    assert connections == 2, "the idle connection was not reused"
