"""Parser and printer of ranking expressions: precedence, errors, conformance, round trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings, strategies as st

from tests.conformance import CONFORMANCE as SHARED
from vespid.expression.ast import (
    Binary,
    Call,
    Feature,
    If,
    In,
    Lambda,
    LambdaCall,
    NamedArg,
    Neg,
    Node,
    Not,
    Num,
    Reduce,
    Rename,
    Slice,
    Str,
    TensorCall,
    TensorGenerate,
    TensorLiteral,
)
from vespid.expression.errors import ExpressionSyntaxError
from vespid.expression.parser import parse_expression
from vespid.expression.tensor_type import Dimension, TensorType

CONFORMANCE = SHARED / "vespa-tests" / "ranking-expressions"


def f(name: str, *args: Node, output: str | None = None) -> Feature:
    return Feature(name, args, output)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("1 + 2 * 3", Binary("+", Num(1), Binary("*", Num(2), Num(3)))),
        ("1 - 2 - 3", Binary("-", Binary("-", Num(1), Num(2)), Num(3))),
        ("4^3^2", Binary("^", Num(4), Binary("^", Num(3), Num(2)))),
        ("-a^2", Binary("^", Neg(f("a")), Num(2))),
        ("-2", Num(-2)),
        ("1e-3", Num(0.001)),
        ("2 + 0 && 1", Binary("&&", Binary("+", Num(2), Num(0)), Num(1))),
        ("a || b && c", Binary("||", f("a"), Binary("&&", f("b"), f("c")))),
        ("2>3<1", Binary("<", Binary(">", Num(2), Num(3)), Num(1))),
        ("!a == b", Binary("==", Not(f("a")), f("b"))),
        ("a + 1 in [1, b]", In(Binary("+", f("a"), Num(1)), (Num(1), f("b")))),
        ("if(a, 1, 0, 0.25)", If(f("a"), Num(1), Num(0), 0.25)),
        ("bm25(title)", f("bm25", f("title"))),
        ("fieldMatch(title).completeness", f("fieldMatch", f("title"), output="completeness")),
        ("term(0).significance", f("term", Num(0), output="significance")),
        ("attribute(foo).out.out", f("attribute", f("foo"), output="out.out")),
        ("$q", f("query", f("q"))),
        (
            'bm25(field: title, label: "t-terms")',
            f("bm25", NamedArg("field", f("title")), NamedArg("label", Str("t-terms"))),
        ),
        ('"a\\"b"', Str('a"b')),
        ("true", Num(1)),
        ("pow(2, 3)", Call("pow", (Num(2), Num(3)))),
        ("max(a, b)", Call("max", (f("a"), f("b")))),
        ("max(t)", Reduce(f("t"), "max")),
        ("max(t, x, y)", Reduce(f("t"), "max", ("x", "y"))),
        ("sum(t, x)", Reduce(f("t"), "sum", ("x",))),
        ("reduce(t, avg)", Reduce(f("t"), "avg")),
        (
            "map(t, f(x)(x*2))",
            LambdaCall("map", (f("t"),), Lambda(("x",), Binary("*", f("x"), Num(2)))),
        ),
        ("l2_normalize(t, x)", TensorCall("l2_normalize", (f("t"),), ("x",))),
        ("rename(t, a, b)", Rename(f("t"), ("a",), ("b",))),
        ("t{x:1, y:(i+1)}", Slice(f("t"), (("x", Str("1")), ("y", Binary("+", f("i"), Num(1)))))),
        ("t[0]", Slice(f("t"), ((None, Num(0)),))),
        ("t{a}", Slice(f("t"), ((None, Str("a")),))),
        (
            "tensor<float>(x[2]):[1,2]",
            TensorLiteral(
                TensorType("float", (Dimension("x", 2),)), ((("0",), Num(1)), (("1",), Num(2)))
            ),
        ),
        (
            "tensor(y[2],x[1]):[[3],[4]]",
            TensorLiteral(
                TensorType("double", (Dimension("x", 1), Dimension("y", 2))),
                ((("0", "0"), Num(3)), (("0", "1"), Num(4))),
            ),
        ),
        (
            "{{x:a}:1}",
            TensorLiteral(TensorType("double", (Dimension("x"),)), ((("a",), Num(1)),)),
        ),
        (
            "tensor(x[3])(x+1)",
            TensorGenerate(TensorType("double", (Dimension("x", 3),)), Binary("+", f("x"), Num(1))),
        ),
        (
            "range(x[2],y[3])",
            TensorGenerate(
                TensorType("double", (Dimension("x", 2), Dimension("y", 3))),
                Binary("+", f("x"), f("y")),
            ),
        ),
        ("range(a)", f("range", f("a"))),
        (
            "switch(a) { case 1: 2, default: 3 }",
            If(Binary("==", f("a"), Num(1)), Num(2), Num(3)),
        ),
    ],
)
def test_parses_to_tree(text: str, tree: Node) -> None:
    assert parse_expression(text) == tree
    assert parse_expression(str(tree)) == tree


def test_short_and_verbose_literals_agree() -> None:
    short = parse_expression("tensor(x{},y[2]):{a:[1,2], b:[3,4]}")
    verbose = parse_expression("tensor(x{},y[2]):{{x:a,y:0}:1,{x:a,y:1}:2,{x:b,y:0}:3,{x:b,y:1}:4}")
    assert short == verbose


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("1 +", 3, "found end of expression"),
        ("(1 + 2", 6, "expected ')'"),
        ("a b", 2, "expected an operator or end of expression, found name 'b'"),
        ("pow(1)", 0, "expected 2 arguments to pow, found 1"),
        ("reduce(t, total)", 10, "expected an aggregator"),
        ("1 ? 2", 2, "found '?'"),
        ('"open', 0, "closing"),
        ("tensor(x[2]):[1,2,3]", 13, "expected 2 values"),
        ("tensor(x[2]):{{x:5}:1}", 14, "expected an index in 0..1"),
        ("tensor(x{})(1)", 0, "only indexed dimensions"),
        ("tensor<half>(x[2])", 7, "expected a cell type"),
        ("cell_cast(t, half)", 13, "expected one of"),
    ],
)
def test_errors_are_positioned(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression(text)
    assert info.value.position == position
    assert fragment in info.value.reason


REFUSED = {
    # Vespa test data with unbalanced brackets or trailing tokens.
    "map(tensor0, f(x) (log10(x+sum(tensor0)))": 41,
    "tensor(values[4]):[1.1, 2.2, 3.3, 4.4]]": 38,
    "tensor(x[3]):[2, 3, 4])": 22,
    # Feature lists (searchlib's featureList rule), not single expressions.
    "attribute(foo).out attribute ( bar ) . out": 19,
    "foo\n bar\n\n baz\n": 5,
    "attribute attribute(foo) attribute(foo).out attribute(bar).out.out": 10,
}
"""Conformance expressions we refuse, with the offset the error names."""


def _conformance_expressions() -> list[str]:
    java = json.loads((CONFORMANCE / "java-evaluation-cases.json").read_text())
    texts = [c["expression"] for c in java["cases"]]
    texts += [a for c in java["cases"] for a in c.get("tensor_args", [])]
    texts += [c["expected_tensor"] for c in java["cases"] if "expected_tensor" in c]
    spec = json.loads((CONFORMANCE / "eval-spec-scalar-cases.json").read_text())
    texts += [e["expression"] for e in spec["expressions"]]
    texts += [p.read_text() for p in sorted((CONFORMANCE / "searchlib-files").iterdir())]
    return texts


def test_conformance_expressions_parse_or_are_refused_with_position() -> None:
    refused: dict[str, int] = {}
    for text in _conformance_expressions():
        try:
            tree = parse_expression(text)
        except ExpressionSyntaxError as e:
            refused[text] = e.position
            continue
        assert parse_expression(str(tree)) == tree, text
    assert refused == REFUSED


# --- round trips over generated trees -------------------------------------------------

NAMES = st.sampled_from(["a", "b", "x", "title", "q", "my_fn", "F55", "CT$", "@at"])
DIMS = st.sampled_from(["x", "y", "cat"])
LABELS = st.sampled_from(["a", "0", "1", "-2", "with space", "é", 'q"uote'])
NUMBERS = st.floats(allow_nan=False, allow_infinity=False)
LEAVES: st.SearchStrategy[Node] = st.one_of(
    NUMBERS.map(Num),
    st.text(max_size=5).map(Str),
    NAMES.map(Feature),
    st.tuples(st.sampled_from(["bm25", "attribute", "query"]), NAMES).map(
        lambda t: Feature(t[0], (Feature(t[1]),))
    ),
    st.tuples(NAMES, NAMES).map(
        lambda t: Feature("bm25", (Feature(t[0]), NamedArg("label", Feature(t[1]))))
    ),
    st.tuples(NAMES, st.sampled_from(["out", "completeness", "0", "a.b"])).map(
        lambda t: Feature("fieldMatch", (Feature(t[0]),), t[1])
    ),
)


def _types() -> st.SearchStrategy[TensorType]:
    dimension = st.one_of(
        DIMS.map(Dimension), st.tuples(DIMS, st.integers(1, 3)).map(lambda t: Dimension(*t))
    )
    return st.tuples(
        st.sampled_from(["double", "float", "int8", "bfloat16"]),
        st.lists(dimension, max_size=2, unique_by=lambda d: d.name),
    ).map(lambda t: TensorType(t[0], tuple(t[1])))


@st.composite
def literals(draw: st.DrawFn, values: st.SearchStrategy[Node]) -> TensorLiteral:
    tensor_type = draw(_types())
    labels = [
        st.sampled_from([str(i) for i in range(d.size)]) if d.size is not None else LABELS
        for d in tensor_type.dimensions
    ]
    addresses = draw(st.lists(st.tuples(*labels), max_size=3, unique=True))
    return TensorLiteral(tensor_type, tuple((tuple(a), draw(values)) for a in addresses))


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    ops = st.sampled_from(
        ["+", "-", "*", "/", "%", "^", "==", "!=", "~=", "<", "<=", ">", ">=", "&&", "||"]
    )
    two = st.tuples(children, children)
    lam = st.tuples(st.lists(NAMES, min_size=1, max_size=2, unique=True), children).map(
        lambda t: Lambda(tuple(t[0]), t[1])
    )
    return st.one_of(
        children.map(Neg),
        children.map(Not),
        st.tuples(ops, children, children).map(lambda t: Binary(*t)),
        st.tuples(children, st.lists(children, max_size=3)).map(lambda t: In(t[0], tuple(t[1]))),
        st.tuples(children, children, children, st.none() | st.floats(0, 1)).map(lambda t: If(*t)),
        st.tuples(st.sampled_from(["exp", "log", "sqrt", "sigmoid"]), children).map(
            lambda t: Call(t[0], (t[1],))
        ),
        st.tuples(st.sampled_from(["pow", "atan2", "max", "min"]), two).map(
            lambda t: Call(t[0], t[1])
        ),
        st.tuples(NAMES, st.lists(children, min_size=1, max_size=2)).map(
            lambda t: Feature(t[0], tuple(t[1]))
        ),
        st.tuples(
            children, st.sampled_from(["sum", "max", "avg", "count"]), st.lists(DIMS, max_size=2)
        ).map(lambda t: Reduce(t[0], t[1], tuple(t[2]))),
        st.tuples(children, lam).map(lambda t: LambdaCall("map", (t[0],), t[1])),
        st.tuples(two, lam).map(lambda t: LambdaCall("join", t[0], t[1])),
        st.tuples(children, DIMS).map(lambda t: TensorCall("l2_normalize", (t[0],), (t[1],))),
        st.tuples(two, DIMS).map(lambda t: TensorCall("matmul", t[0], (t[1],))),
        st.tuples(children, st.lists(DIMS, min_size=1, max_size=2, unique=True)).map(
            lambda t: Rename(t[0], tuple(t[1]), tuple(reversed(t[1])))
        ),
        st.tuples(
            children, st.lists(st.tuples(DIMS, LABELS.map(Str) | children), min_size=1, max_size=2)
        ).map(lambda t: Slice(t[0], tuple(t[1]))),
        st.tuples(children, children).map(lambda t: Slice(t[0], ((None, t[1]),))),
        st.tuples(children, LABELS).map(lambda t: Slice(t[0], ((None, Str(t[1])),))),
        literals(children),
        st.tuples(
            st.lists(
                st.tuples(DIMS, st.integers(1, 3)), min_size=1, max_size=2, unique_by=lambda d: d[0]
            ),
            children,
        ).map(
            lambda t: TensorGenerate(TensorType("float", tuple(Dimension(*d) for d in t[0])), t[1])
        ),
    )


TREES = st.recursive(LEAVES, _extend, max_leaves=12)


@settings(max_examples=300)
@given(TREES)
@example(Neg(Num(2.0)))
@example(Binary("^", Num(-2.0), Num(2.0)))
@example(Binary("-", Num(1.0), Num(-0.0)))
def test_print_then_parse_gives_the_same_tree(tree: Node) -> None:
    assert parse_expression(str(tree)) == tree


@settings(max_examples=300)
@given(st.text(alphabet="ab1.(){}[],:+-*/^<>=!&|\"' xtensorf_$", max_size=30))
def test_arbitrary_text_parses_or_raises_positioned_syntax_error(text: str) -> None:
    position = None
    try:
        tree = parse_expression(text)
    except ExpressionSyntaxError as e:
        position = e.position
    if position is None:
        assert parse_expression(str(tree)) == tree
    else:
        assert 0 <= position <= len(text)
