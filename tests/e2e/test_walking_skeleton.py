"""The walking skeleton end to end: up, deploy, feed, query, crash a content node, down and up.

Real processes only: ``vespid up`` starts the config server (with its embedded
ZooKeeper) and the node agent, which starts the container and the content node. The
tests run in file order against one instance; expected answers are computed from the
sample feed itself.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.e2e.harness import INVALID, SAMPLE, Instance, copy_sample, free_port, run_vespid

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

FEED = SAMPLE / "feed.jsonl"
CONTENT_SERVICE = "content-books-0"
T = TypeVar("T")


def _books() -> dict[str, dict[str, Any]]:
    """The sample documents by id."""
    lines = FEED.read_text().splitlines()
    return {op["put"]: op["fields"] for op in map(json.loads, lines)}


BOOKS = _books()


def _ids(result: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in result["root"].get("children", [])]


def _total(result: dict[str, Any]) -> int:
    total: int = result["root"]["fields"]["totalCount"]
    return total


def _eventually(check: Callable[[], T | None], what: str, timeout: float = 120) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def _get(instance: Instance, doc_id: str) -> httpx.Response:
    user = doc_id.split("::", 1)[1]
    return httpx.get(f"{instance.container}/document/v1/books/book/docid/{user}", timeout=30)


@pytest.fixture(scope="module")
def fed(instance: Instance) -> dict[str, Any]:
    """Feed the sample with ``vespid feed`` (target found through the config server)."""
    result = run_vespid("feed", str(FEED), "--config-server", instance.config_server)
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_deploy_converged_and_container_answers(instance: Instance) -> None:
    status = run_vespid("status", "--config-server", instance.config_server)
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"Container at {instance.container} is ready" in status.stdout
    assert httpx.get(instance.container + "/ApplicationStatus", timeout=10).status_code == 200


@pytest.mark.parametrize("package", sorted(p.name for p in INVALID.iterdir() if p.is_dir()))
def test_broken_packages_are_refused_with_their_error(instance: Instance, package: str) -> None:
    expected = (INVALID / package / "expected-error.txt").read_text().strip()
    result = run_vespid("deploy", str(INVALID / package), "--config-server", instance.config_server)
    assert result.returncode == 1
    assert "Deployment failed (400 Bad Request)" in result.stderr
    assert "INVALID_APPLICATION_PACKAGE" in result.stderr
    assert expected in result.stderr


def test_feed_acknowledges_every_document(fed: dict[str, Any]) -> None:
    assert fed["feeder.operation.count"] == len(BOOKS) == 100
    assert fed["feeder.ok.count"] == 100
    assert fed["http.response.code.counts"] == {"200": 100}


def test_where_true_finds_every_document(instance: Instance, fed: object) -> None:
    result = instance.query("select * from sources * where true", hits=100)
    assert _total(result) == 100
    assert set(_ids(result)) == set(BOOKS)
    assert result["root"]["coverage"]["full"] is True


def test_text_contains_ranked_by_bm25(instance: Instance, fed: object) -> None:
    expected = {i for i, b in BOOKS.items() if "love" in b["title"].lower().split()}
    result = instance.query(
        'select * from book where title contains "love"', ranking="bm25", hits=100
    )
    assert set(_ids(result)) == expected
    relevances = [hit["relevance"] for hit in result["root"]["children"]]
    assert all(r > 0 for r in relevances)
    assert relevances == sorted(relevances, reverse=True)


def test_attribute_contains_and_numeric_filter(instance: Instance, fed: object) -> None:
    expected = {i for i, b in BOOKS.items() if b["genre"] == "science" and b["year"] > 2000}
    result = instance.query(
        'select * from book where genre contains "science" and year > 2000', hits=100
    )
    assert set(_ids(result)) == expected
    short = {i for i, b in BOOKS.items() if b["pages"] < 200 or b["year"] == 1990}
    result = instance.query("select * from book where pages < 200 or year = 1990", hits=100)
    assert set(_ids(result)) == short


def test_nearest_neighbor_with_query_tensor(instance: Instance, fed: object) -> None:
    q = [0.1, 0.1, 0.1, 0.9]
    by_distance = sorted(BOOKS, key=lambda i: math.dist(q, BOOKS[i]["embedding"]))
    result = instance.query(
        "select * from book where {targetHits: 5}nearestNeighbor(embedding, q)",
        ranking="closeness",
        **{"input.query(q)": "[0.1, 0.1, 0.1, 0.9]"},
        hits=5,
    )
    assert _ids(result) == by_distance[:5]
    top = result["root"]["children"][0]
    distance = math.dist(q, BOOKS[top["id"]]["embedding"])
    assert top["relevance"] == pytest.approx(1 / (1 + distance), rel=1e-4)


def test_ranking_profile_switch(instance: Instance, fed: object) -> None:
    yql = 'select * from book where genre contains "romance"'
    by_rating = instance.query(yql, ranking="rating", hits=100)
    hits = by_rating["root"]["children"]
    assert len(hits) == sum(1 for b in BOOKS.values() if b["genre"] == "romance")
    for hit in hits:
        assert hit["relevance"] == pytest.approx(BOOKS[hit["id"]]["rating"], rel=1e-5)
    ratings = [hit["relevance"] for hit in hits]
    assert ratings == sorted(ratings, reverse=True)
    by_default = instance.query(yql, hits=100)
    assert {h["id"] for h in by_default["root"]["children"]} == {h["id"] for h in hits}


def test_get_a_document(instance: Instance, fed: object) -> None:
    response = _get(instance, "id:books:book::book-007")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "id:books:book::book-007"
    fields = BOOKS["id:books:book::book-007"]
    assert body["fields"]["title"] == fields["title"]
    assert body["fields"]["year"] == fields["year"]
    assert body["fields"]["embedding"]["values"] == pytest.approx(fields["embedding"], rel=1e-6)


def test_document_verbs_put_get_remove(instance: Instance, fed: object, tmp_path: Path) -> None:
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"fields": {"title": "A Temporary Book", "year": 2000}}))
    flags = ["--config-server", instance.config_server]
    put = run_vespid("document", "put", "id:books:book::temp", str(doc), *flags)
    assert put.stdout.strip() == "Success: put id:books:book::temp", put.stderr
    get = run_vespid("document", "get", "id:books:book::temp", *flags)
    assert json.loads(get.stdout)["fields"]["title"] == "A Temporary Book"
    remove = run_vespid("document", "remove", "id:books:book::temp", *flags)
    assert remove.returncode == 0, remove.stdout + remove.stderr
    assert run_vespid("document", "get", "id:books:book::temp", *flags).returncode == 1
    query = run_vespid("query", 'select * from book where title contains "temporary"', *flags)
    assert json.loads(query.stdout)["root"]["fields"]["totalCount"] == 0


def test_visit_prints_every_document(instance: Instance, fed: object) -> None:
    result = run_vespid(
        "visit", "--content-cluster", "books", "--config-server", instance.config_server
    )
    assert result.returncode == 0, result.stdout + result.stderr
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert {d["id"] for d in documents} == set(BOOKS)


def _content_pid(instance: Instance) -> int | None:
    try:
        return int((instance.home / "run" / f"{CONTENT_SERVICE}.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _all_documents_there(instance: Instance) -> bool | None:
    try:
        missing = [i for i in BOOKS if _get(instance, i).status_code != 200]
    except httpx.HTTPError:
        return None
    return True if not missing else None


def test_killed_content_node_is_restarted_with_every_document(
    instance: Instance, fed: object
) -> None:
    pid = _content_pid(instance)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    _eventually(
        lambda: _content_pid(instance) not in (None, pid) or None,
        "the node agent to restart the content node",
    )
    _eventually(lambda: _all_documents_there(instance), "every document after the restart")
    assert _total(instance.query("select * from sources * where true")) == 100


def test_feed_rides_through_a_content_node_crash(
    instance: Instance, fed: object, tmp_path: Path
) -> None:
    """SIGKILL the content node while ``vespid feed`` runs: retries carry the feed through,
    and every acknowledged put is there afterwards (transaction log replay)."""
    ids = [f"id:extra:book::{i}" for i in range(2000)]  # enough to outlast the kill
    puts = tmp_path / "puts.jsonl"
    puts.write_text(
        "".join(json.dumps({"put": i, "fields": {"title": f"extra {i}"}}) + "\n" for i in ids)
    )
    flags = ["--config-server", instance.config_server, "--timeout", "60"]
    feeding = subprocess.Popen(
        [sys.executable, "-m", "vespid.cli", "feed", str(puts), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pid = _content_pid(instance)
    assert pid is not None
    first = f"{instance.container}/document/v1/extra/book/docid/0"
    _eventually(lambda: httpx.get(first).status_code == 200 or None, "the feed to start")
    assert feeding.poll() is None, "the feed ended before the crash; feed more documents"
    os.kill(pid, signal.SIGKILL)
    out, err = feeding.communicate(timeout=300)
    summary = json.loads(out)
    failed = {line.split()[1] for line in err.splitlines() if " failed" in line}
    assert summary["feeder.ok.count"] + len(failed) == len(ids)
    # The feed may have had its last answers before the kill landed: wait for the node.
    _eventually(lambda: _content_pid(instance) not in (None, pid) or None, "the restart")
    _eventually(lambda: httpx.get(first).status_code == 200 or None, "the node to serve")
    acknowledged = [i for i in ids if i not in failed]
    with httpx.Client(base_url=instance.container, timeout=30) as client:
        for doc_id in acknowledged:
            user = doc_id.split("::", 1)[1]
            response = client.get(f"/document/v1/extra/book/docid/{user}")
            assert response.status_code == 200, doc_id
    assert failed == set(), err
    assert _total(instance.query("select * from sources * where true")) == 100 + len(ids)

    removes = tmp_path / "removes.jsonl"
    removes.write_text("".join(json.dumps({"remove": i}) + "\n" for i in ids))
    assert run_vespid("feed", str(removes), *flags).returncode == 0
    assert _total(instance.query("select * from sources * where true")) == 100


def test_down_then_up_serves_the_same_application_and_documents(
    instance: Instance, fed: object
) -> None:
    down = run_vespid("down", "--home", str(instance.home), timeout=120)
    assert down.returncode == 0, down.stderr
    assert "Stopped" in down.stdout
    with pytest.raises(httpx.TransportError):
        httpx.get(instance.container + "/ApplicationStatus", timeout=5)
    up = run_vespid("up", *instance.up_args())
    assert up.returncode == 0, up.stdout + up.stderr
    assert f"Container (default) at {instance.container} is ready" in up.stdout
    result = instance.query("select * from sources * where true", hits=100)
    assert set(_ids(result)) == set(BOOKS)
    fields = _get(instance, "id:books:book::book-042").json()["fields"]
    expected = BOOKS["id:books:book::book-042"]
    assert (fields["title"], fields["author"], fields["year"]) == (
        expected["title"],
        expected["author"],
        expected["year"],
    )


def test_a_second_instance_runs_beside_the_first(
    instance: Instance, tmp_path: Path, fed: object
) -> None:
    other = Instance(
        home=tmp_path / "home2",
        app_dir=instance.app_dir,
        config_port=free_port(),
        zookeeper_port=free_port(),
        container_port=instance.container_port,
    )
    try:
        up = run_vespid("up", *other.up_args())
        assert up.returncode == 0, up.stdout + up.stderr
        assert "No application deployed yet" in up.stdout
        health = httpx.get(other.config_server + "/state/v1/health", timeout=10)
        assert health.json()["status"]["code"] == "up"
        assert _total(instance.query("select * from sources * where true")) == 100
    finally:
        down = run_vespid("down", "--home", str(other.home), timeout=120)
    assert down.returncode == 0, down.stderr
    assert not (other.home / "run" / "configserver.pid").exists()
    assert _total(instance.query("select * from sources * where true")) == 100


def test_up_refuses_a_config_port_another_vespid_answers_on(
    instance: Instance, tmp_path: Path
) -> None:
    result = run_vespid(
        "up", "--home", str(tmp_path / "home3"), "--config-port", str(instance.config_port)
    )
    assert result.returncode == 1
    assert f"Something else already answers on port {instance.config_port}" in result.stderr
    assert not (tmp_path / "home3" / "run" / "configserver.pid").exists()


def test_up_reports_a_service_that_keeps_crashing(instance: Instance, tmp_path: Path) -> None:
    """A second instance whose container port is held by a bare socket: its container
    cannot start, and ``vespid up`` says so with the container's log instead of waiting."""
    with socket.socket() as blocker:
        blocker.bind(("0.0.0.0", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        other = Instance(
            home=tmp_path / "home4",
            app_dir=copy_sample(tmp_path / "app4", port),
            config_port=free_port(),
            zookeeper_port=free_port(),
            container_port=port,
        )
        try:
            result = run_vespid("up", str(other.app_dir), *other.up_args())
        finally:
            down = run_vespid("down", "--home", str(other.home), timeout=120)
    assert result.returncode == 1, result.stdout
    assert f"Error: container-default-{port} keeps exiting" in result.stderr
    assert "address already in use" in result.stderr.lower()
    assert f"vespid down --home {other.home}" in result.stderr
    assert down.returncode == 0, down.stderr
