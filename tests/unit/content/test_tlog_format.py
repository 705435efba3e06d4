"""On-disk formats of version 1 stay readable: fixtures written by that version."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from content.attribute import NumericAttribute
from content.bucketdb import full_bucket
from content.docstore import StoredDocument, load_snapshot
from content.hnsw import load_index
from content.index import Analyzer, FieldIndex
from content.node import DocumentDatabase
from content.node.operations import decode
from content.storage import FileDirectory
from content.storage.arrays import read_arrays
from content.tlog import TransactionLog
from content.types import LocalDocId, SerialNum
from vespid.config import FieldConfig

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


def test_search_index_snapshot_v1(tmp_path: Path) -> None:
    """Three documents (lids 0-2) of `test_node_restart.SCHEMA`, flushed at serial 3."""
    directory = copy("search-index", tmp_path)
    meta, arrays = read_arrays(directory.read("index.music.snapshot"), "fixture")
    assert (meta["version"], meta["serial"]) == (1, 3)
    assert meta["fields"] == ["title"]
    assert meta["graphs"] == {"embedding": "index.music.embedding.00000000000000000003.hnsw"}
    assert arrays["live"].tolist() == [0, 1, 2]
    title = FieldIndex(Analyzer.for_field(FieldConfig("title", "string", index=True)))
    title.load({k[11:]: v for k, v in arrays.items() if k.startswith("text.title.")})
    assert title.postings("song").lids.tolist() == [0, 1]
    assert title.postings("song").term_frequencies.tolist() == [1.0, 2.0]
    assert title.postings("red").position_keys.tolist() == [0, 2 << 32]
    assert title.field_lengths(np.arange(3, dtype=np.uint32)).tolist() == [2.0, 3.0, 1.0]
    year = NumericAttribute("year", "int")
    year.load_state({k[15:]: v for k, v in arrays.items() if k.startswith("attribute.year.")})
    assert [year.value_of(lid) for lid in range(3)] == [1991, 1993, None]
    graph = load_index(directory, meta["graphs"]["embedding"])
    assert graph.live_lids().tolist() == [0, 2]
    assert graph.search([0.0, 1.1], 1)[0].tolist() == [2]
