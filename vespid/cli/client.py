"""The client verbs: ``vespid query``, ``document get|put|update|remove``, ``visit``, ``status``.

Each finds the container as the vespa CLI's local target does (the ``container``
services of serviceconverge, else http://localhost:8080), sends one request and prints
the answer. Each returns the process exit status.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from vespid.cli.configserver import ConfigServer
from vespid.cli.deploy import container_ready
from vespid.cli.errors import CliError
from vespid.cli.feedops import Operation, parse_operation

DEFAULT_TARGET = "http://localhost:8080"
DEFAULT_CONFIG_SERVER = "http://localhost:19071"

Out = Callable[[str], None]


def resolve_target(target: str | None, config_server: str) -> str:
    """The container base URL: ``target`` when it is a URL, else the first container found."""
    if target and target != "local":
        return target.rstrip("/")
    server = ConfigServer(config_server)
    try:
        state = server.convergence()
    finally:
        server.close()
    if state is not None and state.containers():
        return state.containers()[0].url
    return DEFAULT_TARGET


def query_params(args: Sequence[str]) -> dict[str, str]:
    """Split ``vespid query`` arguments into request parameters, as the vespa CLI does.

    An argument ``key=value`` whose key has no space is a parameter; anything else is
    the YQL.

    >>> query_params(['select * from music where year = 2001', 'hits=3'])
    {'yql': 'select * from music where year = 2001', 'hits': '3'}
    """
    params: dict[str, str] = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if sep and key and " " not in key:
            params[key] = value
        else:
            params["yql"] = arg
    return params


def _print_json(out: Out, data: Any) -> None:
    out(json.dumps(data, indent=4, ensure_ascii=False))


def _send(method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        return httpx.request(method, url, **kwargs)
    except httpx.HTTPError as e:
        raise CliError(f"Could not reach {url}: {e}") from e


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"message": response.text}


def query(target: str, args: Sequence[str], timeout: float, out: Out) -> int:
    """Run one query and print the JSON result; status 1 when the container answers an error."""
    params = query_params(args)
    if "yql" not in params and "query" not in params:
        raise CliError("Give a YQL query, e.g. vespid query 'select * from sources * where true'")
    response = _send("GET", target + "/search/", params=params, timeout=timeout)
    _print_json(out, _body(response))
    return 0 if response.status_code == 200 else 1


def _operation_from(kind: str, doc_id: str | None, file: Path | None) -> Operation:
    """The operation of ``vespid document put|update|remove [id] [file]``."""
    obj: dict[str, Any] = {}
    if file is not None:
        try:
            loaded = json.loads(file.read_text())
        except (OSError, ValueError) as e:
            raise CliError(f"Cannot read {file}: {e}") from e
        if not isinstance(loaded, dict):
            raise CliError(f"{file}: expected a JSON object")
        obj = loaded
    given_id = doc_id or obj.get(kind) or obj.get("id")
    if not given_id:
        raise CliError(f'No document id: give one, or put it in the file as "{kind}"')
    obj = {k: v for k, v in obj.items() if k not in ("put", "update", "remove", "id")}
    return parse_operation({**obj, kind: given_id}, str(file or "arguments"))


def document_write(
    target: str, kind: str, doc_id: str | None, file: Path | None, timeout: float, out: Out
) -> int:
    """``vespid document put|update|remove``: one write, reported like the vespa CLI."""
    operation = _operation_from(kind, doc_id, file)
    request = operation.request()
    response = _send(
        request.method,
        target + request.path,
        params=request.params,
        content=request.body,
        headers={"Content-Type": "application/json"},
        timeout=timeout,
    )
    if response.status_code == 200:
        out(f"Success: {kind} {operation.doc_id}")
        return 0
    _print_json(out, _body(response))
    return 1


def document_get(target: str, doc_id: str, timeout: float, out: Out) -> int:
    """``vespid document get``: print the document; status 1 when it is not found."""
    path = Operation("remove", doc_id).request().path
    response = _send("GET", target + path, timeout=timeout)
    _print_json(out, _body(response))
    return 0 if response.status_code == 200 else 1


def visit(
    target: str,
    params: dict[str, str],
    timeout: float,
    out: Out,
) -> int:
    """``vespid visit``: print every document, one JSON object a line, following continuations.

    ``params`` are /document/v1 visit parameters (``cluster``, ``selection``,
    ``fieldSet``, ``wantedDocumentCount``).
    """
    continuation: str | None = None
    while True:
        page = dict(params, continuation=continuation) if continuation else params
        response = _send("GET", target + "/document/v1/", params=page, timeout=timeout)
        body = _body(response)
        if response.status_code != 200:
            _print_json(out, body)
            return 1
        for document in body.get("documents", []):
            out(json.dumps(document, ensure_ascii=False))
        continuation = body.get("continuation")
        if not continuation:
            return 0


def status(config_server_url: str, target: str | None, out: Out) -> int:
    """``vespid status``: config server health, convergence, and whether containers answer."""
    server = ConfigServer(config_server_url)
    try:
        if not server.healthy():
            out(f"Config server at {server.url} is not ready")
            return 1
        out(f"Config server at {server.url} is ready")
        state = server.convergence()
    finally:
        server.close()
    if state is None:
        out("No application is deployed")
        return 1
    verdict = "converged" if state.converged else "not converged yet"
    out(f"Application at generation {state.wanted_generation}: {verdict}")
    for service in state.services:
        out(
            f"  {service.type} {service.cluster} at {service.url}: "
            f"generation {service.current_generation}"
        )
    urls = [target.rstrip("/")] if target else [c.url for c in state.containers()]
    ready = True
    for url in urls:
        ok = container_ready(url)
        ready = ready and ok
        out(f"Container at {url} is {'ready' if ok else 'not ready'}")
    return 0 if ready and state.converged else 1
