"""The document selection language: parsing, errors, and three-valued evaluation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, strategies as st

from content.node.selection import (
    And,
    Call,
    Compare,
    Const,
    DocType,
    Field,
    IdPart,
    Not,
    SelectionSyntaxError,
    parse_selection,
)
from content.node.selection_eval import INVALID, Subject, matches, truth
from vespid.document import DocumentId

DOC = Subject(
    DocumentId.parse("id:ns:music:n=42:song-1"),
    {
        "title": "Love Me Do",
        "year": 1962,
        "rating": 4.5,
        "tags": ["pop", "rock"],
        "ws": {"a": 1, "b": 2},
        "info": {"label": "Parlophone", "sides": [1, 2]},
        "m": {"k": "v"},
    },
    now=1_700_000_000.0,
)


def holds(text: str, subject: Subject = DOC) -> Any:
    return truth(parse_selection(text), subject)


def test_parse_trees() -> None:
    assert parse_selection("music") == DocType("music")
    assert parse_selection("music.year > 2000 and not music.artist") == And(
        Compare(">", Field("music", "year"), Const(2000)), Not(Field("music", "artist"))
    )
    assert parse_selection("id.user.hash().abs() == 1") == Compare(
        "==", Call(Call(IdPart("user"), "hash"), "abs"), Const(1)
    )
    assert parse_selection('TRUE or "a" == "\\x41"') is not None


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("3", 1, "Expected a condition"),
        ("music.year >", 12, "Unexpected 'end'"),
        ("music.year.foo()", 14, "Unknown function 'foo()'"),
        ('"open', 0, "Unexpected '\"'"),
        ("id.bucket == 1", 0, "Unknown id part"),
        ("and", 0, "Unexpected 'and'"),
        ("(music", 6, "Expected )"),
        ('music.t == "\\q"', 12, "Unknown escape"),
    ],
)
def test_syntax_errors_say_where(text: str, position: int, message: str) -> None:
    with pytest.raises(SelectionSyntaxError, match=re.escape(message)) as info:
        parse_selection(text)
    assert info.value.position == position


@given(st.text(alphabet='musicyear.()"=<>!~ andortu0123+-*/%{}[]', max_size=30))
def test_any_text_parses_or_raises_a_syntax_error(text: str) -> None:
    error: SelectionSyntaxError | None = None
    try:
        parse_selection(text)
    except SelectionSyntaxError as e:
        error = e
    assert error is None or 0 <= error.position <= len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("music", True),
        ("books", False),
        ("music.title", True),
        ("music.nope", False),
        ("not music.nope", True),
        ('music.title == "Love Me Do"', True),
        ('music.title = "Love*"', True),
        ('music.title = "love*"', False),
        ('music.title.lowercase() = "love ?e do"', True),
        ('music.title =~ "^Lo.e"', True),
        ("music.year >= 1962 and music.year < 1963", True),
        ("music.rating > 4", True),
        ("music.year == 1962.0", True),
        ("music.year / 2 == 981", True),
        ("music.year % 100 == 62", True),
        ('music.tags == "rock"', True),
        ('music.tags == "jazz"', False),
        ('music.ws == "b"', True),
        ('music.info.label = "Parl*"', True),
        ("music.info.sides[1] == 2", True),
        ('music.m{k} == "v"', True),
        ("music.nope == null", True),
        ("music.title != null", True),
        ('id.namespace == "ns" and id.type == "music"', True),
        ("id.user == 42 and id.group == null", True),
        ('id.specific = "song-*"', True),
        ('id == "id:ns:music:n=42:song-1"', True),
        ("music.year < now()", True),
        ("music.year > now() - 7200", False),
        ('(music.title + "!") == "Love Me Do!"', True),
        ("books.year > 1", INVALID),
        ("music.nope > 1", INVALID),
        ('music.year > "x"', INVALID),
        ("music.year / 0 == 1", INVALID),
        ("music.nope > 1 and false", False),
        ("music.nope > 1 or true", True),
        ("not music.nope > 1", INVALID),
        ('music.title =~ "("', INVALID),
    ],
)
def test_evaluation(text: str, expected: Any) -> None:
    assert holds(text) is expected
    assert matches(parse_selection(text), DOC) is (expected is True)


def test_hash_is_a_signed_64_bit_number() -> None:
    hashed = holds("id.specific.hash() == id.specific.hash()")
    assert hashed is True
    assert holds("id.specific.hash().abs() >= 0") is True


values = st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b"]), st.none())


@given(left=values, right=values, op=st.sampled_from(["==", "!=", "<", ">="]))
def test_comparisons_agree_with_python(left: Any, right: Any, op: str) -> None:
    doc = Subject(DocumentId.parse("id:n:t::x"), {} if left is None else {"f": left}, 0.0)
    literal = "null" if right is None else f'"{right}"' if isinstance(right, str) else str(right)
    result = holds(f"t.f {op} {literal}", doc)
    if op in ("==", "!="):
        same = left == right and type(left) is type(right)
        assert result is (same if op == "==" else not same)
    elif left is None or right is None or type(left) is not type(right):
        assert result is INVALID
    else:
        assert result is (left < right if op == "<" else left >= right)
