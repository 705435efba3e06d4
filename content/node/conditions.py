"""Test-and-set conditions and visit selections: where the selection language meets writes.

A write with a condition goes ahead only if the stored document satisfies it; a
missing document fails the condition unless the write may create it (``create``).
Parse errors are the client's: 400 for writes (invalid document operation) and for
visits (invalid query).
"""

from __future__ import annotations

from typing import Any

from content.node.selection import Node, SelectionSyntaxError, parse_selection
from content.node.selection_eval import Subject, matches
from vespid.document import DocumentId
from vespid.errors import ConditionNotMetError, InvalidDocumentError, InvalidQueryError


def parse_condition(condition: str) -> Node:
    """The tree of a test-and-set condition.

    Raises:
        InvalidDocumentError: when the condition does not parse.
    """
    try:
        return parse_selection(condition)
    except SelectionSyntaxError as e:
        raise InvalidDocumentError(f"Invalid test-and-set condition: {e}") from None


def parse_visit_selection(selection: str | None) -> Node | None:
    """The tree of a visit's selection; None when every document is selected.

    Raises:
        InvalidQueryError: when the selection does not parse.
    """
    if selection is None or not selection.strip():
        return None
    try:
        return parse_selection(selection)
    except SelectionSyntaxError as e:
        raise InvalidQueryError(f"Invalid document selection: {e}") from None


def check_condition(
    condition: str | None,
    doc_id: DocumentId,
    fields: dict[str, Any] | None,
    create: bool,
    now: float,
) -> None:
    """Raise unless a write of ``doc_id`` (stored ``fields``, None if missing) may go ahead.

    Raises:
        InvalidDocumentError: the condition does not parse.
        ConditionNotMetError: the condition does not hold.
    """
    if not condition:
        return
    tree = parse_condition(condition)
    if fields is None:
        if create:
            return
        raise ConditionNotMetError(
            f"Condition '{condition}' not met: document {doc_id} does not exist"
        )
    if not matches(tree, Subject(doc_id, fields, now)):
        raise ConditionNotMetError(f"Condition '{condition}' not met for document {doc_id}")


def selected(tree: Node | None, doc_id: str, fields: dict[str, Any] | None, now: float) -> bool:
    """Whether a visited document (``fields`` None for a tombstone) is selected.

    A tombstone is judged as a document without fields: selections on its id or type
    can hold, selections on field values cannot.
    """
    if tree is None:
        return True
    return matches(tree, Subject(DocumentId.parse(doc_id), fields or {}, now))
