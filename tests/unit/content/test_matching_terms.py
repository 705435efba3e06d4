"""Numeric range tests: integer columns compare with integer bounds, same answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

from content.matching.term_matching import range_test

bounds = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**64), 2**64).map(float),
    st.integers(-20, 20).map(lambda n: n / 4),
)
values = st.lists(
    st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-10, 10)), min_size=1, max_size=30
)


@given(values, bounds, bounds, st.booleans(), st.booleans())
def test_integer_values_pass_a_range_exactly_when_their_exact_value_lies_inside(
    numbers: list[int],
    lower: float | None,
    upper: float | None,
    include_lower: bool,
    include_upper: bool,
) -> None:
    column = np.array(numbers, dtype=np.int64)
    found = range_test(lower, upper, include_lower, include_upper)(column)

    def inside(n: int) -> bool:
        # Python compares int and float exactly, with no rounding of n.
        low_ok = lower is None or (n >= lower if include_lower else n > lower)
        return low_ok and (upper is None or (n <= upper if include_upper else n < upper))

    assert found.tolist() == [inside(n) for n in numbers]
