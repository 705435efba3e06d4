"""On-disk formats of version 1 stay readable: fixtures written by that version."""

from __future__ import annotations

import shutil
from pathlib import Path

from content.bucketdb import full_bucket
from content.docstore import StoredDocument, load_snapshot
from content.node import DocumentDatabase
from content.node.operations import decode
from content.storage import FileDirectory
from content.tlog import TransactionLog
from content.types import LocalDocId, SerialNum

FORMATS = Path(__file__).parents[2] / "golden" / "formats"


def copy(kind: str, tmp_path: Path) -> FileDirectory:
    target = tmp_path / kind
    shutil.copytree(FORMATS / kind / "v1", target)
    return FileDirectory(target)


def test_transaction_log_v1(tmp_path: Path) -> None:
    records = list(TransactionLog.open(copy("tlog", tmp_path)).replay(SerialNum(0)))
    assert [(r.serial, r.timestamp) for r in records] == [
        (1, 1700000000000000),
        (2, 1700000000000001),
        (3, 1700000000000002),
    ]
    operations = [decode(r.payload, "fixture") for r in records]
    assert [(o.op, o.id, o.fields) for o in operations] == [
        ("put", "id:ns:music::a", b'{"title":"A","year":1999}'),
        ("update", "id:ns:music::a", b'{"title":"A","year":2000}'),
        ("remove", "id:ns:music::b", None),
    ]


def test_document_snapshot_v1(tmp_path: Path) -> None:
    snapshot = load_snapshot(copy("docstore", tmp_path))
    assert snapshot is not None
    assert snapshot.serial == 3
    a, b = (full_bucket(f"id:ns:music::{x}") for x in "ab")
    assert snapshot.entries == [
        StoredDocument(
            "id:ns:music::a", 1700000000000001, LocalDocId(0), b'{"title":"A","year":2000}', a
        ),
        StoredDocument("id:ns:music::b", 1700000000000002, None, None, b),
    ]


def test_document_snapshot_with_a_delta_v1(tmp_path: Path) -> None:
    snapshot = load_snapshot(copy("docstore-delta", tmp_path))
    assert snapshot is not None
    assert (snapshot.serial, snapshot.delta_entries) == (5, 2)
    a, b, c = (full_bucket(f"id:ns:music::{x}") for x in "abc")
    assert sorted(snapshot.entries, key=lambda e: e.id) == [
        StoredDocument(
            "id:ns:music::a", 1700000000000004, LocalDocId(0), b'{"title":"A","year":2001}', a
        ),
        StoredDocument("id:ns:music::b", 1700000000000002, None, None, b),
        StoredDocument("id:ns:music::c", 1700000000000005, LocalDocId(1), b'{"title":"C"}', c),
    ]


def test_snapshot_and_log_together_open_a_database(tmp_path: Path) -> None:
    database = DocumentDatabase.open(copy("docstore", tmp_path), copy("tlog", tmp_path))
    entry = database.store.get("id:ns:music::a")
    assert entry is not None
    assert entry.data == b'{"title":"A","year":2000}'
    assert database.tlog.last_serial == 3
    assert database.next_timestamp() > 1700000000000002
