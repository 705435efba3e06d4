"""Benchmark: BM25 top-10 through DocumentTypeIndex.search vs SQLite FTS5 and tantivy.

All three index the same real English documents (``tests.perf.corpus``: paragraphs of
this machine's man pages, then /usr/share/doc and common-licenses; default 100,000)
in memory, and answer the same queries of 1, 2 and 3 terms drawn with a fixed seed
from the corpus vocabulary among terms in at least ``MIN_DF`` documents, in two mixes:
uniformly (mostly rare terms: short posting lists, so per-query overhead dominates) and
in proportion to document frequency (common words: long posting lists):

- *vespid OR*: ``DocumentTypeIndex.search`` with an ``or`` of the terms (a lone
  term for one), first phase ``bm25(text)``, 10 hits: exact, every match ranked;
- *vespid AND*: an ``and`` of the terms (same as OR for one term);
- *vespid weakAnd*: ``weakAnd`` (targetHits 100, Vespa's default) of the terms;
- *fts5*: ``… WHERE docs MATCH '"a" OR "b"' ORDER BY bm25(docs) LIMIT 10`` (and
  ``AND`` for the AND rows);
- *tantivy*: a boolean query of ``Should`` (or ``Must``) term queries,
  ``searcher.search(query, 10, count=False)``, its fastest top-10 path (block-max
  WAND); tantivy with ``count=True`` (totalCount, as Vespa reports) is shown too.

Each engine answers one query per call on one thread; the engines take turns for
``ROUNDS`` rounds, and each row reports the median over rounds of queries per CPU-
second of this process. Fairness: every engine's top 10 is compared with a brute-force
numpy BM25 (Vespa's formula with exact field lengths) over the same tokens; the mean
overlap is printed (tantivy stores field lengths in one byte and FTS5 uses a different
IDF, so they may differ slightly on ties and near-ties).

Not a test: run ``.venv/bin/python -m tests.perf.bench_bm25 [DOCUMENTS [QUERIES]]``.
"""

from __future__ import annotations

import math
import os
import platform
import re
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import tantivy

from content.matching import DocumentTypeIndex
from tests.perf.corpus import documents
from vespid.config import FieldConfig, RankProfileConfig, SchemaConfig
from vespid.messages import (
    AndItem,
    Item,
    OrItem,
    SearchRequest,
    TermItem,
    WeakAndItem,
    item_to_json,
)

DOCUMENTS = 100_000
QUERIES = 200
ROUNDS = 3
MIN_DF = 20
SEED = 42
K1, B = 1.2, 0.75
_TOKEN = re.compile(r"[^\W_]+")
Built = TypeVar("Built")

SCHEMA = SchemaConfig(
    "para",
    fields=(FieldConfig("text", "string", index=True, stemming="none"),),
    rank_profiles=(RankProfileConfig("bm25", first_phase="bm25(text)"),),
)


@dataclass(frozen=True, slots=True)
class Engine:
    """One engine's way to answer a query: ``prepare`` (not timed) then ``search``."""

    prepare: Callable[[list[str]], Any]
    """Terms → the engine's query object (the request JSON, MATCH text, Query)."""
    search: Callable[[Any], list[Any]]
    """Query object → the top 10 (lids, rowids, or tantivy addresses), best first."""

    def run(self, terms: list[str]) -> list[Any]:
        return self.search(self.prepare(terms))


class BruteForce:
    """Vespa's bm25 over a term-document matrix, every document scored."""

    def __init__(self, texts: Sequence[str]) -> None:
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(len(texts))
        for doc, text in enumerate(texts):
            tokens = [t.lower() for t in _TOKEN.findall(text)]
            lengths[doc] = len(tokens)
            for term, count in Counter(tokens).items():
                rows.append(doc)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(count)
        self.vocabulary = vocabulary
        # Column-major postings: the documents and frequencies of term c are
        # docs[indptr[c]:indptr[c + 1]] and tfs[...].
        by_term = np.argsort(np.asarray(cols), kind="stable")
        self.docs = np.asarray(rows)[by_term]
        self.tfs = np.asarray(counts, dtype=np.float64)[by_term]
        self.indptr = np.searchsorted(np.asarray(cols)[by_term], np.arange(len(vocabulary) + 1))
        self.df = np.diff(self.indptr)
        self.norm = K1 * (1 - B + B * lengths / lengths[lengths > 0].mean())
        self.count = len(texts)

    def top10(self, terms: list[str], conjunctive: bool) -> list[int]:
        scores, matched = self._score(terms, conjunctive)
        order = np.lexsort((matched, -scores[matched]))
        best: list[int] = matched[order][:10].tolist()
        return best

    def matches(self, terms: list[str], conjunctive: bool) -> list[int]:
        """Every document matching the query (what totalCount counts)."""
        found: list[int] = self._score(terms, conjunctive)[1].tolist()
        return found

    def _score(self, terms: list[str], conjunctive: bool) -> tuple[Any, Any]:
        scores = np.zeros(self.count)
        hits = np.zeros(self.count, dtype=np.int64)
        for term in terms:
            column = self.vocabulary[term]
            start, end = self.indptr[column], self.indptr[column + 1]
            docs, tf = self.docs[start:end], self.tfs[start:end]
            n = end - start
            idf = math.log(1 + (self.count - n + 0.5) / (n + 0.5))
            scores[docs] += idf * tf * (K1 + 1) / (tf + self.norm[docs])
            hits[docs] += 1
        return scores, np.flatnonzero(hits == len(terms) if conjunctive else hits > 0)


def vespid_search(index: DocumentTypeIndex, kind: str) -> Engine:
    def prepare(terms: list[str]) -> SearchRequest:
        words: list[Item] = [TermItem("text", t) for t in terms]
        tree: Item = words[0]
        if kind == "weakand":
            tree = WeakAndItem(tuple(words))
        elif len(words) > 1:
            tree = OrItem(tuple(words)) if kind == "or" else AndItem(tuple(words))
        return SearchRequest(("para",), item_to_json(tree), ranking="bm25", hits=10)

    def search(request: SearchRequest) -> list[int]:
        return [hit.lid for hit in index.search(request).hits]

    return Engine(prepare, search)


def fts5_search(connection: sqlite3.Connection, operator: str) -> Engine:
    sql = "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10"

    def prepare(terms: list[str]) -> str:
        return f" {operator} ".join(f'"{t}"' for t in terms)

    def search(match: str) -> list[int]:
        return [row[0] for row in connection.execute(sql, (match,))]

    return Engine(prepare, search)


def tantivy_search(
    index: tantivy.Index, schema: tantivy.Schema, occur: tantivy.Occur, count: bool
) -> Engine:
    searcher = index.searcher()

    def prepare(terms: list[str]) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [(occur, tantivy.Query.term_query(schema, "text", t)) for t in terms]
        )

    def search(query: tantivy.Query) -> list[tantivy.DocAddress]:
        return [address for _, address in searcher.search(query, 10, count=count).hits]

    return Engine(prepare, search)


def build_vespid(texts: Sequence[str]) -> DocumentTypeIndex:
    index = DocumentTypeIndex(SCHEMA)
    for lid, text in enumerate(texts):
        index.put(lid, {"text": text})
    return index


def build_fts5(texts: Sequence[str]) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE docs USING fts5(text)")
    connection.executemany(
        "INSERT INTO docs(rowid, text) VALUES (?, ?)", ((i, t) for i, t in enumerate(texts))
    )
    connection.commit()
    return connection


def build_tantivy(texts: Sequence[str]) -> tuple[tantivy.Index, tantivy.Schema]:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=False, tokenizer_name="default", index_option="freq")
    builder.add_unsigned_field("lid", stored=True)
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for lid, text in enumerate(texts):
        writer.add_document(tantivy.Document(text=text, lid=lid))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, schema


def timed(label: str, build: Callable[[], Built]) -> Built:
    start = time.perf_counter()
    built = build()
    sys.stdout.write(f"  build {label:<8} {time.perf_counter() - start:7.1f} s\n")
    sys.stdout.flush()
    return built


def sample_queries(
    brute: BruteForce, length: int, count: int, seed: int, frequent: bool
) -> list[list[str]]:
    """Queries of ``length`` distinct terms among those in at least MIN_DF documents.

    ``frequent`` draws terms in proportion to their document frequency (as picking a
    word of a random document would), else uniformly from that vocabulary.
    """
    terms = sorted(t for t, c in brute.vocabulary.items() if brute.df[c] >= MIN_DF)
    weights = np.array([brute.df[brute.vocabulary[t]] for t in terms], dtype=np.float64)
    p = weights / weights.sum() if frequent else None
    rng = np.random.default_rng(seed)
    return [
        [terms[i] for i in rng.choice(len(terms), size=length, replace=False, p=p)]
        for _ in range(count)
    ]


def rates(engines: Sequence[Engine], queries: list[list[str]]) -> list[float]:
    """Median over ROUNDS of queries per CPU-second, the engines taking turns each round.

    CPU time of this process (tantivy searches on the calling thread) is less
    disturbed by other work on a shared machine than wall time.
    """
    prepared = [[engine.prepare(q) for q in queries] for engine in engines]
    per_round: list[list[float]] = [[] for _ in engines]
    for _ in range(ROUNDS):
        for i, engine in enumerate(engines):
            search = engine.search
            start = time.process_time()
            for query in prepared[i]:
                search(query)
            per_round[i].append(len(queries) / max(time.process_time() - start, 1e-9))
    return [statistics.median(r) for r in per_round]


def overlap(found: list[list[int]], truth: list[list[int]]) -> float:
    """Mean share of the true top 10 found (1 for a query that rightly finds nothing)."""
    shared = [
        len(set(f) & set(t)) / len(t) if t else float(not f)
        for f, t in zip(found, truth, strict=True)
    ]
    return float(np.mean(shared))


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else DOCUMENTS
    per_length = int(sys.argv[2]) if len(sys.argv) > 2 else QUERIES
    sys.stdout.write(f"bm25 top-10, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    sys.stdout.write(f"  machine: {machine()}\n")
    texts = documents(count)
    words = sum(len(_TOKEN.findall(t)) for t in texts)
    sys.stdout.write(
        f"  corpus: {len(texts)} paragraphs of man pages (+ /usr/share/doc), "
        f"{words / len(texts):.1f} tokens each\n"
    )
    brute = BruteForce(texts)
    vespid_index = timed("vespid", lambda: build_vespid(texts))
    fts5 = timed("fts5", lambda: build_fts5(texts))
    tantivy_index, tantivy_schema = timed("tantivy", lambda: build_tantivy(texts))
    lids = tantivy_lids(tantivy_index)
    sys.stdout.write(
        "  q/s = median of rounds; overlap = mean top-10 overlap with brute-force bm25\n"
    )
    header = (
        f"  {'query':<12}{'median df':>10}{'vespid':>9}{'fts5':>9}{'tantivy':>9}"
        f"{'tantivy+count':>15}{'vs fts5':>9}{'vs tantivy':>11}   overlap v/f/t\n"
    )
    titles = {
        "or": "OR",
        "and": "AND",
        "weakand": "vespid weakAnd (targetHits 100) vs the others' OR",
    }
    for frequent in (False, True):
        mix = "terms drawn by document frequency" if frequent else "terms drawn uniformly"
        for kind in ("or", "and", "weakand"):
            sys.stdout.write(f"  -- {titles[kind]}, {mix}\n")
            sys.stdout.write(header)
            for length in (1, 2, 3):
                if kind != "or" and length == 1:
                    continue
                queries = sample_queries(brute, length, per_length, SEED + length, frequent)
                run_queries(kind, queries, brute, vespid_index, fts5, tantivy_index,
                            tantivy_schema, lids)  # fmt: skip


def tantivy_lids(index: tantivy.Index) -> Callable[[list[tantivy.DocAddress]], list[int]]:
    searcher = index.searcher()

    def resolve(addresses: list[tantivy.DocAddress]) -> list[int]:
        return [int(searcher.doc(a)["lid"][0]) for a in addresses]

    return resolve


def run_queries(
    kind: str,
    queries: list[list[str]],
    brute: BruteForce,
    vespid_index: DocumentTypeIndex,
    fts5: sqlite3.Connection,
    tantivy_index: tantivy.Index,
    tantivy_schema: tantivy.Schema,
    lids: Callable[[list[tantivy.DocAddress]], list[int]],
) -> None:
    conjunctive = kind == "and"
    occur = tantivy.Occur.Must if conjunctive else tantivy.Occur.Should
    engines = [
        vespid_search(vespid_index, kind),
        fts5_search(fts5, "AND" if conjunctive else "OR"),
        tantivy_search(tantivy_index, tantivy_schema, occur, count=False),
        tantivy_search(tantivy_index, tantivy_schema, occur, count=True),
    ]
    truth = [brute.top10(q, conjunctive) for q in queries]
    found_v = [engines[0].run(q) for q in queries]
    found_f = [engines[1].run(q) for q in queries]
    found_t = [lids(engines[2].run(q)) for q in queries]
    qps = rates(engines, queries)
    df = statistics.median(int(brute.df[brute.vocabulary[t]]) for q in queries for t in q)
    length = len(queries[0])
    label = f"{length} term{'s' if length > 1 else ''}"
    sys.stdout.write(
        f"  {label:<12}{df:>10.0f}{qps[0]:>9.0f}{qps[1]:>9.0f}{qps[2]:>9.0f}{qps[3]:>15.0f}"
        f"{qps[0] / qps[1]:>9.2f}{qps[0] / qps[2]:>11.2f}   "
        f"{overlap(found_v, truth):.3f}/{overlap(found_f, truth):.3f}/"
        f"{overlap(found_t, truth):.3f}\n"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
