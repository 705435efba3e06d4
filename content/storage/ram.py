"""`Directory` in memory, for tests: it knows which bytes are durable.

`RamDirectory.crash` returns what a machine would find after losing power: each file
cut to its synced length, or (with an ``rng``) to a random point of its unsynced tail,
as a torn write would leave it. `fail` makes a named operation raise ``OSError`` so
tests can check that a structure stays readable when a write or sync fails.
"""

from __future__ import annotations

import errno
import random
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class _Content:
    data: bytearray = field(default_factory=bytearray)
    synced: int = 0


class _RamFile:
    def __init__(self, directory: RamDirectory, name: str) -> None:
        self._directory = directory
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def size(self) -> int:
        return len(self._content().data)

    def write(self, data: bytes) -> None:
        self._directory.check("write", self._name)
        self._content().data += data

    def sync(self) -> None:
        self._directory.check("sync", self._name)
        content = self._content()
        content.synced = len(content.data)

    def close(self) -> None:
        """Nothing to release in memory."""

    def _content(self) -> _Content:
        content = self._directory.files.get(self._name)
        if content is None:
            raise FileNotFoundError(self._name)
        return content


class RamDirectory:
    """Files in a dict, with durable-length bookkeeping and fault injection."""

    def __init__(self) -> None:
        self.files: dict[str, _Content] = {}
        self._faults: set[tuple[str, str]] = set()

    def fail(self, operation: str, name_prefix: str) -> None:
        """Make ``operation`` (`write`, `sync`, `write_atomic`) on matching names raise EIO."""
        self._faults.add((operation, name_prefix))

    def heal(self) -> None:
        """Remove every injected fault."""
        self._faults.clear()

    def check(self, operation: str, name: str) -> None:
        """Raise the injected fault for ``operation`` on ``name``, if any."""
        for op, prefix in self._faults:
            if op == operation and name.startswith(prefix):
                raise OSError(errno.EIO, f"injected {operation} failure", name)

    def crash(self, rng: random.Random | None = None) -> RamDirectory:
        """Return the directory as a crash would leave it (this one is unchanged)."""
        survivor = RamDirectory()
        for name, content in self.files.items():
            keep = content.synced
            if rng is not None:
                keep = rng.randint(content.synced, len(content.data))
            survivor.files[name] = _Content(bytearray(content.data[:keep]), keep)
        return survivor

    def describe(self, name: str) -> str:
        return f"ram:{name}"

    def list(self) -> list[str]:
        return sorted(self.files)

    def exists(self, name: str) -> bool:
        return name in self.files

    def read(self, name: str) -> bytes:
        content = self.files.get(name)
        if content is None:
            raise FileNotFoundError(name)
        return bytes(content.data)

    def append(self, name: str) -> _RamFile:
        self.files.setdefault(name, _Content())
        return _RamFile(self, name)

    def truncate(self, name: str, size: int) -> None:
        content = self.files[name]
        del content.data[size:]
        content.synced = min(content.synced, size)

    def delete(self, name: str) -> None:
        self.files.pop(name, None)

    def write_atomic(self, name: str, chunks: Iterable[bytes | memoryview]) -> None:
        data = bytearray()
        for chunk in chunks:
            data += chunk
        self.check("write_atomic", name)
        self.files[name] = _Content(data, len(data))
