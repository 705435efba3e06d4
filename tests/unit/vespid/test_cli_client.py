"""The deploy API client, target discovery and the client verbs' argument handling."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from vespid.cli.client import _operation_from, query_params, resolve_target
from vespid.cli.configserver import INSTANCE_PATH, ConfigServer, Convergence
from vespid.cli.errors import CliError
from vespid.cli.main import _id_and_file, main

CONVERGED = {
    "services": [
        {"clusterName": "default", "host": "localhost", "port": 8081, "type": "container",
         "url": "x", "currentGeneration": 3},
        {"clusterName": "music", "host": "localhost", "port": 19100, "type": "searchnode",
         "url": "y", "currentGeneration": 3},
    ],
    "url": "z", "currentGeneration": 3, "wantedGeneration": 3, "converged": True,
}  # fmt: skip


def _server(handler: object) -> ConfigServer:
    assert callable(handler)
    return ConfigServer("http://cs:19071/", httpx.Client(transport=httpx.MockTransport(handler)))


def test_convergence_reads_serviceconverge() -> None:
    state = Convergence.from_json(CONVERGED)
    assert state.converged
    assert state.wanted_generation == 3
    assert [c.url for c in state.containers()] == ["http://localhost:8081"]
    assert state.services[1].cluster == "music"


def test_deploy_posts_the_zip_and_reads_the_answer() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "log": [{"time": 1, "level": "WARNING", "message": "field x unused"}],
                "message": "Session 7 for tenant 'default' prepared and activated.",
                "session-id": "7",
                "activated": True,
            },
        )

    result = _server(handler).deploy(b"PK zip")
    assert result.session_id == 7
    assert result.log == ("WARNING: field x unused",)
    assert seen[0].url.path == "/application/v2/tenant/default/prepareandactivate"
    assert seen[0].headers["Content-Type"] == "application/zip"
    assert seen[0].content == b"PK zip"


def test_a_refused_package_shows_the_config_servers_message() -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        body = {"error-code": "INVALID_APPLICATION_PACKAGE", "message": "services.xml:3:1: bad"}
        return httpx.Response(400, json=body)

    with pytest.raises(CliError) as info:
        _server(handler).deploy(b"zip")
    assert info.value.message == (
        "Deployment failed (400 Bad Request):\nINVALID_APPLICATION_PACKAGE: services.xml:3:1: bad"
    )


def test_health_and_convergence_tolerate_a_server_that_is_not_there_yet() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    server = _server(handler)
    assert not server.healthy()
    assert server.convergence() is None


def test_convergence_is_none_without_an_application() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == INSTANCE_PATH + "/serviceconverge"
        return httpx.Response(404, json={"error-code": "NOT_FOUND", "message": "none"})

    server = _server(handler)
    assert server.convergence() is None
    assert not server.has_application()


def test_an_explicit_target_wins() -> None:
    assert resolve_target("http://h:9000/", "http://unused:1") == "http://h:9000"


def test_query_arguments_split_like_the_vespa_cli() -> None:
    assert query_params(
        ["select * from sources * where year = 2001", "hits=3", "ranking=bm25"]
    ) == {
        "yql": "select * from sources * where year = 2001",
        "hits": "3",
        "ranking": "bm25",
    }
    assert query_params(["input.query(q)=[1,2,3,4]"]) == {"input.query(q)": "[1,2,3,4]"}


def test_document_arguments_take_the_id_from_the_command_line_or_the_file(tmp_path: Path) -> None:
    file = tmp_path / "doc.json"
    file.write_text(json.dumps({"put": "id:n:t::from-file", "fields": {"a": 1}}))
    assert _operation_from("put", None, file).doc_id == "id:n:t::from-file"
    assert _operation_from("put", "id:n:t::arg", file).doc_id == "id:n:t::arg"
    assert _operation_from("remove", "id:n:t::x", None).kind == "remove"
    with pytest.raises(CliError, match="No document id"):
        _operation_from("remove", None, None)
    assert _id_and_file(["id:n:t::1", "doc.json"]) == ("id:n:t::1", Path("doc.json"))
    with pytest.raises(CliError, match=r"Expected \[ID\] \[JSON_FILE\]"):
        _id_and_file(["a.json", "b.json"])


def test_main_reports_errors_as_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deploy", "/nonexistent/app", "--config-server", "http://127.0.0.1:9"]) == 1
    assert capsys.readouterr().err == (
        "Error: Application package /nonexistent/app is not a directory\n"
    )
