"""The text index with frozen segments: against a dict model through flushes and reloads.

Every read of `FieldIndex` (posting lists with frequencies, positions and field
lengths; prefix expansion; document count and average length) must equal what a plain
``term → lid → positions`` dict gives, whatever mix of writes, flushes (seal, writes
racing the fusion, install) and save/load round trips came before. Array files must
refuse any damage.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, strategies as st

from content.index import Analyzer, FieldIndex
from content.index.linguistics import ELEMENT_GAP
from content.storage.arrays import ArraysCorruptionError, read_arrays, serialize_arrays
from vespid.config import FieldConfig

VOCABULARY = ["red", "read", "blue", "love", "lover", "song", "sun"]
LIDS = range(8)
texts = st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=5).map(" ".join)
values = st.one_of(texts, st.lists(texts, max_size=3))
steps = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(LIDS), values),
        st.tuples(st.just("remove"), st.sampled_from(LIDS)),
        st.tuples(st.sampled_from(["flush", "seal", "install", "reload"])),
    ),
    max_size=40,
)

Model = dict[int, dict[str, list[int]]]
"""lid → term → positions."""


def new_index() -> FieldIndex:
    return FieldIndex(Analyzer.for_field(FieldConfig("title", "string", index=True)))


def model_put(model: Model, lid: int, value: Any) -> None:
    model.pop(lid, None)
    elements = [value] if isinstance(value, str) else value
    positions: dict[str, list[int]] = {}
    for element, text in enumerate(elements):
        for i, word in enumerate(text.split()):
            positions.setdefault(word, []).append(element * ELEMENT_GAP + i)
    if positions:
        model[lid] = positions


def assert_matches(index: FieldIndex, model: Model, lengths: dict[int, int]) -> None:
    for term in VOCABULARY:
        postings = index.postings(term)
        expected = sorted(lid for lid, terms in model.items() if term in terms)
        assert postings.lids.tolist() == expected
        assert list(postings.docids) == expected
        assert postings.term_frequencies.tolist() == [len(model[lid][term]) for lid in expected]
        keys = [lid << 32 | p for lid in expected for p in model[lid][term]]
        assert postings.position_keys.tolist() == keys
        assert postings.field_lengths.tolist() == [lengths[lid] for lid in expected]
    for prefix in ("re", "lo", "s", "x", ""):
        live = [t for t in index.terms_with_prefix(prefix) if index.postings(t).lids.size]
        assert live == sorted(
            {t for terms in model.values() for t in terms if t.startswith(prefix)}
        )
    assert index.document_count == len(model)
    total = sum(lengths[lid] for lid in model)
    assert index.average_field_length == (total / len(model) if model else 1.0)
    probe = np.array(list(LIDS), dtype=np.uint32)
    assert index.field_lengths(probe).tolist() == [lengths.get(lid, 0) for lid in LIDS]


def reload(index: FieldIndex) -> FieldIndex:
    """Seal, fuse, save to bytes, read back into a fresh index."""
    flush = index.seal()
    data = b"".join(bytes(c) for c in serialize_arrays({}, flush.arrays()))
    index.install(flush)
    fresh = new_index()
    fresh.load(read_arrays(data, "test")[1])
    return fresh


@given(steps=steps)
@example(steps=[("put", 0, "red red"), ("flush",), ("put", 0, "blue"), ("flush",)])
@example(steps=[("put", 1, "red"), ("seal",), ("remove", 1), ("put", 2, "sun"), ("install",)])
def test_field_index_matches_a_dict_through_flushes_and_reloads(
    steps: list[tuple[Any, ...]],
) -> None:
    index = new_index()
    model: Model = {}
    lengths: dict[int, int] = {}
    pending = []
    for step in steps:
        if step[0] == "put":
            index.put(step[1], step[2])
            model_put(model, step[1], step[2])
            lengths[step[1]] = sum(len(p) for p in model.get(step[1], {}).values())
        elif step[0] == "remove":
            index.remove(step[1])
            model.pop(step[1], None)
            lengths[step[1]] = 0
        elif step[0] == "flush":
            flush = index.seal()
            flush.fuse()
            index.install(flush)
        elif step[0] == "seal":
            pending.append(index.seal())
        elif step[0] == "install" and pending:
            index.install(pending.pop(0))
        elif step[0] == "reload":
            pending.clear()
            index = reload(index)
        assert_matches(index, model, lengths)


def test_a_flush_holds_the_index_as_it_was_when_sealed() -> None:
    index = new_index()
    index.put(0, "red sun")
    index.put(1, "red")
    flush = index.seal()
    index.remove(0)
    index.put(2, "red red")
    saved = flush.arrays()
    fresh = new_index()
    fresh.load(saved)
    assert fresh.postings("red").lids.tolist() == [0, 1]
    assert fresh.postings("sun").lids.tolist() == [0]
    index.install(flush)
    assert index.postings("red").lids.tolist() == [1, 2]
    assert index.postings("sun").lids.tolist() == []


arrays = st.dictionaries(
    st.text("abcxyz.", min_size=1, max_size=8),
    st.one_of(
        st.lists(st.integers(0, 2**32 - 1), max_size=20).map(lambda v: np.array(v, np.uint32)),
        st.lists(st.floats(allow_nan=False), max_size=20).map(lambda v: np.array(v)),
        st.lists(st.booleans(), max_size=20).map(lambda v: np.array(v, bool)),
    ),
    max_size=4,
)


@given(arrays=arrays, meta=st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
def test_array_files_round_trip(
    arrays: dict[str, np.ndarray[Any, Any]], meta: dict[str, int]
) -> None:
    data = b"".join(bytes(c) for c in serialize_arrays(meta, arrays))
    read_meta, read = read_arrays(data, "test")
    assert read_meta == meta
    assert read.keys() == arrays.keys()
    for name, array in arrays.items():
        assert read[name].dtype == array.dtype
        assert np.array_equal(read[name], array)


@given(at=st.integers(0, 10_000), cut=st.booleans())
def test_a_damaged_array_file_is_refused(at: int, cut: bool) -> None:
    payload: dict[str, np.ndarray[Any, Any]] = {
        "a": np.arange(50, dtype=np.uint32),
        "b": np.linspace(0, 1, 7),
    }
    data = bytearray(b"".join(bytes(c) for c in serialize_arrays({"serial": 5}, payload)))
    at %= len(data)
    if cut:
        damaged = bytes(data[:at])
    else:
        data[at] ^= 0x5A
        damaged = bytes(data)
    with pytest.raises(ArraysCorruptionError):
        read_arrays(damaged, "test")
