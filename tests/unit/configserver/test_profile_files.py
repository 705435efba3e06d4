"""Rank profiles in `schemas/<schema>/**/<profile>.profile` files."""

from __future__ import annotations

import pytest

from configserver.errors import InvalidApplicationPackageError
from configserver.schema.parser import parse_profile_file
from tests.unit.configserver.test_model_derive import BOOK, _derive, _files

BOOK_WITH_PROFILE = BOOK.replace(
    b"  document-summary short",
    b"  rank-profile base_rank { first-phase { expression: attribute(year) } }\n"
    b"  document-summary short",
)


def _with(profiles: dict[str, bytes]) -> dict[str, bytes]:
    return _files() | {"schemas/book.sd": BOOK_WITH_PROFILE} | profiles


def _messages(profiles: dict[str, bytes]) -> list[str]:
    with pytest.raises(InvalidApplicationPackageError) as info:
        _derive(_with(profiles))
    return list(info.value.messages)


def test_profile_files_join_their_schema_and_inherit_its_profiles() -> None:
    derived = _derive(
        _with(
            {
                "schemas/book/fresh.profile": b"rank-profile fresh inherits base_rank {\n"
                b"  second-phase { expression: firstPhase * 2 }\n}\n",
                "schemas/book/more/deep.profile": b"rank-profile deep { first-phase { "
                b"expression: bm25(title) } }",
            }
        )
    )
    schema = derived.content.schema("book")
    assert schema is not None
    fresh = schema.rank_profile("fresh")
    assert fresh is not None
    assert (fresh.first_phase, fresh.second_phase) == ("attribute(year)", "firstPhase * 2")
    deep = schema.rank_profile("deep")
    assert deep is not None
    assert deep.first_phase == "bm25(title)"


def test_nested_profiles_are_named_outer_dot_inner() -> None:
    nested = b"""rank-profile outer inherits base_rank {
    function fo1() { expression: now }
    rank-profile child inherits outer {
        function fo2() { expression: 5 }
        rank-profile deeper inherits outer.child { }
    }
}"""
    derived = _derive(_with({"schemas/book/outer.profile": nested}))
    schema = derived.content.schema("book")
    assert schema is not None
    deeper = schema.rank_profile("outer.child.deeper")
    assert deeper is not None
    assert deeper.first_phase == "attribute(year)"
    assert [f.name for f in deeper.functions] == ["fo1", "fo2"]
    outer = schema.rank_profile("outer")
    assert outer is not None
    assert [f.name for f in outer.functions] == ["fo1"]


def test_errors_name_the_profile_file() -> None:
    messages = _messages(
        {
            "schemas/book/typo.profile": b"rank-profile typo {\n"
            b"  first-phase { expression: attribute(yaer) }\n}"
        }
    )
    assert messages == [
        "schemas/book/typo.profile:2:29: unknown field 'yaer' in 'attribute(yaer)' in "
        "rank-profile 'typo' first-phase"
    ]


def test_syntax_errors_name_the_profile_file() -> None:
    messages = _messages({"schemas/book/bad.profile": b"rank-profile bad {\n  first-phase {\n"})
    assert len(messages) == 1
    assert messages[0].startswith("schemas/book/bad.profile:")


def test_inheriting_an_unknown_profile_names_the_profile_file() -> None:
    messages = _messages({"schemas/book/orphan.profile": b"rank-profile orphan inherits nope {}"})
    assert messages == [
        "schemas/book/orphan.profile:1:14: rank-profile 'orphan' inherits unknown "
        "rank-profile 'nope'"
    ]


def test_the_file_is_named_like_its_profile() -> None:
    messages = _messages({"schemas/book/one.profile": b"rank-profile two {}"})
    assert messages == [
        "schemas/book/one.profile:1:14: rank-profile 'two' must be in a file named "
        "'two.profile', not 'one.profile'"
    ]


def test_a_profile_file_holds_one_profile() -> None:
    with pytest.raises(InvalidApplicationPackageError, match="unexpected text after"):
        parse_profile_file(b"rank-profile a {}\nrank-profile b {}", "schemas/book/a.profile")
    with pytest.raises(InvalidApplicationPackageError, match="expected 'rank-profile'"):
        parse_profile_file(b"field x type int {}", "schemas/book/x.profile")


def test_a_profile_directory_needs_its_schema() -> None:
    messages = _messages({"schemas/music/p.profile": b"rank-profile p {}"})
    assert messages == [
        "schemas/music/p.profile:1:1: rank profile file in 'schemas/music/', but there is "
        "no schema file 'schemas/music.sd'"
    ]


def test_ignored_settings_in_a_profile_file_are_warned_about() -> None:
    derived = _derive(
        _with({"schemas/book/w.profile": b"rank-profile w {\n  num-threads-per-search: 4\n}"})
    )
    assert "schemas/book/w.profile:2:3: num-threads-per-search in rank-profile 'w' is ignored" in (
        derived.warnings
    )
