"""Fixtures for the application-package tests: conformance packages and golden files.

`pytest --update-golden` rewrites the expected files under tests/golden/ instead of
comparing against them (Vespa's `updateExpectedFiles`); review the diff like code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conformance import CONFORMANCE as SHARED

CONFORMANCE = SHARED
GOLDEN = Path(__file__).resolve().parents[2] / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --update-golden (tolerating another conftest that already added it)."""
    try:
        parser.addoption(
            "--update-golden",
            action="store_true",
            default=False,
            help="rewrite golden files instead of comparing with them",
        )
    except ValueError:
        return


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite golden files."""
    return bool(request.config.getoption("--update-golden", default=False))


def read_package_dir(root: Path) -> dict[str, bytes]:
    """Return every file under ``root`` as package path → bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def port_counter(start: int = 19100) -> Callable[[], int]:
    """Return a deterministic ``allocate_port`` for tests."""
    counter = itertools.count(start)
    return lambda: next(counter)
