"""Prepare-time checks of rank expressions: one test per kind of error, printed like a
compiler's (`file:line:col: message in rank-profile 'p' phase`)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from configserver.errors import InvalidApplicationPackageError
from configserver.model.rank_features import RANK_FEATURES, UNTYPED_FEATURES
from tests.unit.configserver.test_model_derive import RANKED, _derive, _files
from tests.unit.vespid.test_expression_robustness import EXPRESSIONS

WHERE = "in rank-profile 'p' first-phase"


def _messages(profile: str) -> list[str]:
    sd = RANKED.replace("PROFILE", profile).encode()
    with pytest.raises(InvalidApplicationPackageError) as info:
        _derive(_files() | {"schemas/book.sd": sd})
    return list(info.value.messages)


def _accepted(profile: str) -> None:
    derived = _derive(_files() | {"schemas/book.sd": RANKED.replace("PROFILE", profile).encode()})
    assert derived.content.schemas


def test_tensor_types_that_do_not_join() -> None:
    # located at the product inside sum(...), where the quoted sub-expression is written
    messages = _messages(
        "inputs { query(q) tensor<float>(x[4]) }\n"
        " first-phase { expression: sum(query(q) * attribute(vec)) }"
    )
    assert messages == [
        "schemas/book.sd:8:32: cannot combine tensor<float>(x[4]) with tensor<float>(x[2]) in "
        f"'query(q) * attribute(vec)': dimension x is x[4] in one and x[2] in the other {WHERE}"
    ]


def test_input_declared_double_used_as_a_tensor() -> None:
    messages = _messages(
        "inputs { query(q) double }\n first-phase { expression: sum(query(q), x) }"
    )
    assert messages == [
        "schemas/book.sd:8:28: a number has no dimension 'x' (in 'reduce(query(q), sum, x)') "
        + WHERE
    ]


def test_cells_of_a_number() -> None:
    messages = _messages("inputs { query(q) double }\n first-phase { expression: query(q){x:1} }")
    assert messages == [
        f"schemas/book.sd:8:28: cannot take cells of a number in 'query(q){{x:1}}' {WHERE}"
    ]


def test_phase_that_gives_a_tensor() -> None:
    messages = _messages("first-phase { expression: attribute(vec) }")
    assert messages == [
        "schemas/book.sd:7:46: the first-phase expression must give a number, but gives "
        f"tensor<float>(x[2]) {WHERE}"
    ]


def test_wrong_arity_of_a_user_function() -> None:
    messages = _messages(
        "function f(a) { expression: a * 2 }\n first-phase { expression: f(1, 2) }"
    )
    assert messages == [
        f"schemas/book.sd:8:28: function 'f' takes 1 arguments (a), got 2 in 'f(1, 2)' {WHERE}"
    ]


def test_wrong_arity_of_a_built_in_function() -> None:
    messages = _messages("first-phase { expression: sqrt(1, 2) }")
    assert messages == [f"schemas/book.sd:7:46: expected 1 argument to sqrt, found 2 {WHERE}"]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("bm25(title, body)", "rank feature 'bm25' takes 1 parameter, got 2 in 'bm25(title,body)'"),
        ("fieldTermMatch(title).firstPosition",
         "rank feature 'fieldTermMatch' takes 2 parameters, got 1 in "
         "'fieldTermMatch(title).firstPosition'"),
        ("attribute(year, 1, 2)", "rank feature 'attribute' takes 1 to 2 parameters, got 3 in "
         "'attribute(year,1,2)'"),
    ],
)  # fmt: skip
def test_wrong_number_of_rank_feature_parameters(expression: str, message: str) -> None:
    messages = _messages(f"first-phase {{ expression: {expression} }}")
    assert messages == [f"schemas/book.sd:7:46: {message} {WHERE}"]


def test_unknown_function_is_located_in_the_expression() -> None:
    messages = _messages("first-phase { expression: 2 * foo(1) }")
    assert messages == [f"schemas/book.sd:7:50: unknown function 'foo' in 'foo(1)' {WHERE}"]


def test_unknown_name() -> None:
    messages = _messages("first-phase { expression: 1 + yaer }")
    assert messages == [
        "schemas/book.sd:7:50: unknown name 'yaer': not a function, constant or rank "
        f"feature {WHERE}"
    ]


def test_unknown_field_is_located_in_the_expression() -> None:
    messages = _messages("first-phase { expression: 1 + attribute(yaer) }")
    assert messages == [f"schemas/book.sd:7:50: unknown field 'yaer' in 'attribute(yaer)' {WHERE}"]


def test_a_problem_inside_a_function_points_at_the_phase() -> None:
    messages = _messages(
        "function f() { expression: attribute(yaer) }\n first-phase { expression: 1 + f }"
    )
    assert messages == [f"schemas/book.sd:8:28: unknown field 'yaer' in 'attribute(yaer)' {WHERE}"]


def test_match_and_summary_features_must_exist() -> None:
    messages = _messages(
        "function f() { expression: attribute(vec) }\n"
        " match-features { attribute(yaer) f }\n summary-features: bm25(year) nope"
    )
    assert messages == [
        "schemas/book.sd:7:16: unknown field 'yaer' in 'attribute(yaer)' in rank-profile 'p' "
        "match-features",
        "schemas/book.sd:7:16: field 'year' in 'bm25(year)' is not an index field in "
        "rank-profile 'p' summary-features",
        "schemas/book.sd:7:16: unknown name 'nope': not a function, constant or rank feature "
        "in rank-profile 'p' summary-features",
    ]


def test_second_and_global_phases_must_give_numbers_too() -> None:
    messages = _messages(
        "second-phase { expression: attribute(vec) }\n global-phase { expression: attribute(vec) }"
    )
    assert messages == [
        "schemas/book.sd:7:47: the second-phase expression must give a number, but gives "
        "tensor<float>(x[2]) in rank-profile 'p' second-phase",
        "schemas/book.sd:8:29: the global-phase expression must give a number, but gives "
        "tensor<float>(x[2]) in rank-profile 'p' global-phase",
    ]


def test_an_inherited_phase_is_reported_at_the_inheriting_profile() -> None:
    # p reads an undeclared input (not typed); d declares it, so d's copy of the phase
    # is typed, and reported where d starts.
    sd = RANKED.replace(
        "rank-profile p { PROFILE }",
        "rank-profile p { first-phase { expression: sum(query(q) * attribute(vec)) } }\n"
        "  rank-profile d inherits p { inputs { query(q) tensor(x[3]) } }",
    ).encode()
    with pytest.raises(InvalidApplicationPackageError) as info:
        _derive(_files() | {"schemas/book.sd": sd})
    (message,) = info.value.messages
    assert message.startswith("schemas/book.sd:8:16: cannot combine tensor(x[3]) with")
    assert message.endswith("in rank-profile 'd' first-phase")


def test_typed_expressions_that_fit_are_accepted() -> None:
    _accepted(
        "inputs { query(q) tensor<float>(x[2]) query(w) double }\n"
        " constants { c tensor(x[2]): [1, 2] }\n"
        " function dot(t) { expression: sum(t * attribute(vec)) }\n"
        " first-phase { expression: dot(query(q)) + dot(constant(c)) + c{x:1} * query(w) "
        "+ nativeRank(title, body) + nativeRank }\n"
        " summary-features { attribute(vec) }"
    )


def test_features_of_unknown_type_and_undeclared_inputs_are_not_typed() -> None:
    _accepted(
        "first-phase { expression: sum(tensorFromLabels(attribute(year), y), y) "
        "+ sum(query(undeclared), x) }"
    )


def test_untyped_features_are_rank_features() -> None:
    assert UNTYPED_FEATURES <= RANK_FEATURES


RANDOM_SCHEMA = """schema book {
  document book {
    field t type string { indexing: index }
    field v type tensor<float>(x[3]) { indexing: attribute }
    field m type tensor(x[3],y[2]) { indexing: attribute }
    field s type tensor<bfloat16>(cat{}) { indexing: attribute }
    field mx type tensor(cat{},x[3]) { indexing: attribute }
  }
  rank-profile p {
    inputs { query(q) tensor<float>(x[3]) query(p) tensor<float>(cat{}) }
    constants { c: 2 }
    first-phase { expression: EXPRESSION }
  }
}"""
LOCATED = re.compile(r"^schemas/book\.sd:\d+:\d+: .+ in rank-profile 'p' first-phase$")


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS)
def test_random_phases_are_accepted_or_refused_with_a_located_message(expression: str) -> None:
    files = _files() | {"schemas/book.sd": RANDOM_SCHEMA.replace("EXPRESSION", expression).encode()}
    try:
        _derive(files)
    except InvalidApplicationPackageError as e:
        for message in e.messages:
            assert LOCATED.match(message), message


def test_tensor_fields_without_a_cell_type_are_double_tensors() -> None:
    derived = _derive(
        _files()
        | {"schemas/book.sd": RANDOM_SCHEMA.replace("EXPRESSION", "sum(attribute(m))").encode()}
    )
    schema = derived.content.schema("book")
    assert schema is not None
    field = schema.field("m")
    assert field is not None
    assert field.type == "tensor(x[3],y[2])"
