"""The container's exception → HTTP table covers every error it can raise."""

from __future__ import annotations

import inspect

import pytest

from container import errors as container_errors
from container.http import ERROR_TABLE, mapping_for
from vespid import errors as vespid_errors

INHERITS = {
    container_errors.UnknownClusterError: container_errors.BadDocumentRequestError,
    vespid_errors.InvalidDocumentIdError: vespid_errors.InvalidDocumentError,
}
"""Classes that deliberately answer like their parent."""


def _exception_classes(module: object) -> list[type[Exception]]:
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == getattr(module, "__name__", "")
    ]


@pytest.mark.parametrize(
    "cls", _exception_classes(container_errors) + _exception_classes(vespid_errors)
)
def test_every_error_class_has_an_entry_or_deliberately_inherits_one(cls: type[Exception]) -> None:
    if cls in INHERITS:
        assert cls not in ERROR_TABLE
        assert ERROR_TABLE[INHERITS[cls]] is mapping_for(cls.__new__(cls))
    else:
        assert cls in ERROR_TABLE, f"{cls.__name__} has no entry in container/http/errors.py"


def test_document_statuses_are_vespas() -> None:
    statuses = {cls.__name__: m.document_status for cls, m in ERROR_TABLE.items()}
    assert statuses["DocumentNotFoundError"] == 404
    assert statuses["ConditionNotMetError"] == 412
    assert statuses["OverloadError"] == 429
    assert statuses["InsufficientStorageError"] == 507
    assert statuses["DispatchTimeoutError"] == 504
    assert statuses["InvalidDocumentError"] == 400


def test_search_codes_are_vespas() -> None:
    codes = {cls.__name__: m.search_code for cls, m in ERROR_TABLE.items()}
    assert codes["YqlSyntaxError"] == 3
    assert codes["InvalidQueryParameterError"] == 4
    assert codes["DispatchTimeoutError"] == 12
    assert codes["BackendCommunicationError"] == 10
