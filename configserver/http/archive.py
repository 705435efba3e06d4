"""Safe unpacking of uploaded application packages (zip and tar.gz) into memory.

Everything is checked before anything is stored: no absolute paths, no ``..``, no
links or device files, at most ``max_files`` files, at most ``max_bytes`` unpacked and
a total compression ratio of at most ``max_ratio`` (zip bombs). Each refusal raises
BadRequestError saying which entry and why. Nothing touches the file system.

A package whose files all sit under one top-level directory (``tar czf app.tgz app/``)
is rooted at that directory, as Vespa does.
"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass

from configserver.errors import BadRequestError

ZIP = "application/zip"
TAR_GZ = "application/x-gzip"
SUPPORTED_TYPES = (ZIP, TAR_GZ)
ENCRYPTED = 0x1
"""Bit 0 of a zip entry's general purpose flags."""
RATIO_FREE_BYTES = 1024 * 1024
"""Packages that unpack to less than this are never refused for their compression ratio."""


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """How much an uploaded package may unpack to."""

    max_bytes: int = 256 * 1024 * 1024
    max_files: int = 10_000
    max_ratio: float = 200.0
    """Unpacked size / uploaded size, over the whole archive."""

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_files <= 0 or self.max_ratio <= 1:
            raise ValueError(f"Archive limits must be positive (ratio > 1), got {self}")


class _Budget:
    """Counts files and bytes as they are unpacked; raises on the first excess."""

    def __init__(self, limits: ArchiveLimits, packed_size: int) -> None:
        self.limits = limits
        self.packed_size = packed_size
        self.files = 0
        self.total = 0

    def take_file(self, name: str, size: int) -> None:
        self.files += 1
        self.total += size
        limits = self.limits
        if self.files > limits.max_files:
            raise BadRequestError(f"Application package has more than {limits.max_files} files.")
        if self.total > limits.max_bytes:
            raise BadRequestError(
                f"Application package is too large: more than {limits.max_bytes} bytes "
                f"unpacked at entry '{name}'."
            )
        if self.total > max(self.packed_size * limits.max_ratio, RATIO_FREE_BYTES):
            raise BadRequestError(
                f"Application package unpacks to more than {limits.max_ratio:g} times its "
                f"{self.packed_size} uploaded bytes at entry '{name}' (a zip bomb?)."
            )


def _unstorable(c: str) -> bool:
    """Control characters, and those ZooKeeper refuses in node names."""
    code = ord(c)
    return code < 32 or code == 127 or 0xD800 <= code <= 0xF8FF or 0xFFF0 <= code <= 0xFFFF


def safe_name(raw: str) -> str | None:
    """Return the normalized relative path of an entry, None for a directory entry.

    Raises BadRequestError for absolute paths, ``..``, backslashes and control characters.
    """
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise BadRequestError(f"Application package entry '{raw}' has an absolute path.")
    if "\\" in raw or any(_unstorable(c) for c in raw):
        raise BadRequestError(
            f"Application package entry {raw!r} has a backslash, a control or a private-use "
            "character in its name."
        )
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise BadRequestError(f"Application package entry '{raw}' has '..' in its path.")
    if raw.endswith("/") or not parts:
        return None
    return "/".join(parts)


def _add(files: dict[str, bytes], name: str, data: bytes) -> None:
    if name in files:
        raise BadRequestError(f"Application package has entry '{name}' twice.")
    files[name] = data


_CORRUPT = (zipfile.BadZipFile, tarfile.TarError, zlib.error, NotImplementedError, OSError,
            EOFError, ValueError)  # fmt: skip
"""What the zip, tar and zlib readers raise on corrupt input (never our BadRequestError)."""


def _unzip(body: bytes, limits: ArchiveLimits) -> dict[str, bytes]:
    budget = _Budget(limits, len(body))
    files: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for info in archive.infolist():
                name = safe_name(info.filename)
                if stat.S_ISLNK(info.external_attr >> 16):
                    raise BadRequestError(
                        f"Application package entry '{info.filename}' is a symbolic link."
                    )
                if name is None or info.is_dir():
                    continue
                if info.flag_bits & ENCRYPTED:
                    raise BadRequestError(f"Application package entry '{name}' is encrypted.")
                budget.take_file(name, info.file_size)
                with archive.open(info) as entry:
                    data = entry.read(info.file_size + 1)
                if len(data) != info.file_size:
                    raise BadRequestError(
                        f"Application package entry '{name}' does not have its declared size."
                    )
                _add(files, name, data)
    except _CORRUPT as e:
        raise BadRequestError(f"Application package is not a valid zip file: {e}") from e
    return files


def _untar(body: bytes, limits: ArchiveLimits) -> dict[str, bytes]:
    budget = _Budget(limits, len(body))
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r|gz") as archive:
            for member in archive:
                name = safe_name(member.name)
                if member.issym() or member.islnk():
                    raise BadRequestError(f"Application package entry '{member.name}' is a link.")
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BadRequestError(
                        f"Application package entry '{member.name}' is not a regular file."
                    )
                if name is None:
                    continue
                budget.take_file(name, member.size)
                entry = archive.extractfile(member)
                assert entry is not None  # regular files always have data
                _add(files, name, entry.read())
    except _CORRUPT as e:
        raise BadRequestError(f"Application package is not a valid tar.gz file: {e}") from e
    return files


def _strip_single_root(files: dict[str, bytes]) -> dict[str, bytes]:
    """Root the package at its only top-level directory when services.xml is not at the top."""
    if "services.xml" in files or any("/" not in name for name in files):
        return files
    roots = {name.split("/", 1)[0] for name in files}
    if len(roots) != 1:
        return files
    return {name.split("/", 1)[1]: data for name, data in files.items()}


def unpack(body: bytes, content_type: str, limits: ArchiveLimits | None = None) -> dict[str, bytes]:
    """Unpack an uploaded package; ``content_type`` is application/zip or application/x-gzip.

    Returns package path → bytes. Raises BadRequestError for anything unsafe or malformed.
    """
    limits = limits or ArchiveLimits()
    if not body:
        raise BadRequestError("Request contains no data")
    if content_type == ZIP:
        files = _unzip(body, limits)
    elif content_type == TAR_GZ:
        files = _untar(body, limits)
    else:
        raise BadRequestError(
            f"Request contains invalid Content-Type header ({content_type}), "
            f"only '[{', '.join(SUPPORTED_TYPES)}]' are supported"
        )
    if not files:
        raise BadRequestError("Application package is empty.")
    _check_no_file_dir_clash(files)
    return _strip_single_root(files)


def _check_no_file_dir_clash(files: dict[str, bytes]) -> None:
    directories = {name.rsplit("/", 1)[0] for name in files if "/" in name}
    expanded = {d.rsplit("/", i)[0] for d in directories for i in range(d.count("/") + 1)}
    clash = sorted(expanded & files.keys())
    if clash:
        raise BadRequestError(
            f"Application package entry '{clash[0]}' is both a file and a directory."
        )
