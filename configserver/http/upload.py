"""Reading a deploy request's body: raw zip / tar.gz, or multipart with prepareParams.

The vespa CLI and pyvespa post the package as the raw body (``application/zip``);
Vespa's multipart form carries a ``prepareParams`` JSON part and an
``applicationPackage`` part. The body is read with a size limit before anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from configserver.errors import BadRequestError
from configserver.http.archive import TAR_GZ, ZIP, ArchiveLimits, unpack

MULTIPART = "multipart/form-data"
_PARAM = re.compile(r';\s*([A-Za-z0-9_-]+)="?([^";]*)"?')


@dataclass(frozen=True, slots=True)
class Upload:
    """An unpacked package and the prepare parameters sent with it."""

    files: dict[str, bytes]
    params: dict[str, Any] = field(default_factory=dict)


async def read_body(request: Request, max_bytes: int) -> bytes:
    """Return the request body; BadRequestError when it exceeds ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BadRequestError(f"Request body is larger than the limit of {max_bytes} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(header: str) -> tuple[str, dict[str, str]]:
    media_type = header.split(";", 1)[0].strip().lower()
    return media_type, {k.lower(): v for k, v in _PARAM.findall(header)}


def split_multipart(body: bytes, boundary: str) -> dict[str, tuple[str, bytes]]:
    """Return form part name → (content type, bytes) of a multipart/form-data body."""
    delimiter = b"--" + boundary.encode()
    parts: dict[str, tuple[str, bytes]] = {}
    for raw in body.split(delimiter)[1:]:
        if raw.startswith(b"--"):
            break
        head, sep, content = raw.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise BadRequestError("Malformed multipart body: a part has no header end.")
        headers: dict[str, str] = {}
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        _, disposition = _media_type(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            raise BadRequestError("Malformed multipart body: a part has no name.")
        content_type = _media_type(headers.get("content-type", ""))[0]
        parts[name] = (content_type, content.removesuffix(b"\r\n"))
    return parts


def _from_multipart(body: bytes, params: dict[str, str], limits: ArchiveLimits) -> Upload:
    boundary = params.get("boundary")
    if not boundary:
        raise BadRequestError("Multipart request has no boundary parameter.")
    parts = split_multipart(body, boundary)
    if "applicationPackage" not in parts:
        raise BadRequestError("Multipart request has no 'applicationPackage' part.")
    prepare_params: dict[str, Any] = {}
    if "prepareParams" in parts:
        try:
            prepare_params = orjson.loads(parts["prepareParams"][1])
        except orjson.JSONDecodeError as e:
            raise BadRequestError(f"prepareParams is not valid JSON: {e}") from e
        if not isinstance(prepare_params, dict):
            raise BadRequestError("prepareParams must be a JSON object.")
    package_type, package = parts["applicationPackage"]
    if package_type in ("", "application/octet-stream"):
        package_type = _sniff(package)
    return Upload(unpack(package, package_type, limits), prepare_params)


def _sniff(package: bytes) -> str:
    """Tell a zip from a gzip by its magic bytes (curl -F sends application/octet-stream)."""
    if package.startswith(b"\x1f\x8b"):
        return TAR_GZ
    return ZIP


async def read_upload(request: Request, limits: ArchiveLimits, max_body: int) -> Upload:
    """Read and unpack the package a deploy request carries."""
    header = request.headers.get("content-type")
    if header is None:
        raise BadRequestError("Request contains no Content-Type header")
    media_type, params = _media_type(header)
    body = await read_body(request, max_body)
    if not body:
        raise BadRequestError("Request contains no data")
    if media_type == MULTIPART:
        return await run_in_threadpool(_from_multipart, body, params, limits)
    return Upload(await run_in_threadpool(unpack, body, media_type, limits))
