"""docids_from_mask writes a boolean mask straight into roaring containers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st
from pyroaring import BitMap

from content.index import docids_from_mask

CONTAINER = 1 << 16


@given(
    st.integers(0, 3 * CONTAINER + 5),
    st.sampled_from([0.0, 0.001, 0.05, 0.5, 1.0]),
    st.integers(0, 2**32 - 1),
)
def test_a_mask_becomes_the_set_of_its_true_positions(size: int, density: float, seed: int) -> None:
    mask = np.random.default_rng(seed).random(size) < density
    assert docids_from_mask(mask) == BitMap(np.flatnonzero(mask).tolist())


@given(st.lists(st.integers(0, 3 * CONTAINER), max_size=5000))
def test_containers_around_the_array_bitset_boundary_are_exact(lids: list[int]) -> None:
    mask = np.zeros(3 * CONTAINER + 1, dtype=bool)
    mask[lids] = True
    mask[CONTAINER : CONTAINER + 4097] = True  # one container just over the array limit
    mask[2 * CONTAINER : 2 * CONTAINER + 4096] = True  # one exactly at it
    found = docids_from_mask(mask)
    assert found == BitMap(np.flatnonzero(mask).tolist())
    assert len(found) == int(mask.sum())
