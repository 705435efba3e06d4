"""Vespa's /application/v2 deploy API end to end, over HTTP to a real config server.

One ``vespid up`` (the ``instance`` fixture: a config server with its embedded ZooKeeper,
the node agent and the sample's container and content node) serves every test. The
sample is the application ``default``, the one the node agent runs; the other tests
deploy under other application names (``?applicationName=``), which no service follows,
so they never restart a service. The last test SIGKILLs the config server and restarts
it with ``vespid up`` on the same home.

Answers are checked against shared/conformance/WIRE.md "Deploy API": status codes, key
order where Vespa's is fixed, ``session-id`` as a string, URLs built from the address
the client used, and ``{"error-code", "message"}`` errors. Three config servers sharing
one ensemble (deploy through one, read through the others, SIGKILL one) are covered with
real processes by tests/e2e/test_config_servers.py and
tests/integration/configserver/test_zk_process.py.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import signal
import tarfile
import time
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import orjson
import pytest

from tests.e2e.harness import SAMPLE, Instance, run_vespid

pytestmark = [pytest.mark.e2e, pytest.mark.zookeeper, pytest.mark.timeout(240)]

ZIP = "application/zip"
TAR_GZ = "application/x-gzip"
NO_CHANGE_ACTIONS: dict[str, list[Any]] = {"restart": [], "refeed": [], "reindex": []}
LONG_FORM = "/environment/prod/region/default/instance/default"
T = TypeVar("T")

AUTHOR_SD = b"""schema author {
    document author {
        field name type string {
            indexing: summary | index
        }
    }
}
"""


# --- packages ------------------------------------------------------------------------


def _package(instance: Instance, *, author: bool = False) -> dict[str, bytes]:
    """The sample's services.xml and schema (container on the instance's port), in memory."""
    services = (SAMPLE / "services.xml").read_text()
    services = services.replace('port="8080"', f'port="{instance.container_port}"')
    files = {
        "services.xml": services.encode(),
        "schemas/book.sd": (SAMPLE / "schemas" / "book.sd").read_bytes(),
    }
    if author:
        book = '<document type="book" mode="index"/>'
        both = book + '\n            <document type="author" mode="index"/>'
        files["services.xml"] = services.replace(book, both).encode()
        files["schemas/author.sd"] = AUTHOR_SD
    return files


def _with_fast_search_year(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """``files`` with the book's ``year`` attribute made fast-search (a restart action)."""
    book = files["schemas/book.sd"].decode()
    old = "field year type int {\n            indexing: summary | attribute\n"
    assert old in book
    new = old + "            attribute: fast-search\n"
    return {**files, "schemas/book.sd": book.replace(old, new).encode()}


def _with_long_year(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """``files`` with the book's ``year`` changed from int to long (a re-feed, blocked)."""
    book = files["schemas/book.sd"].decode()
    assert "field year type int {" in book
    return {
        **files,
        "schemas/book.sd": book.replace("field year type int {", "field year type long {").encode(),
    }


def _overrides(validation_id: str, days_ahead: int) -> bytes:
    until = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=days_ahead)
    return (
        f'<validation-overrides>\n  <allow until="{until}">{validation_id}</allow>\n'
        "</validation-overrides>\n"
    ).encode()


def _zip(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar_gz(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# --- HTTP ----------------------------------------------------------------------------


def _tenant_url(instance: Instance, tenant: str = "default") -> str:
    return f"{instance.config_server}/application/v2/tenant/{tenant}"


def _app_url(instance: Instance, application: str, tenant: str = "default") -> str:
    """The long-form application URL, as the deploy answers give it."""
    return f"{_tenant_url(instance, tenant)}/application/{application}{LONG_FORM}"


def _session_url(instance: Instance, session_id: int | str, tenant: str = "default") -> str:
    return f"{_tenant_url(instance, tenant)}/session/{session_id}"


def _json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/json"), response.headers
    return response.json()


def _error(response: httpx.Response, status: int, code: str) -> str:
    """Assert Vespa's error JSON with ``status`` and ``code``; return its message."""
    body = _json(response, status)
    assert list(body) == ["error-code", "message"], body
    assert body["error-code"] == code, body
    message: str = body["message"]
    return message


def _deploy(
    instance: Instance,
    files: Mapping[str, bytes],
    application: str,
    *,
    tenant: str = "default",
    content_type: str = ZIP,
) -> httpx.Response:
    """POST prepareandactivate with the package as the raw body."""
    body = _zip(files) if content_type == ZIP else _tar_gz(files)
    return httpx.post(
        f"{_tenant_url(instance, tenant)}/prepareandactivate",
        params={"applicationName": application},
        content=body,
        headers={"Content-Type": content_type},
        timeout=60,
    )


def _deployed(instance: Instance, files: Mapping[str, bytes], application: str) -> int:
    """Deploy (expecting 200) and return the new generation."""
    return int(_json(_deploy(instance, files, application))["session-id"])


def _create_session(
    instance: Instance, files: Mapping[str, bytes], application: str, content_type: str = ZIP
) -> int:
    body = _zip(files) if content_type == ZIP else _tar_gz(files)
    response = httpx.post(
        _tenant_url(instance) + "/session",
        params={"applicationName": application},
        content=body,
        headers={"Content-Type": content_type},
        timeout=60,
    )
    return _check_created(instance, response)


def _check_created(instance: Instance, response: httpx.Response) -> int:
    body = _json(response)
    assert list(body) == ["log", "tenant", "session-id", "prepared", "content", "message"]
    session_id = body["session-id"]
    assert isinstance(session_id, str), body
    assert session_id.isdigit(), body
    url = _session_url(instance, session_id)
    assert body == {
        "log": [],
        "tenant": "default",
        "session-id": session_id,
        "prepared": url + "/prepared",
        "content": url + "/content/",
        "message": f"Session {session_id} for tenant 'default' created.",
    }
    return int(session_id)


def _prepare(instance: Instance, session_id: int) -> dict[str, Any]:
    body: dict[str, Any] = _json(
        httpx.put(_session_url(instance, session_id) + "/prepared", timeout=60)
    )
    assert list(body) == [
        "log",
        "tenant",
        "session-id",
        "activate",
        "message",
        "configChangeActions",
    ]
    assert body["session-id"] == str(session_id)
    assert body["tenant"] == "default"
    assert body["activate"] == _session_url(instance, session_id) + "/active"
    assert body["message"] == f"Session {session_id} for tenant 'default' prepared."
    assert set(body["configChangeActions"]) == set(NO_CHANGE_ACTIONS)
    for entry in body["log"]:
        assert list(entry) == ["time", "level", "message"], entry
        assert isinstance(entry["time"], int)
    return body


def _activate(instance: Instance, session_id: int) -> httpx.Response:
    return httpx.put(_session_url(instance, session_id) + "/active", timeout=60)


def _generation(instance: Instance, application: str) -> int:
    body = _json(httpx.get(_app_url(instance, application), timeout=10))
    generation: int = body["generation"]
    return generation


# --- liveness, status, errors --------------------------------------------------------


def test_status_endpoints_answer_as_clients_poll_them(instance: Instance) -> None:
    status = httpx.get(instance.config_server + "/status.html", timeout=10)
    assert status.status_code == 200
    assert status.headers["content-type"].startswith("text/html")

    application_status = httpx.get(instance.config_server + "/ApplicationStatus", timeout=10)
    assert _json(application_status)["application"]["vespa"]["version"].startswith("8.")
    assert httpx.head(instance.config_server + "/ApplicationStatus", timeout=10).status_code == 200

    health = httpx.get(instance.config_server + "/state/v1/health", timeout=10)
    assert _json(health)["status"]["code"] == "up"
    assert '"code" : "up"' in health.text  # pretty, as READMEs grep for it

    version = _json(httpx.get(instance.config_server + "/state/v1/version", timeout=10))
    assert version["version"].startswith("8.")


def test_unknown_paths_and_wrong_methods_answer_vespa_error_json(instance: Instance) -> None:
    unknown = httpx.get(instance.config_server + "/application/v2/no-such-thing", timeout=10)
    message = _error(unknown, 404, "NOT_FOUND")
    assert message == "Nothing at path '/application/v2/no-such-thing'"

    wrong = httpx.get(_tenant_url(instance) + "/prepareandactivate", timeout=10)
    assert _error(wrong, 405, "METHOD_NOT_ALLOWED") == "Method 'GET' is not supported"
    wrong = httpx.post(_session_url(instance, 1) + "/active", timeout=10)
    assert _error(wrong, 405, "METHOD_NOT_ALLOWED") == "Method 'POST' is not supported"
    wrong = httpx.delete(instance.config_server + "/application/v2/tenant/", timeout=10)
    assert _error(wrong, 405, "METHOD_NOT_ALLOWED") == "Method 'DELETE' is not supported"

    missing = httpx.get(_session_url(instance, 987654) + "/prepared", timeout=10)
    assert "987654" in _error(missing, 404, "NOT_FOUND")
    missing = httpx.get(_app_url(instance, "never-deployed"), timeout=10)
    _error(missing, 404, "NOT_FOUND")

    url = _tenant_url(instance) + "/prepareandactivate"
    no_type = httpx.post(url, content=b"x", timeout=10)
    assert _error(no_type, 400, "BAD_REQUEST") == "Request contains no Content-Type header"
    no_data = httpx.post(url, headers={"Content-Type": ZIP}, timeout=10)
    assert _error(no_data, 400, "BAD_REQUEST") == "Request contains no data"
    bad_type = httpx.post(url, content=b"x", headers={"Content-Type": "text/plain"}, timeout=10)
    assert _error(bad_type, 400, "BAD_REQUEST") == (
        "Request contains invalid Content-Type header (text/plain), "
        "only '[application/zip, application/x-gzip]' are supported"
    )


# --- tenants -------------------------------------------------------------------------


def test_tenants_create_get_list_delete(instance: Instance) -> None:
    tenants = instance.config_server + "/application/v2/tenant/"
    assert "default" in _json(httpx.get(tenants, timeout=10))["tenants"]
    assert _json(httpx.get(_tenant_url(instance), timeout=10)) == {
        "message": "Tenant 'default' exists."
    }

    url = _tenant_url(instance, "e2e-tenant")
    _error(httpx.get(url, timeout=10), 404, "NOT_FOUND")
    assert _json(httpx.put(url, timeout=10)) == {"message": "Tenant e2e-tenant created."}
    assert "already exists" in _error(httpx.put(url, timeout=10), 400, "BAD_REQUEST")
    assert _json(httpx.get(url, timeout=10)) == {"message": "Tenant 'e2e-tenant' exists."}
    assert sorted(_json(httpx.get(tenants, timeout=10))["tenants"]) == ["default", "e2e-tenant"]

    # A tenant with an active application cannot be deleted; once it has none, it can.
    deployed = _json(_deploy(instance, _package(instance), "app", tenant="e2e-tenant"))
    assert deployed["tenant"] == "e2e-tenant"
    assert deployed["url"] == _app_url(instance, "app", tenant="e2e-tenant")
    refused = _error(httpx.delete(url, timeout=10), 400, "BAD_REQUEST")
    assert "e2e-tenant.app" in refused
    _json(httpx.delete(f"{url}/application/app", timeout=10))
    assert _json(httpx.delete(url, timeout=10)) == {"message": "Tenant e2e-tenant deleted."}
    _error(httpx.get(url, timeout=10), 404, "NOT_FOUND")
    assert "e2e-tenant" not in _json(httpx.get(tenants, timeout=10))["tenants"]


# --- sessions ------------------------------------------------------------------------


def test_session_lifecycle_content_prepared_and_active(instance: Instance) -> None:
    files = _package(instance)
    session_id = _create_session(instance, files, "lifecycle")
    session = _session_url(instance, session_id)
    content = session + "/content/"

    # Content before prepare: list, read, write, delete.
    assert _json(httpx.get(content, timeout=10)) == [content + "schemas/", content + "services.xml"]
    recursive = _json(httpx.get(content, params={"recursive": "true"}, timeout=10))
    assert recursive == [
        content + "schemas/",
        content + "schemas/book.sd",
        content + "services.xml",
    ]
    assert _json(httpx.get(content + "schemas/", timeout=10)) == [content + "schemas/book.sd"]
    services = httpx.get(content + "services.xml", timeout=10)
    assert services.status_code == 200
    assert services.content == files["services.xml"]
    _error(httpx.get(content + "nothing.xml", timeout=10), 404, "NOT_FOUND")

    written = httpx.put(content + "notes/readme.txt", content=b"deployed by e2e", timeout=10)
    assert _json(written) == {"prepared": session + "/prepared"}
    assert httpx.get(content + "notes/readme.txt", timeout=10).content == b"deployed by e2e"
    empty = httpx.put(content + "notes/empty.txt", timeout=10)
    assert "must contain body" in _error(empty, 400, "BAD_REQUEST")
    assert _json(httpx.delete(content + "notes/readme.txt", timeout=10)) == {
        "prepared": session + "/prepared"
    }
    _error(httpx.get(content + "notes/readme.txt", timeout=10), 404, "NOT_FOUND")
    _error(httpx.delete(content + "notes/readme.txt", timeout=10), 404, "NOT_FOUND")
    # The schema goes through content PUT: what is prepared is what was written.
    changed = _with_fast_search_year(files)["schemas/book.sd"]
    _json(httpx.put(content + "schemas/book.sd", content=changed, timeout=10))

    # Neither the prepare answer nor activation exists before prepare.
    _error(httpx.get(session + "/prepared", timeout=10), 412, "PRECONDITION_FAILED")
    _error(_activate(instance, session_id), 412, "PRECONDITION_FAILED")

    prepared = _prepare(instance, session_id)
    assert prepared["configChangeActions"] == NO_CHANGE_ACTIONS  # the first deploy
    assert _json(httpx.get(session + "/prepared", timeout=10)) == prepared

    # After prepare the content is read-only.
    _error(httpx.put(content + "x.txt", content=b"late", timeout=10), 412, "PRECONDITION_FAILED")
    _error(httpx.delete(content + "schemas/book.sd", timeout=10), 412, "PRECONDITION_FAILED")
    assert httpx.get(content + "schemas/book.sd", timeout=10).content == changed

    active = _json(_activate(instance, session_id))
    assert list(active) == ["tenant", "session-id", "message", "url"]
    assert active == {
        "tenant": "default",
        "session-id": str(session_id),
        "message": f"Session {session_id} for tenant 'default' activated.",
        "url": _app_url(instance, "lifecycle"),
    }
    assert "already active" in _error(_activate(instance, session_id), 400, "BAD_REQUEST")
    assert _generation(instance, "lifecycle") == session_id
    app_content = _app_url(instance, "lifecycle") + "/content/"
    assert httpx.get(app_content + "schemas/book.sd", timeout=10).content == changed


def test_session_from_tar_gz(instance: Instance) -> None:
    files = _package(instance)
    session_id = _create_session(instance, files, "tarball", content_type=TAR_GZ)
    content = _session_url(instance, session_id) + "/content/"
    assert httpx.get(content + "schemas/book.sd", timeout=10).content == files["schemas/book.sd"]
    _prepare(instance, session_id)
    _json(_activate(instance, session_id))
    assert _generation(instance, "tarball") == session_id


def test_session_from_an_active_application_and_its_change_actions(instance: Instance) -> None:
    files = _package(instance)
    base = _deployed(instance, files, "cloned")
    source = _app_url(instance, "cloned")
    response = httpx.post(_tenant_url(instance) + "/session", params={"from": source}, timeout=60)
    session_id = _check_created(instance, response)
    assert session_id > base
    content = _session_url(instance, session_id) + "/content/"
    assert httpx.get(content + "services.xml", timeout=10).content == files["services.xml"]

    # Change the clone, then prepare: a restart action and its warning in the log.
    changed = _with_fast_search_year(files)["schemas/book.sd"]
    _json(httpx.put(content + "schemas/book.sd", content=changed, timeout=10))
    prepared = _prepare(instance, session_id)
    actions = prepared["configChangeActions"]
    assert actions["refeed"] == []
    assert actions["reindex"] == []
    [restart] = actions["restart"]
    assert restart["clusterName"] == "books"
    assert restart["clusterType"] == "content"
    assert restart["serviceType"] == "searchnode"
    assert restart["messages"] == [
        "Document type 'book': Field 'year' changed: add attribute 'fast-search'"
    ]
    assert [s["serviceName"] for s in restart["services"]] == ["searchnode0"]
    warnings = [e["message"] for e in prepared["log"] if e["level"] == "WARNING"]
    assert any(
        w.startswith("Change(s) between active and new application that require restart")
        for w in warnings
    )

    # Activated through the newer prepareandactivate/{id} form.
    activated = httpx.put(f"{_tenant_url(instance)}/prepareandactivate/{session_id}", timeout=60)
    assert _json(activated) == {
        "message": f"Session {session_id} for default.cloned.default activated"
    }
    assert _generation(instance, "cloned") == session_id

    not_an_application = httpx.post(
        _tenant_url(instance) + "/session",
        params={"from": instance.config_server + "/x"},
        timeout=10,
    )
    _error(not_an_application, 400, "BAD_REQUEST")
    never = httpx.post(
        _tenant_url(instance) + "/session",
        params={"from": _app_url(instance, "never-deployed")},
        timeout=10,
    )
    _error(never, 404, "NOT_FOUND")


# --- prepareandactivate and applications ---------------------------------------------


def _check_deployed(instance: Instance, response: httpx.Response, application: str) -> int:
    body = _json(response)
    assert list(body) == [
        "log", "message", "session-id", "activated", "tenant", "url", "configChangeActions",
    ]  # fmt: skip
    session_id = body["session-id"]
    assert isinstance(session_id, str), body
    assert session_id.isdigit(), body
    assert body["message"] == f"Session {session_id} for tenant 'default' prepared and activated."
    assert body["activated"] is True
    assert body["tenant"] == "default"
    assert body["url"] == _app_url(instance, application)
    assert body["configChangeActions"] == NO_CHANGE_ACTIONS
    assert _generation(instance, application) == int(session_id)
    return int(session_id)


def test_prepareandactivate_zip_tar_gz_and_multipart(instance: Instance) -> None:
    files = _package(instance)
    first = _check_deployed(instance, _deploy(instance, files, "pa"), "pa")
    second = _check_deployed(instance, _deploy(instance, files, "pa", content_type=TAR_GZ), "pa")
    assert second > first

    multipart = httpx.post(
        _tenant_url(instance) + "/prepareandactivate",
        files={
            "prepareParams": (None, orjson.dumps({"applicationName": "pa"}), "application/json"),
            "applicationPackage": ("app.zip", _zip(files), ZIP),
        },
        timeout=60,
    )
    third = _check_deployed(instance, multipart, "pa")
    assert third > second
    assert (
        httpx.get(_app_url(instance, "pa") + "/content/services.xml", timeout=10).content
        == (files["services.xml"])
    )


def test_application_list_get_content_and_delete_in_both_forms(instance: Instance) -> None:
    files = _package(instance)
    plain_gen = _deployed(instance, files, "plain")
    long_gen = _deployed(instance, files, "long")
    tenant = _tenant_url(instance)

    listed = _json(httpx.get(tenant + "/application/", timeout=10))
    assert {_app_url(instance, "plain"), _app_url(instance, "long")} <= set(listed)
    assert _json(httpx.get(tenant + "/application", timeout=10)) == listed

    expected = {
        "generation": plain_gen,
        "applicationPackageFileReference": f"session-{plain_gen}",
        "modelVersions": ["8.0.0"],
    }
    assert _json(httpx.get(tenant + "/application/plain", timeout=10)) == expected
    assert _json(httpx.get(_app_url(instance, "plain"), timeout=10)) == expected
    assert _generation(instance, "long") == long_gen

    content = _app_url(instance, "plain") + "/content/"
    assert _json(httpx.get(content, timeout=10)) == [content + "schemas/", content + "services.xml"]
    assert _json(httpx.get(content + "schemas", timeout=10)) == [content + "schemas/"]
    assert httpx.get(content + "schemas/book.sd", timeout=10).content == files["schemas/book.sd"]
    _error(httpx.get(content + "missing.txt", timeout=10), 404, "NOT_FOUND")

    deleted = httpx.delete(tenant + "/application/plain", timeout=10)
    assert _json(deleted) == {"message": "Application 'default.plain' deleted"}
    deleted = httpx.delete(_app_url(instance, "long"), timeout=10)
    assert _json(deleted) == {"message": "Application 'default.long' deleted"}
    for application in ("plain", "long"):
        _error(httpx.get(_app_url(instance, application), timeout=10), 404, "NOT_FOUND")
        _error(httpx.delete(_app_url(instance, application), timeout=10), 404, "NOT_FOUND")
    listed = _json(httpx.get(tenant + "/application/", timeout=10))
    assert not {_app_url(instance, "plain"), _app_url(instance, "long")} & set(listed)
    # What serves is untouched.
    assert _generation(instance, "default") >= 1


def test_serviceconverge_reports_the_running_services(instance: Instance) -> None:
    url = _app_url(instance, "default") + "/serviceconverge"
    body = _eventually(lambda: _converged(url), "the default application to converge")
    assert list(body) == ["services", "url", "currentGeneration", "wantedGeneration", "converged"]
    generation = _generation(instance, "default")
    assert body["url"] == url
    assert body["currentGeneration"] == body["wantedGeneration"] == generation
    assert {s["type"] for s in body["services"]} == {"container", "content"}
    for service in body["services"]:
        assert list(service) == ["clusterName", "host", "port", "type", "url", "currentGeneration"]
        assert service["url"] == f"{url}/{service['host']}:{service['port']}"
        assert service["currentGeneration"] == generation
    [container] = [s for s in body["services"] if s["type"] == "container"]
    assert container["port"] == instance.container_port
    assert container["clusterName"] == "default"

    one = _json(httpx.get(container["url"], timeout=10))
    assert one == {
        "url": container["url"],
        "host": container["host"],
        "port": container["port"],
        "currentGeneration": generation,
        "wantedGeneration": generation,
        "converged": True,
    }
    _error(httpx.get(url + "/nowhere:1", timeout=10), 404, "NOT_FOUND")
    _error(
        httpx.get(_app_url(instance, "never-deployed") + "/serviceconverge", timeout=10),
        404,
        "NOT_FOUND",
    )


def _converged(url: str) -> dict[str, Any] | None:
    body: dict[str, Any] = _json(httpx.get(url, timeout=10))
    return body if body["converged"] else None


def _eventually(check: Callable[[], T | None], what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.TransportError):
            result = check()
            if result is not None:
                return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


# --- change validation ---------------------------------------------------------------


def test_removing_a_document_type_needs_a_validation_override(instance: Instance) -> None:
    active = _deployed(instance, _package(instance, author=True), "overrides")
    without_author = _package(instance)

    refused = _error(
        _deploy(instance, without_author, "overrides"), 400, "INVALID_APPLICATION_PACKAGE"
    )
    assert "content-type-removal" in refused
    assert "Schema 'author' is removed in content cluster 'books'" in refused
    assert "To allow this add <allow until=" in refused
    empty = {**without_author, "validation-overrides.xml": b""}  # as pyvespa writes it
    _error(_deploy(instance, empty, "overrides"), 400, "INVALID_APPLICATION_PACKAGE")
    too_far = {**without_author, "validation-overrides.xml": _overrides("content-type-removal", 31)}
    message = _error(_deploy(instance, too_far, "overrides"), 400, "INVALID_APPLICATION_PACKAGE")
    assert "too far in the future: max 30 days is allowed" in message
    other_id = {**without_author, "validation-overrides.xml": _overrides("field-type-change", 7)}
    _error(_deploy(instance, other_id, "overrides"), 400, "INVALID_APPLICATION_PACKAGE")
    assert _generation(instance, "overrides") == active  # refusals change nothing

    # Through the session API: refused at prepare, allowed once the override is written.
    session_id = _create_session(instance, without_author, "overrides")
    prepare = httpx.put(_session_url(instance, session_id) + "/prepared", timeout=60)
    assert "content-type-removal" in _error(prepare, 400, "INVALID_APPLICATION_PACKAGE")
    overrides_url = _session_url(instance, session_id) + "/content/validation-overrides.xml"
    _json(httpx.put(overrides_url, content=_overrides("content-type-removal", 7), timeout=10))
    _prepare(instance, session_id)
    _json(_activate(instance, session_id))
    assert _generation(instance, "overrides") == session_id

    # A re-feed is blocked the same way; allowed, it is reported as a refeed action.
    long_year = _with_long_year(without_author)
    refused = _error(_deploy(instance, long_year, "overrides"), 400, "INVALID_APPLICATION_PACKAGE")
    assert "field-type-change" in refused
    allowed = {**long_year, "validation-overrides.xml": _overrides("field-type-change", 30)}
    body = _json(_deploy(instance, allowed, "overrides"))
    [refeed] = body["configChangeActions"]["refeed"]
    assert refeed["name"] == "field-type-change"
    assert refeed["documentType"] == "book"
    assert refeed["messages"] == [
        "Document type 'book': Field 'year' changed: data type: 'int' -> 'long'"
    ]
    assert any("require re-feed" in e["message"] for e in body["log"] if e["level"] == "WARNING")


# --- concurrent activation -----------------------------------------------------------


def test_activation_conflict_between_sessions_of_one_generation(instance: Instance) -> None:
    files = _package(instance)
    base = _deployed(instance, files, "race")
    first = _create_session(instance, files, "race")
    second = _create_session(instance, files, "race")
    _prepare(instance, first)
    _prepare(instance, second)
    _json(_activate(instance, first))
    message = _error(_activate(instance, second), 409, "ACTIVATION_CONFLICT")
    assert (
        f"currently active session ({first}) has changed since session {second} was created"
        in message
    )
    assert f"(was {base} at creation time)" in message
    assert _generation(instance, "race") == first

    # Both activations at once: exactly one wins.
    pair = [_create_session(instance, files, "race") for _ in range(2)]
    for session_id in pair:
        _prepare(instance, session_id)
    with ThreadPoolExecutor(len(pair)) as pool:
        answers = dict(zip(pair, pool.map(lambda s: _activate(instance, s), pair), strict=True))
    assert sorted(answers[s].status_code for s in pair) == [200, 409]
    [winner] = [s for s in pair if answers[s].status_code == 200]
    [loser] = [s for s in pair if s != winner]
    _error(answers[loser], 409, "ACTIVATION_CONFLICT")
    assert _generation(instance, "race") == winner


# --- SIGKILL and restart -------------------------------------------------------------


def test_sigkilled_config_server_restarts_with_sessions_and_active_applications(
    instance: Instance,
) -> None:
    files = _package(instance)
    active = _deployed(instance, files, "survivor")
    prepared_id = _create_session(instance, _with_fast_search_year(files), "survivor")
    prepared = _prepare(instance, prepared_id)
    new_id = _create_session(instance, files, "survivor")
    default_generation = _generation(instance, "default")

    pid = int((instance.home / "run" / "configserver.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    _eventually(lambda: _gone(instance), "the killed config server to stop answering", timeout=20)

    up = run_vespid("up", *instance.up_args())
    assert up.returncode == 0, up.stdout + up.stderr
    new_pid = int((instance.home / "run" / "configserver.pid").read_text().split()[0])
    assert new_pid != pid

    assert _generation(instance, "survivor") == active
    assert _generation(instance, "default") == default_generation
    assert (
        _json(httpx.get(_session_url(instance, prepared_id) + "/prepared", timeout=10)) == prepared
    )
    content = _session_url(instance, new_id) + "/content/services.xml"
    assert httpx.get(content, timeout=10).content == files["services.xml"]
    _prepare(instance, new_id)  # a new session is still new, and can be prepared
    _json(_activate(instance, prepared_id))  # the prepared one can still be activated
    assert _generation(instance, "survivor") == prepared_id
    _error(_activate(instance, new_id), 409, "ACTIVATION_CONFLICT")
    later = _create_session(instance, files, "survivor")
    assert later > new_id  # the session counter survived
    url = _app_url(instance, "default") + "/serviceconverge"
    _eventually(lambda: _converged(url), "the services to be seen converged again")


def _gone(instance: Instance) -> bool | None:
    try:
        httpx.get(instance.config_server + "/status.html", timeout=1)
    except httpx.TransportError:
        return True
    return None
