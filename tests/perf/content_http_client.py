"""A minimal HTTP/1.1 keep-alive client for benchmarks: the server's cost, not the client's.

Each `Connection` (from `Connection.open`) sends one request at a time on its own
socket and reads the answer by ``Content-Length`` (what the content node always
sends). It costs a few tens of microseconds of CPU per request, where httpx costs
about a millisecond, so on a two-core machine a benchmark measures the server rather
than its client.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


class Connection:
    """One keep-alive connection; `open` makes one."""

    def __init__(self, host: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._host = host
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        """Connect to ``host:port``."""
        reader, writer = await asyncio.open_connection(host, port)
        return cls(host, reader, writer)

    def close(self) -> None:
        """Close the socket."""
        self._writer.close()

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST ``body`` as JSON to ``path``; return the status and the answer's body."""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self._writer.write(head.encode() + body)
        return await self._answer()

    async def get(self, path: str) -> tuple[int, bytes]:
        """GET ``path`` (already URL-encoded); return the status and the answer's body."""
        self._writer.write(f"GET {path} HTTP/1.1\r\nHost: {self._host}\r\n\r\n".encode())
        return await self._answer()

    async def _answer(self) -> tuple[int, bytes]:
        answer = await self._reader.readuntil(b"\r\n\r\n")
        status = int(answer[9:12])
        length = 0
        for line in answer.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self._reader.readexactly(length)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds process ``pid`` has used (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
