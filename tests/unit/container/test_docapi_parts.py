"""document/v1 paths, bodies and visit tokens, without HTTP."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given, strategies as st

from container.docapi import (
    decode_progress,
    encode_progress,
    parse_document_path,
    read_body,
)
from container.errors import BadDocumentRequestError
from vespid.config import ContentClusterConfig
from vespid.document import DocumentId

names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@given(names, names, st.text(min_size=1, max_size=20))
def test_any_user_specified_part_survives_the_path(ns: str, doctype: str, user: str) -> None:
    path = parse_document_path(f"/document/v1/{ns}/{doctype}/docid/{user}")
    assert path.document_id == DocumentId(ns, doctype, user)
    assert not path.is_visit


@given(st.integers(-(2**63), 2**63 - 1), names)
def test_number_and_group_forms(number: int, group: str) -> None:
    assert parse_document_path(f"/document/v1/n/t/number/{number}/x").document_id.number == number
    assert parse_document_path(f"/document/v1/n/t/group/{group}/x").document_id.group == group


@pytest.mark.parametrize(
    "path",
    [
        "/document/v2/n/t/docid/x",
        "/document/v1/n",
        "/document/v1/n/t/number/x/y",
        "/document/v1/a:b/t/docid/x",
    ],
)
def test_malformed_paths_are_bad_requests(path: str) -> None:
    with pytest.raises(BadDocumentRequestError):
        parse_document_path(path)


def test_bodies_plain_gzipped_empty_and_malformed() -> None:
    raw = b'{"fields": {"a": 1}, "condition": "t.a==1", "create": true, "remove": "x"}'
    body = read_body(gzip.compress(raw), "gzip")
    assert (body.fields, body.condition, body.create) == ({"a": 1}, "t.a==1", True)
    assert read_body(b"", None).fields == {}
    for bad, encoding in [(b"[1]", None), (b'{"fields": 3}', None), (b"x", "gzip"), (b"{}", "br")]:
        with pytest.raises(BadDocumentRequestError):
            read_body(bad, encoding)


@given(st.lists(st.tuples(st.integers(0, 100), st.text(max_size=30)), max_size=5))
def test_visit_progress_round_trips(pending: list[tuple[int, str]]) -> None:
    cluster = ContentClusterConfig("c")
    assert decode_progress(encode_progress("c", pending), cluster) == pending


def test_visit_progress_of_another_cluster_or_garbage_is_refused() -> None:
    with pytest.raises(BadDocumentRequestError, match="another cluster"):
        decode_progress(encode_progress("d", []), ContentClusterConfig("c"))
    with pytest.raises(BadDocumentRequestError, match="Invalid continuation"):
        decode_progress("not base64 at all!", ContentClusterConfig("c"))


def test_a_newline_in_the_id_is_part_of_it() -> None:
    assert parse_document_path("/document/v1/n/t/docid/a\nb").document_id.user_specific == "a\nb"
