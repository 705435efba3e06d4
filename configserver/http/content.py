"""Package content endpoints: read, write and delete files of a session before prepare,
and read the files of an application's active session.

``GET …/content/{dir}/`` lists the directory as URLs (directories end in ``/``;
``?recursive=true`` lists the whole subtree), ``GET …/content/{file}`` returns the
file's bytes; ``PUT`` with a body writes a file, ``DELETE`` removes one; both answer
``{"prepared": <the session's prepare URL>}`` as Vespa's ContentHandler does.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from configserver.errors import BadRequestError, NotFoundError
from configserver.http.applications import INSTANCE_SUFFIX
from configserver.http.archive import safe_name
from configserver.http.deploy import TENANT_PREFIX, DeployOptions, base_url, checked_name
from configserver.http.responses import json_response
from configserver.http.upload import read_body
from configserver.session import SessionManager


def list_directory(files: Mapping[str, bytes], directory: str, recursive: bool) -> list[str]:
    """Return the entries under ``directory`` ("" or "a/b/"), directories ending in "/"."""
    entries: set[str] = set()
    for name in files:
        if not name.startswith(directory):
            continue
        parts = name[len(directory) :].split("/")
        depth = len(parts) if recursive else 1
        for i in range(1, min(depth, len(parts) - 1) + 1):
            entries.add(directory + "/".join(parts[:i]) + "/")
        if recursive or len(parts) == 1:
            entries.add(name)
    return sorted(entries)


def _content_response(request: Request, files: Mapping[str, bytes], raw_path: str) -> Response:
    """Answer a GET for ``raw_path`` within ``files``."""
    url_base = str(request.url.replace(query="")).removesuffix(raw_path)
    path = safe_name(raw_path.rstrip("/")) or ""
    if path in files and not raw_path.endswith("/"):
        return Response(files[path], media_type="application/octet-stream")
    directory = path + "/" if path else ""
    if directory and not any(name.startswith(directory) for name in files):
        raise NotFoundError(f"No file or directory '{raw_path}' in the application package.")
    if directory and not raw_path.endswith("/"):
        return json_response([url_base + directory])
    recursive = request.query_params.get("recursive", "false").lower() == "true"
    return json_response([url_base + e for e in list_directory(files, directory, recursive)])


def content_routes(manager: SessionManager, options: DeployOptions) -> list[Route]:
    """Return the session and application content routes."""

    def session_of(request: Request) -> tuple[str, int, str]:
        tenant = checked_name(request.path_params["tenant"], "tenant")
        return tenant, request.path_params["session_id"], request.path_params["path"]

    async def session_content(request: Request) -> Response:
        tenant, session_id, raw_path = session_of(request)
        if request.method == "GET":
            files = await run_in_threadpool(manager.files, tenant, session_id)
            return _content_response(request, files, raw_path)
        path = safe_name(raw_path)
        if path is None and request.method == "DELETE":
            raise BadRequestError("Give the path of a file to delete.")
        if path is not None:
            data = None
            if request.method == "PUT":
                data = await read_body(request, options.max_body_bytes)
                if not data:
                    raise BadRequestError("Request must contain body when creating a file")
            await run_in_threadpool(manager.write_file, tenant, session_id, path, data)
        prepared = f"{base_url(request)}/application/v2/tenant/{tenant}/session/{session_id}"
        return json_response({"prepared": prepared + "/prepared"})

    async def application_content(request: Request) -> Response:
        tenant = checked_name(request.path_params["tenant"], "tenant")
        application = checked_name(request.path_params["application"], "application")
        active = await run_in_threadpool(manager.active_generation, tenant, application)
        if active is None:
            raise NotFoundError(f"Application '{tenant}.{application}' has no active session.")
        files = await run_in_threadpool(manager.files, tenant, active)
        return _content_response(request, files, request.path_params["path"])

    session = TENANT_PREFIX + "/session/{session_id:int}/content/{path:path}"
    application = TENANT_PREFIX + "/application/{application}" + INSTANCE_SUFFIX
    return [
        Route(session, session_content, methods=["GET", "PUT", "DELETE"]),
        Route(application + "/content/{path:path}", application_content, methods=["GET"]),
    ]
