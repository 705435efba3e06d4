"""Document ids parse and print back exactly; bad ids get InvalidDocumentIdError."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from vespid.document import DocumentId
from vespid.errors import InvalidDocumentIdError

part = st.text(alphabet=st.characters(blacklist_characters=":"), min_size=1, max_size=8)
ids = st.builds(
    DocumentId,
    namespace=st.text(alphabet=st.characters(blacklist_characters=":"), max_size=8),
    doctype=part,
    user_specific=st.text(min_size=1, max_size=12),
    number=st.none() | st.integers(0, 2**64 - 1),
)


@given(ids)
def test_text_form_round_trips(doc_id: DocumentId) -> None:
    assert DocumentId.parse(str(doc_id)) == doc_id


def test_user_part_keeps_colons_and_slashes() -> None:
    doc_id = DocumentId.parse("id:ns:music:g=group 1:a/b:c")
    assert (doc_id.group, doc_id.user_specific) == ("group 1", "a/b:c")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("music::x", "is not of the form"),
        ("id:ns::: x", "no document type"),
        ("id:ns:music::", "no user-specified part"),
        ("id:ns:music:n=x:y", "not a number"),
        ("id:ns:music:q=1:y", "unknown key"),
        ("id:ns:music:g=:y", "empty group"),
    ],
)
def test_invalid_ids_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidDocumentIdError, match=message):
        DocumentId.parse(text)


@given(st.text(max_size=30))
def test_arbitrary_text_raises_only_our_error(text: str) -> None:
    try:
        doc_id = DocumentId.parse(text)
    except InvalidDocumentIdError:
        return
    assert DocumentId.parse(str(doc_id)) == doc_id
