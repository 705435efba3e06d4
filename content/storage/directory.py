"""The storage interface: named files in one flat directory.

Durability contract, which both implementations keep:

- `AppendFile.sync` makes every byte written so far durable.
- `Directory.append` on a missing name creates the file durably (the directory entry
  survives a crash), `truncate` and `delete` are durable when they return.
- `write_atomic` replaces a whole file so that a crash leaves either the old or the new
  content, never a mix (temp file, fsync, rename, fsync of the directory).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class AppendFile(Protocol):
    """A file opened for appending."""

    @property
    def name(self) -> str:
        """The file's name in its directory."""
        ...

    @property
    def size(self) -> int:
        """Bytes in the file, written or not yet synced."""
        ...

    def write(self, data: bytes) -> None:
        """Append ``data``."""

    def sync(self) -> None:
        """Make everything written so far durable."""

    def close(self) -> None:
        """Release the file; unsynced bytes may be lost on a crash."""


class Directory(Protocol):
    """A flat directory of named files."""

    def describe(self, name: str) -> str:
        """A human-readable location of ``name`` for error messages (a path)."""
        ...

    def list(self) -> list[str]:
        """The names of all files, sorted."""
        ...

    def exists(self, name: str) -> bool:
        """Whether a file called ``name`` exists."""
        ...

    def read(self, name: str) -> bytes:
        """The whole content of ``name``; raises FileNotFoundError if it does not exist."""
        ...

    def append(self, name: str) -> AppendFile:
        """Open ``name`` for appending, creating it durably when missing."""
        ...

    def truncate(self, name: str, size: int) -> None:
        """Cut ``name`` to ``size`` bytes, durably."""

    def delete(self, name: str) -> None:
        """Remove ``name`` durably; a missing file is not an error."""

    def write_atomic(self, name: str, chunks: Iterable[bytes | memoryview]) -> None:
        """Replace ``name`` with the concatenation of ``chunks``, atomically and durably."""
