"""The indexing language: parsing, printing, and what Vespid can execute."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from configserver.errors import InvalidApplicationPackageError
from configserver.schema.analysis import analyse
from configserver.schema.indexing import (
    BinOp,
    Block,
    Call,
    Cases,
    Expr,
    If,
    Literal,
    Pipe,
    Script,
    parse_indexing,
)
from configserver.schema.lexer import Pos


def test_pipes_calls_and_arguments() -> None:
    script = parse_indexing('input title | tokenize normalize stem:"BEST" | index t2')
    assert script == Script(
        (
            Pipe(
                (
                    Call("input", ("title",)),
                    Call("tokenize", ("normalize", 'stem:"BEST"')),
                    Call("index", ("t2",)),
                )
            ),
        )
    )


def test_blocks_conditions_and_cases() -> None:
    text = (
        'if (input a == "x") { "y" | summary; } else { input b | summary }; '
        'input c | switch { case "a": "b" | index; default: input c | index; }; '
        "select_input { a: input a | attribute; } ; input d | for_each { lowercase }"
    )
    script = parse_indexing(text)
    kinds = [type(p.steps[-1]).__name__ for p in script.statements]
    assert kinds == ["If", "Cases", "Cases", "Call"]
    assert parse_indexing(str(script)) == script


def test_positions_point_into_the_file() -> None:
    with pytest.raises(InvalidApplicationPackageError) as info:
        parse_indexing("input a |\n  | index", "schemas/x.sd", Pos(10, 20))
    assert info.value.messages == ["schemas/x.sd:11:3: expected an indexing expression, got '|'"]


def test_analysis_of_executable_statement() -> None:
    plan = analyse(parse_indexing("input title | lowercase | summary | index | attribute t2"), "f")
    assert plan.sources == ["title"]
    assert plan.outputs == {"f": {"summary", "index"}, "t2": {"attribute"}}
    assert plan.lowercase
    assert not plan.unsupported


def test_analysis_accepts_language_literal_and_converters() -> None:
    plan = analyse(parse_indexing('"en" | set_language; input n | to_string | summary'), "f")
    assert not plan.unsupported
    assert plan.outputs == {"f": {"summary"}}


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("input a | hash | attribute", "'hash'"),
        ('input a . " " | index', "operator '.'"),
        ('if (input a == "x") { "y" | summary }', "'if'"),
        ("input a | for_each { lowercase } | index", "'for_each { ... }'"),
        ('"x" | summary', 'literal "x" (only before set_language)'),
        ('input a | switch { case "x": "y" | index; }', "'switch'"),
    ],
)
def test_analysis_refuses_what_vespid_cannot_run(text: str, what: str) -> None:
    plan = analyse(parse_indexing(text), "f")
    assert [w for _, w in plan.unsupported] == [what]


_names = st.sampled_from(["a", "title", "b_2", "x.y"])
_literals = st.sampled_from(['"en"', '"a b"', "10", "2.5", "-3"]).map(Literal)


def _calls(children: st.SearchStrategy[Script]) -> st.SearchStrategy[Call]:
    plain = st.builds(
        Call,
        st.sampled_from(["input", "summary", "attribute", "index", "lowercase", "hash"]),
        st.lists(_names, max_size=2).map(tuple),
    )
    block = st.builds(Call, st.sampled_from(["for_each", "guard"]), st.just(()), children)
    return plain | block


def _exprs(children: st.SearchStrategy[Script]) -> st.SearchStrategy[Expr]:
    leaf: st.SearchStrategy[Expr] = _literals | _calls(children)
    binop = st.builds(BinOp, st.sampled_from(["+", "-", "*", "/", "%", "."]), leaf, leaf)
    compare = st.builds(BinOp, st.sampled_from(["==", "!=", "<", ">=", "&&"]), leaf, leaf)
    cond = st.builds(If, compare, children, st.none() | children)
    switch = st.builds(
        Cases,
        st.just("switch"),
        st.lists(
            st.tuples(st.sampled_from(['"a"', '"b c"', ""]), st.builds(Pipe, st.tuples(leaf))),
            min_size=1,
            max_size=2,
        ).map(tuple),
    )
    return leaf | binop | cond | switch | st.builds(Block, children)


def _scripts() -> st.SearchStrategy[Script]:
    return st.recursive(
        st.builds(Script, st.tuples(st.builds(Pipe, st.tuples(_literals | _calls(st.nothing()))))),
        lambda children: st.builds(
            Script,
            st.lists(
                st.builds(Pipe, st.lists(_exprs(children), min_size=1, max_size=3).map(tuple)),
                min_size=1,
                max_size=3,
            ).map(tuple),
        ),
        max_leaves=8,
    )


@given(_scripts())
def test_print_then_parse_gives_the_same_tree(script: Script) -> None:
    assert parse_indexing(str(script)) == script


@given(st.text(alphabet=' input|{};:()."ab\n#-+=!<>&', max_size=40))
def test_arbitrary_text_raises_only_our_error(text: str) -> None:
    try:
        script = parse_indexing(text, "schemas/x.sd")
    except InvalidApplicationPackageError as e:
        messages = e.messages
    else:
        analyse(script, "f")
        return
    assert messages[0].startswith("schemas/x.sd:")
