"""Fitting query items to the kinds of the fields they search."""

from __future__ import annotations

import pytest

from container.errors import IllegalQueryError
from container.query import resolve_field_kinds
from vespid.config import FieldConfig, SchemaConfig
from vespid.messages import (
    AndItem,
    EqualsItem,
    InItem,
    NotItem,
    SameElementItem,
    TermItem,
    TrueItem,
)

SCHEMA = SchemaConfig(
    "s",
    fields=(
        FieldConfig("year", "int", attribute=True),
        FieldConfig("price", "double", attribute=True),
        FieldConfig("tags", "array<string>", attribute=True),
        FieldConfig("ids", "weightedset<long>", attribute=True),
        FieldConfig("title", "string", index=True),
    ),
)


def resolve(item: object) -> object:
    return resolve_field_kinds(item, [SCHEMA])  # type: ignore[arg-type]


def test_numeric_terms_become_equalities_anywhere_in_the_tree() -> None:
    tree = NotItem(
        AndItem((TermItem("year", "2001"), TermItem("title", "2001"))), (TermItem("price", "1.5"),)
    )
    assert resolve(tree) == NotItem(
        AndItem((EqualsItem("year", 2001), TermItem("title", "2001"))),
        (EqualsItem("price", 1.5),),
    )


def test_numeric_term_syntax_stays_a_term_for_the_content_node() -> None:
    for term in ("<2000", "[1990;2000]", "abc"):
        assert resolve(TermItem("year", term)) == TermItem("year", term)


def test_in_fits_values_to_integer_and_string_fields() -> None:
    assert resolve(InItem("ids", (1, 2.0))) == InItem("ids", (1, 2))
    assert resolve(InItem("tags", ("a", "b"))) == InItem("tags", ("a", "b"))
    with pytest.raises(IllegalQueryError, match="only supported for integer and string fields"):
        resolve(InItem("price", (1,)))
    with pytest.raises(IllegalQueryError, match="holds strings"):
        resolve(InItem("tags", ("a", 25)))
    with pytest.raises(IllegalQueryError, match="holds integers"):
        resolve(InItem("year", ("a",)))


def test_unknown_fields_and_struct_children_are_left_alone() -> None:
    for item in (
        TermItem("nope", "x"),
        InItem("nope", (1.5,)),
        SameElementItem("year", (TermItem("year", "x"),)),
        TrueItem(),
    ):
        assert resolve(item) == item
