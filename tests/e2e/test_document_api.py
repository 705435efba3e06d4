"""document/v1 against real processes: status codes, visits with continuation, removal by selection.

``vespid up`` runs the sample application (one container, one content node). Every
status-code path Vespa's document API answers with is driven here, with Vespa's
bodies (``pathId``, ``id``, ``message``), except 429, which needs a content node with
a tiny pending-write limit (``test_overload.py``), and 500, which needs a content node
that cannot write its log (``test_storage_failure.py``).

The visit test feeds a few thousand documents with ``vespid feed`` and visits them
page by page, each document exactly once; then removes part of them by selection.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.harness import Instance, run_vespid

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

DOCS = "/document/v1/books/book/docid"
BULK = 2000


def _call(instance: Instance, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, instance.container + path, timeout=30, **kwargs)


def _expect(response: httpx.Response, status: int, **body: Any) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    answer: dict[str, Any] = response.json()
    for key, value in body.items():
        assert answer[key] == value, answer
    return answer


def test_200_put_update_get_remove(instance: Instance) -> None:
    path = f"{DOCS}/one"
    ids = {"pathId": path, "id": "id:books:book::one"}
    doc = {"fields": {"title": "One", "year": 2001}}
    assert _expect(_call(instance, "POST", path, json=doc), 200) == ids
    update = {"fields": {"year": {"increment": 1}}}
    assert _expect(_call(instance, "PUT", path, json=update), 200) == ids
    got = _expect(_call(instance, "GET", path), 200, **ids)
    assert got["fields"] == {"title": "One", "year": 2002}
    assert _expect(_call(instance, "DELETE", path), 200) == ids
    # An update of a missing document is 200 too, and creates nothing without create=true.
    assert _expect(_call(instance, "PUT", path, json=update), 200) == ids
    _expect(_call(instance, "GET", path), 404)


def test_400_bad_json_unknown_field_and_unknown_document_type(instance: Instance) -> None:
    path = f"{DOCS}/bad"
    bad_json = _call(instance, "POST", path, content=b'{"fields": {"year": 1')
    assert "Could not parse" in _expect(bad_json, 400, pathId=path)["message"]
    unknown_field = _call(instance, "POST", path, json={"fields": {"nope": 1}})
    assert "No field 'nope'" in _expect(unknown_field, 400, pathId=path)["message"]
    house = "/document/v1/books/house/docid/bad"
    unknown_type = _call(instance, "POST", house, json={"fields": {"year": 1}})
    _expect(unknown_type, 400, pathId=house, message="Document type house does not exist")
    wrong_type = _call(instance, "POST", path, json={"fields": {"year": "not a number"}})
    _expect(wrong_type, 400, pathId=path)


def test_404_get_of_a_missing_document(instance: Instance) -> None:
    path = f"{DOCS}/missing"
    answer = _expect(_call(instance, "GET", path), 404)
    assert answer == {"pathId": path, "id": "id:books:book::missing"}


def test_405_patch_and_204_options(instance: Instance) -> None:
    patch = _call(instance, "PATCH", f"{DOCS}/one", json={"fields": {}})
    assert "'PATCH' not allowed" in _expect(patch, 405)["message"]
    options = _call(instance, "OPTIONS", f"{DOCS}/one")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET,POST,PUT,DELETE"


def test_412_condition_not_met(instance: Instance) -> None:
    path = f"{DOCS}/conditional"
    _expect(_call(instance, "POST", path, json={"fields": {"year": 1990}}), 200)
    update = {"fields": {"year": {"assign": 1991}}}
    refused = _call(instance, "PUT", path, params={"condition": "book.year == 2000"}, json=update)
    assert "not met" in _expect(refused, 412, pathId=path)["message"]
    accepted = _call(instance, "PUT", path, params={"condition": "book.year == 1990"}, json=update)
    _expect(accepted, 200)
    removal = _call(instance, "DELETE", path, params={"condition": "book.year == 1990"})
    _expect(removal, 412)
    assert _expect(_call(instance, "GET", path), 200)["fields"]["year"] == 1991


def test_504_with_a_timeout_of_one_millisecond(instance: Instance) -> None:
    path = f"{DOCS}/hurried"
    hurried = _call(instance, "POST", path, params={"timeout": "1ms"}, json={"fields": {}})
    answer = _expect(hurried, 504, pathId=path, id="id:books:book::hurried")
    assert answer["message"].startswith("Timeout after 1ms")


def _feed_bulk(instance: Instance, tmp_path: Path) -> None:
    feed = tmp_path / "bulk.jsonl"
    with feed.open("w") as out:
        for i in range(BULK):
            fields = {"title": f"Bulk {i}", "genre": "bulk", "year": 1900 + i % 100}
            out.write(json.dumps({"put": f"id:books:book::bulk-{i}", "fields": fields}) + "\n")
    result = run_vespid("feed", str(feed), "--target", instance.container, "--connections", "16")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["feeder.ok.count"] == BULK


def _visit_all(instance: Instance, selection: str, wanted: int) -> Counter[str]:
    seen: Counter[str] = Counter()
    params = {"selection": selection, "wantedDocumentCount": str(wanted), "cluster": "books"}
    pages = 0
    while True:
        page = _expect(_call(instance, "GET", DOCS + "/", params=params), 200)
        assert page["documentCount"] == len(page["documents"])
        seen.update(document["id"] for document in page["documents"])
        pages += 1
        if "continuation" not in page:
            break
        params["continuation"] = page["continuation"]
    assert pages >= len(seen) // wanted
    return seen


def test_visit_thousands_with_continuation_then_remove_by_selection(
    instance: Instance, tmp_path: Path
) -> None:
    _feed_bulk(instance, tmp_path)
    seen = _visit_all(instance, 'book.genre == "bulk"', wanted=300)
    assert set(seen) == {f"id:books:book::bulk-{i}" for i in range(BULK)}
    assert max(seen.values()) == 1, "a document was visited twice"

    selection = 'book.genre == "bulk" and book.year < 1950'
    removed = 0
    params = {"selection": selection, "cluster": "books"}
    while True:
        answer = _expect(_call(instance, "DELETE", DOCS, params=params), 200)
        removed += answer["documentCount"]
        if "continuation" not in answer:
            break
        params["continuation"] = answer["continuation"]
    assert removed == BULK // 2
    left = _visit_all(instance, 'book.genre == "bulk"', wanted=1024)
    assert set(left) == {f"id:books:book::bulk-{i}" for i in range(BULK) if i % 100 >= 50}


def test_remove_by_selection_needs_a_selection_and_a_cluster(instance: Instance) -> None:
    answer = _expect(_call(instance, "DELETE", DOCS, params={"cluster": "books"}), 400)
    assert "Must specify 'selection'" in answer["message"]
