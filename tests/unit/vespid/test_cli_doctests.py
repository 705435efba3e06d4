"""The examples in the CLI's docstrings are true."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from vespid.cli import client, feedops, supervisor


@pytest.mark.parametrize("module", [client, feedops, supervisor], ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
