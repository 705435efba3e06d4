"""document/v1 answers 500 when the content node cannot write its transaction log.

A disk that refuses writes is the real cause of Vespa's 500 on document/v1. Here the
operating system refuses them: ``prlimit --fsize`` lowers the running content node's
file-size limit below its log segment, so the next log write fails with EFBIG (Python
ignores SIGXFSZ, so the process lives on and sees the error). The put is answered 500
with Vespa's body, is not acknowledged, and nothing acknowledged before is lost: after
the node agent restarts the node (without the limit), earlier documents are all there
and writes succeed again. Own instance: the broken node must not disturb other tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import started_instance
from tests.e2e.harness import Instance

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(300),
    pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs util-linux prlimit"),
]

DOCS = "/document/v1/books/book/docid"
CONTENT_SERVICE = "content-books-0"


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    with started_instance(tmp_path_factory.mktemp("vespid-storage-failure")) as inst:
        yield inst


def _put(instance: Instance, name: str) -> httpx.Response:
    fields = {"title": f"Book {name}", "year": 2000}
    return httpx.post(f"{instance.container}{DOCS}/{name}", json={"fields": fields}, timeout=30)


def _get(instance: Instance, name: str) -> httpx.Response:
    return httpx.get(f"{instance.container}{DOCS}/{name}", timeout=30)


def _content_pid(instance: Instance) -> int | None:
    try:
        return int((instance.home / "run" / f"{CONTENT_SERVICE}.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _limit_file_size(pid: int, limit: str) -> None:
    subprocess.run(["prlimit", "--pid", str(pid), f"--fsize={limit}"], check=True)


def _eventually(check: Callable[[], Any], what: str, seconds: float = 60.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except httpx.HTTPError:
            found = None
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_500_when_the_log_cannot_be_written_and_nothing_acknowledged_is_lost(
    instance: Instance,
) -> None:
    for i in range(20):
        assert _put(instance, f"kept-{i}").status_code == 200
    pid = _content_pid(instance)
    assert pid is not None

    _limit_file_size(pid, "1")
    failed = _put(instance, "refused")
    assert failed.status_code == 500, failed.text
    assert failed.headers["content-type"].startswith("application/json")
    body = failed.json()
    assert body["pathId"] == f"{DOCS}/refused"
    assert body["id"] == "id:books:book::refused"
    assert "transaction log" in body["message"].lower() or "file too large" in body["message"]

    os.kill(pid, signal.SIGKILL)
    _eventually(lambda: _content_pid(instance) not in (None, pid), "the restarted content node")
    _eventually(lambda: _get(instance, "kept-0").status_code == 200, "the node to serve again")
    assert all(_get(instance, f"kept-{i}").status_code == 200 for i in range(20))
    assert _get(instance, "refused").status_code == 404
    assert _put(instance, "after").status_code == 200
    assert _get(instance, "after").json()["fields"]["title"] == "Book after"
