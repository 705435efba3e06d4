"""`Directory` on a real file system directory, with fsync of files and the directory."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

_TEMP_SUFFIX = ".tmp"


class _File:
    def __init__(self, path: Path, name: str) -> None:
        self._name = name
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._size = os.fstat(self._fd).st_size

    @property
    def name(self) -> str:
        return self._name

    @property
    def size(self) -> int:
        return self._size

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            self._size += written
            view = view[written:]

    def sync(self) -> None:
        os.fdatasync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


class FileDirectory:
    """Files under ``path`` (created when missing); leftover temp files are removed."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        for leftover in self.path.glob(f"*{_TEMP_SUFFIX}"):
            leftover.unlink()

    def describe(self, name: str) -> str:
        return str(self.path / name)

    def list(self) -> list[str]:
        return sorted(
            p.name for p in self.path.iterdir() if p.is_file() and p.suffix != _TEMP_SUFFIX
        )

    def exists(self, name: str) -> bool:
        return (self.path / name).is_file()

    def read(self, name: str) -> bytes:
        return (self.path / name).read_bytes()

    def append(self, name: str) -> _File:
        existed = self.exists(name)
        file = _File(self.path / name, name)
        if not existed:
            file.sync()
            self._sync_dir()
        return file

    def truncate(self, name: str, size: int) -> None:
        fd = os.open(self.path / name, os.O_WRONLY)
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
        finally:
            os.close(fd)

    def delete(self, name: str) -> None:
        try:
            (self.path / name).unlink()
        except FileNotFoundError:
            return
        self._sync_dir()

    def write_atomic(self, name: str, chunks: Iterable[bytes | memoryview]) -> None:
        temp = self.path / (name + _TEMP_SUFFIX)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            with os.fdopen(fd, "wb", buffering=1 << 20, closefd=False) as out:
                for chunk in chunks:
                    out.write(chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, self.path / name)
        self._sync_dir()

    def _sync_dir(self) -> None:
        fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
