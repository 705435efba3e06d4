"""Saving an index and loading it back: same answers, no rebuild, damage detected.

The same checks run on the RAM and the file directory (one conformance suite).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from content.hnsw import (
    HnswCorruptionError,
    HnswIndex,
    load_index,
    read_index,
    save_index,
    serialize_index,
)
from content.hnsw.serializer import MAGIC, PREAMBLE
from content.storage import Directory, FileDirectory, RamDirectory

RNG = np.random.default_rng(21)
VECTORS = RNG.normal(size=(500, 8)).astype(np.float32)


@pytest.fixture(params=["ram", "file"])
def directory(request: pytest.FixtureRequest, tmp_path: Path) -> Directory:
    if request.param == "ram":
        return RamDirectory()
    return FileDirectory(tmp_path / "hnsw")


def built(metric: str = "euclidean") -> HnswIndex:
    index = HnswIndex(8, metric, max_links_per_node=8, neighbors_to_explore_at_insert=50)
    index.set_vectors(np.arange(500), VECTORS)
    for lid in range(0, 500, 10):
        index.remove(lid)
    return index


@pytest.mark.parametrize("metric", ["euclidean", "angular", "dotproduct", "hamming", "geodegrees"])
def test_loaded_index_answers_like_the_saved_one(directory: Directory, metric: str) -> None:
    dims = 2 if metric == "geodegrees" else 8
    vectors = np.round(VECTORS * 30) if metric == "hamming" else VECTORS
    index = HnswIndex(dims, metric)
    index.set_vectors(np.arange(500), vectors[:, :dims])
    index.remove(7)
    save_index(directory, "embedding.hnsw", index)
    loaded = load_index(directory, "embedding.hnsw")
    assert loaded.settings == index.settings
    assert loaded.size == 499
    for query in vectors[:20, :dims]:
        before, after = index.search(query, 5), loaded.search(query, 5)
        assert before[0].tolist() == after[0].tolist()
        assert before[1].tolist() == after[1].tolist()


def test_removed_documents_stay_removed_and_the_loaded_index_takes_writes() -> None:
    loaded = read_index(serialize_index(built()))
    assert loaded.size == 450
    assert not loaded.contains(10)
    assert 10 not in loaded.search(VECTORS[10], 3)[0].tolist()
    loaded.set_vector(10, VECTORS[10])
    loaded.set_vector(900, VECTORS[11] + 0.001)
    loaded.remove(11)
    assert loaded.search(VECTORS[10], 1)[0].tolist() == [10]
    assert loaded.search(VECTORS[11], 1)[0].tolist() == [900]
    assert loaded.size == 451


def test_saving_twice_gives_the_same_bytes() -> None:
    index = built()
    assert serialize_index(index) == serialize_index(index)


def test_loading_does_not_rebuild_the_graph() -> None:
    # Saving the loaded index gives the saved bytes back: links, levels and labels
    # were copied, not recomputed.
    index = built()
    data = serialize_index(index)
    loaded = read_index(data)
    assert serialize_index(loaded) == data


def test_missing_file_is_file_not_found(directory: Directory) -> None:
    with pytest.raises(FileNotFoundError):
        load_index(directory, "absent.hnsw")


def test_every_flipped_region_is_detected(directory: Directory) -> None:
    data = bytearray(serialize_index(built()))
    for offset in (0, 9, PREAMBLE.size + 3, len(data) // 2, len(data) - 1):
        damaged = bytearray(data)
        damaged[offset] ^= 0x40
        directory.write_atomic("x.hnsw", [bytes(damaged)])
        with pytest.raises(HnswCorruptionError) as caught:
            load_index(directory, "x.hnsw")
        assert caught.value.path == directory.describe("x.hnsw")


@pytest.mark.parametrize("keep", [0, 5, PREAMBLE.size + 10, -1])
def test_a_cut_file_is_detected(keep: int) -> None:
    data = serialize_index(built())
    with pytest.raises(HnswCorruptionError):
        read_index(data[:keep])


def test_trailing_bytes_are_detected() -> None:
    with pytest.raises(HnswCorruptionError, match="after the arrays"):
        read_index(serialize_index(built()) + b"\0")


def test_the_file_starts_with_the_magic_and_version() -> None:
    data = serialize_index(built())
    magic, version, _, _ = PREAMBLE.unpack_from(data)
    assert (magic, version) == (MAGIC, 1)


def test_a_loaded_index_leaves_its_graph_alone_when_a_vector_is_set_again() -> None:
    """As before the save: a partial update re-puts a document with the same vector, and
    reviving a removed lid with its old vector only unmarks it, so a log replay after a
    restart changes the loaded graph exactly as it changed the graph it was saved from."""
    loaded = read_index(serialize_index(built()))
    unchanged = serialize_index(loaded)
    for lid in (3, 251, 10, 250):  # live, live, removed, removed
        loaded.set_vector(lid, VECTORS[lid])
    loaded.remove(10)
    loaded.remove(250)
    assert serialize_index(loaded) == unchanged
