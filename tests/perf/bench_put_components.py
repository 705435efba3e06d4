"""Benchmark: the CPU time of each part of a put, in isolation, per document.

The parts `bench_content_puts` adds up, timed one at a time in a tight loop over the
same documents (``tests.perf.bench_content_puts.documents``): the bucket of the
document id, the log record, text analysis of the title, the text index put (analysis
included), and the whole search index put (`FieldCatalog.put`: text index and four
attributes). Each figure is the best of five repeats, in microseconds per document, for
titles from 9 words and from a Zipf vocabulary of 20,000 made-up words. A tight loop
keeps its data in the CPU caches and makes no garbage-collector work that a feed would,
so the parts add up to less than the CPU per put of the feed.

Not a test: run ``.venv/bin/python -m tests.perf.bench_put_components``.
"""

from __future__ import annotations

import itertools
import timeit
from collections.abc import Callable
from typing import Any

from content.bucketdb import full_bucket
from content.index import Analyzer, FieldIndex
from content.matching.catalog import FieldCatalog
from content.node import operations
from content.tlog.format import encode_record
from tests.perf.bench_content_puts import SCHEMA, documents
from vespid.document import DocumentId

COUNT = 2_000
VOCABULARY = 20_000


def per_document(work: Callable[[int], object]) -> float:
    """Microseconds per call of ``work(i)`` over COUNT documents, best of five."""
    counter = itertools.count()

    def step() -> None:
        work(next(counter) % COUNT)

    return min(timeit.repeat(step, number=COUNT, repeat=5)) / COUNT * 1e6


def parts(docs: list[dict[str, Any]]) -> dict[str, float]:
    ids = [f"id:ns:doc::{i}" for i in range(COUNT)]
    encoded = [operations.encode_fields(d) for d in docs]
    analyzer = Analyzer()
    index = FieldIndex(analyzer)
    catalog = FieldCatalog(SCHEMA)
    for i, doc in enumerate(docs):  # every lid holds a document: each put replaces one
        index.put(i, doc["title"])
        catalog.put(i, doc)
    return {
        "bucket of the document id": per_document(lambda i: full_bucket(DocumentId.parse(ids[i]))),
        "log record (payload, frame, CRCs)": per_document(
            lambda i: encode_record(i, i, operations.encode_write("put", ids[i], encoded[i]))
        ),
        "text analysis of the title": per_document(lambda i: analyzer.terms(docs[i]["title"])),
        "text index put (analysis included)": per_document(
            lambda i: index.put(i, docs[i]["title"])
        ),
        "search index put (text + 4 attributes)": per_document(lambda i: catalog.put(i, docs[i])),
    }


def main() -> None:
    nine = parts(documents(COUNT))
    zipf = parts(documents(COUNT, VOCABULARY))
    print(f"{'part':42} {'9 words':>9} {'Zipf 20k':>9}  (us per document)")
    for name, value in nine.items():
        print(f"{name:42} {value:9.1f} {zipf[name]:9.1f}")


if __name__ == "__main__":
    main()
