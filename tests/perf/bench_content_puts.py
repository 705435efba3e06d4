"""Benchmark: puts per second into one content node at engine level, fsync on.

~1 KB documents with four attributes and one text field go through
`ContentNode.put` on real files (`FileDirectory`), 512 writes in flight so group
commit can share syncs. Measured twice: with the real search index
(`content.matching.DocumentTypeIndex`) and with storage alone (log, document store,
bucket database). Then the time to flush, and to reopen storage (snapshot load and
bucket database rebuild; the search index rebuild is not included). Not a test: run
``.venv/bin/python -m tests.perf.bench_content_puts [DOCUMENTS]``.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from content.node import ContentNode, DocumentDatabase
from content.storage import FileDirectory
from vespid.config import (
    ContentClusterConfig,
    ContentConfig,
    DocumentTypeRef,
    FieldConfig,
    SchemaConfig,
)
from vespid.messages import PutRequest, SearchRequest

SCHEMA = SchemaConfig(
    "doc",
    fields=(
        FieldConfig("title", "string", index=True, summary=True),
        FieldConfig("a", "int", attribute=True),
        FieldConfig("b", "long", attribute=True),
        FieldConfig("c", "double", attribute=True),
        FieldConfig("d", "string", attribute=True),
    ),
)
CONFIG = ContentConfig(
    1,
    clusters=(ContentClusterConfig("c", document_types=(DocumentTypeRef("doc"),)),),
    schemas=(SCHEMA,),
)
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota")
IN_FLIGHT = 512


class _NoIndex:
    """Takes documents and forgets them: measures storage alone."""

    def __init__(self, _: SchemaConfig) -> None:
        """Nothing to set up."""

    def put(self, lid: int, fields: dict[str, Any]) -> None:
        """Ignore the document."""

    def remove(self, lid: int) -> None:
        """Ignore the remove."""

    def search(self, request: SearchRequest) -> Any:
        raise NotImplementedError("storage-only benchmark")


def documents(count: int) -> list[dict[str, Any]]:
    rng = random.Random(1)
    return [
        {
            "title": " ".join(rng.choice(WORDS) for _ in range(150)),
            "a": i,
            "b": i * 7,
            "c": i / 3,
            "d": f"category{i % 50}",
        }
        for i in range(count)
    ]


async def feed(directory: Path, docs: list[dict[str, Any]], with_index: bool) -> None:
    database = DocumentDatabase.open(
        FileDirectory(directory / "documents"), FileDirectory(directory / "tlog")
    )
    database.start()
    node = ContentNode(database, "c", 0, None if with_index else _NoIndex)
    node.apply_config(CONFIG)
    started = time.perf_counter()
    for first in range(0, len(docs), IN_FLIGHT):
        batch = range(first, min(len(docs), first + IN_FLIGHT))
        await asyncio.gather(*(node.put(PutRequest(f"id:ns:doc::{i}", docs[i])) for i in batch))
    elapsed = time.perf_counter() - started
    label = "with index" if with_index else "storage only"
    print(f"{label}: {len(docs) / elapsed:,.0f} puts/s ({len(docs)} documents)")
    started = time.perf_counter()
    await node.flush()
    print(f"{label}: flush {time.perf_counter() - started:.2f} s")
    await node.aclose()
    started = time.perf_counter()
    DocumentDatabase.open(FileDirectory(directory / "documents"), FileDirectory(directory / "tlog"))
    print(f"{label}: reopen storage {time.perf_counter() - started:.2f} s")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 20_000
    docs = documents(count)
    for with_index in (False, True):
        with tempfile.TemporaryDirectory() as directory:
            asyncio.run(feed(Path(directory), docs, with_index))


if __name__ == "__main__":
    main()
