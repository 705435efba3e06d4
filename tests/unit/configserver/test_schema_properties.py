"""Property tests: schema model → text → model, and mutated real files give only our error."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings, strategies as st

from configserver.errors import InvalidApplicationPackageError
from configserver.model import derive_application
from configserver.schema import parse_schema, print_schema
from configserver.schema.fields import ATTRIBUTE_SETTINGS, DISTANCE_METRICS, STEMMING
from configserver.schema.indexing import parse_indexing
from configserver.schema.model import (
    Constant,
    Document,
    DocumentSummary,
    Expression,
    Features,
    Field,
    Fieldset,
    Function,
    Hnsw,
    ImportField,
    Input,
    Phase,
    RankProfile,
    Schema,
    Struct,
    SummaryField,
)
from tests.unit.configserver.conftest import CONFORMANCE, port_counter, read_package_dir

_RESERVED = {"inherits", "as", "type", "inline", "field", "struct"}
names = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True).filter(lambda n: n not in _RESERVED)
name_tuples = st.lists(names, max_size=2).map(tuple)
types = st.sampled_from(
    ["string", "int", "array<string>", "map<string,int>", "weightedset<string>",
     "tensor<float>(x[4])", "tensor(x{},y[2])", "position", "reference<other>"]
)  # fmt: skip
indexing = st.sampled_from(
    ["summary | index", "input a | lowercase | attribute", '"en" | set_language',
     "{ input a | summary; input b | index t; }", "input a . input b | index"]
).map(parse_indexing)  # fmt: skip
expressions = st.sampled_from(
    ["nativeRank", "bm25(title) + 2", "attribute(x) * query(q)", "a +\n    b",
     "sum(query(q) * attribute(e))", "if (a > 1, 2, 3)"]
).map(Expression)  # fmt: skip
numbers = st.floats(allow_nan=False, allow_infinity=False, width=32)


def _fields(struct_fields: st.SearchStrategy[tuple[Field, ...]]) -> st.SearchStrategy[Field]:
    return st.builds(
        Field,
        name=names,
        type=types,
        indexing=st.none() | indexing,
        attribute=st.lists(st.sampled_from(sorted(ATTRIBUTE_SETTINGS)), unique=True).map(tuple),
        distance_metric=st.none() | st.sampled_from(sorted(DISTANCE_METRICS)),
        enable_bm25=st.booleans(),
        hnsw=st.none() | st.builds(Hnsw, st.integers(1, 64), st.integers(1, 500)),
        match=st.none() | st.sampled_from(["text", "exact", "word", "prefix", "gram"]),
        gram_size=st.none() | st.integers(1, 9),
        exact_terminator=st.none() | st.text(alphabet="@#$% ab", min_size=1, max_size=3),
        stemming=st.none() | st.sampled_from(sorted(STEMMING)),
        normalizing=st.none() | st.just("none"),
        rank_filter=st.booleans(),
        struct_fields=struct_fields,
    )


struct_field = st.builds(Field, name=names, type=st.just(""), rank_filter=st.booleans())
fields = _fields(st.lists(struct_field, max_size=2).map(tuple))
plain_fields = st.lists(_fields(st.just(())), max_size=2).map(tuple)
structs = st.builds(Struct, names, plain_fields, name_tuples)

first_phase = st.builds(
    Phase, st.none() | expressions, st.none() | st.integers(0, 10**6), st.none() | numbers
)
second_phase = st.builds(
    Phase,
    st.none() | expressions,
    rank_score_drop_limit=st.none() | numbers,
    rerank_count=st.none() | st.integers(0, 10**4),
)
global_phase = st.builds(
    Phase, st.none() | expressions, rerank_count=st.none() | st.integers(0, 10**4)
)
features = st.builds(
    Features,
    st.lists(
        st.sampled_from(["attribute(x)", "bm25(t)", "closeness(field, e)", "f", "a.b"]),
        max_size=3,
    ).map(tuple),
    name_tuples,
)
profiles = st.builds(
    RankProfile,
    names,
    name_tuples,
    inputs=st.lists(
        st.builds(
            Input,
            names,
            st.sampled_from(["double", "tensor<float>(x[2])"]),
            st.none() | st.sampled_from(["0.5", "[1, 2]", "{{x:0}:1.0}"]),
        ),
        max_size=2,
    ).map(tuple),
    constants=st.lists(
        st.builds(Constant, names, st.sampled_from(["double", "tensor(x[2])"]),
                  st.sampled_from(["1.5", "[1, 2]"])),
        max_size=2,
    ).map(tuple),
    functions=st.lists(st.builds(Function, names, name_tuples, expressions), max_size=2).map(tuple),
    first_phase=st.none() | first_phase,
    second_phase=st.none() | second_phase,
    global_phase=st.none() | global_phase,
    match_features=st.none() | features,
    summary_features=st.none() | features,
    rank_properties=st.lists(
        st.tuples(st.sampled_from(["fieldMatch(t).maxOccurrences", "vespa.x"]), names),
        max_size=2,
    ).map(tuple),
    approximate_threshold=st.none() | numbers,
    post_filter_threshold=st.none() | numbers,
    target_hits_max_adjustment_factor=st.none() | numbers,
    num_threads_per_search=st.none() | st.integers(1, 16),
)  # fmt: skip
schemas = st.builds(
    Schema,
    names,
    inherits=name_tuples,
    document=st.none()
    | st.builds(Document, names, name_tuples, st.lists(fields, max_size=3).map(tuple),
                st.lists(structs, max_size=1).map(tuple)),
    fields=st.lists(fields, max_size=2).map(tuple),
    structs=st.lists(structs, max_size=1).map(tuple),
    fieldsets=st.lists(
        st.builds(Fieldset, names, st.lists(names, min_size=1, max_size=3).map(tuple)),
        max_size=2,
    ).map(tuple),
    summaries=st.lists(
        st.builds(
            DocumentSummary,
            names,
            name_tuples,
            st.booleans(),
            st.lists(
                st.builds(SummaryField, names, st.none() | types, name_tuples), max_size=2
            ).map(tuple),
        ),
        max_size=2,
    ).map(tuple),
    rank_profiles=st.lists(profiles, max_size=2).map(tuple),
    imports=st.lists(st.builds(ImportField, names, names, names), max_size=1).map(tuple),
    stemming=st.none() | st.sampled_from(sorted(STEMMING)),
)  # fmt: skip


@given(schemas)
def test_model_to_text_to_model(schema: Schema) -> None:
    assert parse_schema(print_schema(schema), "schemas/x.sd") == schema


@cache
def _real_schemas() -> tuple[str, ...]:
    paths = sorted(CONFORMANCE.rglob("*.sd"))
    return tuple(p.read_text(encoding="utf-8", errors="replace") for p in paths) or (
        "schema s { document s { field a type string { indexing: summary } } }",
    )


_TOKENS = ["{", "}", ":", "|", '"', "\n", "#", "<", ">", "(", ")", ",", "field ", "inherits "]


@st.composite
def mutated_schema(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(_real_schemas()))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(_TOKENS)) + text[i:]
        else:
            text = text[:j] + text[i:j] + text[j:]
    return text


def _raises_only_our_error(run: object) -> None:
    assert callable(run)
    try:
        run()
    except InvalidApplicationPackageError as e:
        messages = e.messages
    else:
        return
    assert messages
    assert all(m.count(":") >= 3 for m in messages), messages


@given(mutated_schema())
def test_mutated_real_schemas_raise_only_our_error(text: str) -> None:
    _raises_only_our_error(lambda: parse_schema(text, "schemas/music.sd"))


@settings(max_examples=30)
@given(mutated_schema())
def test_mutated_schema_in_a_package_derives_or_raises_our_error(text: str) -> None:
    root = CONFORMANCE / "sample-apps/album-recommendation/app"
    files = read_package_dir(root) if root.is_dir() else {}
    files["schemas/music.sd"] = text.encode()
    files.setdefault("services.xml", b"<services/>")
    _raises_only_our_error(lambda: derive_application(files, 1, None, port_counter()))
