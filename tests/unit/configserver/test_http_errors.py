"""The exception → HTTP table covers every error class of configserver/errors.py."""

from __future__ import annotations

import inspect

import pytest

import configserver.errors
from configserver.errors import ConfigServerError
from configserver.http.errors import ERROR_TABLE, status_and_code

ERROR_CLASSES = [
    cls
    for _, cls in inspect.getmembers(configserver.errors, inspect.isclass)
    if issubclass(cls, ConfigServerError) and cls.__module__ == configserver.errors.__name__
]


def test_error_classes_found() -> None:
    assert ConfigServerError in ERROR_CLASSES
    assert len(ERROR_CLASSES) >= 8


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_is_mapped(cls: type[ConfigServerError]) -> None:
    """Mapped directly, or deliberately inheriting a mapping that agrees with the class."""
    status, code = status_and_code(cls)
    if cls not in ERROR_TABLE:
        assert (status, code) == (cls.http_status, cls.error_code), (
            f"{cls.__name__} inherits {status} {code} but declares "
            f"{cls.http_status} {cls.error_code}; add it to ERROR_TABLE"
        )
    assert 400 <= status < 600
    assert code == code.upper()
