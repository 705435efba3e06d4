"""The schema parser: what each construct becomes in the model, and precise errors."""

from __future__ import annotations

import pytest

from configserver.errors import InvalidApplicationPackageError
from configserver.schema import parse_schema
from configserver.schema.lexer import Pos
from configserver.schema.model import Constant, Features, Hnsw, Input, RankProfile

MUSIC = """\
schema music inherits base {
    document music inherits base {
        field title type string {
            indexing: summary | index   # a comment
            index: enable-bm25
            match { exact
                exact-terminator: "@@" }
            stemming: none
        }
        field tags type array<string> { indexing: attribute
            attribute: fast-search }
        field scores type map<string, array<int>> {}
        field ratings type int[] {}
        field embedding type tensor<float>(x[4], y{}) {
            indexing: attribute | index
            attribute { distance-metric: innerproduct }
            index { hnsw { max-links-per-node: 8
                           neighbors-to-explore-at-insert: 50 } }
        }
        struct pair { field a type string {} }
    }
    field title_lc type string { indexing: input title | lowercase | attribute }
    fieldset default { fields: title, tags }
    document-summary short inherits default { from-disk
        summary title {}
        summary t2 type string { source: title }
    }
    import field ref.name as other {}
    stemming: shortest
}
"""


def test_document_and_fields() -> None:
    s = parse_schema(MUSIC, "schemas/music.sd")
    assert s.name == "music"
    assert s.inherits == ("base",)
    assert s.document is not None
    assert s.document.inherits == ("base",)
    title, tags, scores, ratings, emb = s.document.fields
    assert (title.match, title.exact_terminator, title.stemming) == ("exact", "@@", "none")
    assert title.enable_bm25
    assert str(title.indexing) == "summary | index"
    assert tags.type == "array<string>"
    assert tags.attribute == ("fast-search",)
    assert scores.type == "map<string,array<int>>"
    assert ratings.type == "array<int>"
    assert emb.type == "tensor<float>(x[4],y{})"
    assert emb.distance_metric == "dotproduct"
    assert emb.hnsw == Hnsw(8, 50)
    assert s.document.structs[0].name == "pair"
    assert s.fields[0].name == "title_lc"
    assert title.pos == Pos(3, 15)


def test_schema_level_items() -> None:
    s = parse_schema(MUSIC, "schemas/music.sd")
    assert s.fieldsets[0].fields == ("title", "tags")
    summary = s.summaries[0]
    assert summary.from_disk
    assert summary.inherits == ("default",)
    assert [(f.name, f.type, f.sources) for f in summary.fields] == [
        ("title", None, ()),
        ("t2", "string", ("title",)),
    ]
    assert (s.imports[0].reference, s.imports[0].target, s.imports[0].name) == (
        "ref",
        "name",
        "other",
    )
    assert s.stemming == "shortest"


PROFILES = """\
schema s {
    document s {}
    rank-profile base {
        inputs {
            query(q) tensor<float>(x[2]): [1, 2]
            query(w): 0.5
            k double
        }
        constants { c: 1.5
            constant(t) tensor<float>(x[2]): [3, 4] }
        function f(a, b) { expression: a * b }
        function g() {
            expression {
                f(1, 2) +
                attribute(x)   # trailing comment
            }
        }
        first-phase { expression: g
            keep-rank-count: 50
            rank-score-drop-limit: -1.5 }
        second-phase { expression { firstPhase * 2 } rerank-count: 10 }
        global-phase { expression: secondPhase
            rerank-count: 5 }
        match-features: g attribute(x) closeness(field, e)
        rank-properties { fieldMatch(title).maxOccurrences: "20" }
        approximate-threshold: 0.1
        post-filter-threshold: 0.9
        num-threads-per-search: 4
    }
    rank-profile child inherits base, other {
        summary-features inherits base { f }
    }
}
"""


def test_rank_profile() -> None:
    s = parse_schema(PROFILES, "schemas/s.sd")
    base, child = s.rank_profiles
    assert base.inputs == (
        Input("q", "tensor<float>(x[2])", "[1, 2]"),
        Input("w", "double", "0.5"),
        Input("k", "double", None),
    )
    assert base.constants == (
        Constant("c", "double", "1.5"),
        Constant("t", "tensor<float>(x[2])", "[3, 4]"),
    )
    f, g = base.functions
    assert (f.name, f.arguments, f.expression.text) == ("f", ("a", "b"), "a * b")
    assert g.expression.text.split() == ["f(1,", "2)", "+", "attribute(x)"]
    assert g.expression.pos == Pos(14, 17)
    assert base.first_phase is not None
    assert base.first_phase.keep_rank_count == 50
    assert base.first_phase.rank_score_drop_limit == -1.5
    assert base.second_phase is not None
    assert base.second_phase.rerank_count == 10
    assert base.global_phase is not None
    assert base.global_phase.rerank_count == 5
    assert base.match_features == Features(("g", "attribute(x)", "closeness(field, e)"))
    assert base.rank_properties == (("fieldMatch(title).maxOccurrences", "20"),)
    assert (base.approximate_threshold, base.post_filter_threshold) == (0.1, 0.9)
    assert base.num_threads_per_search == 4
    assert child == RankProfile(
        "child", ("base", "other"), summary_features=Features(("f",), ("base",))
    )
    assert any("num-threads-per-search" in w for w in s.warnings)


def test_document_only_file_is_a_schema() -> None:
    s = parse_schema("document d { field a type string {} }", "schemas/d.sd")
    assert s.name == "d"
    assert s.document is not None
    assert s.document.name == "d"


def test_ignored_settings_are_warned_with_position() -> None:
    s = parse_schema(
        "schema s { document s { field a type string {\n bolding: on\n sorting { ascending } } } }",
        "schemas/s.sd",
    )
    assert s.warnings == (
        "schemas/s.sd:2:2: 'bolding' in field 'a' is accepted and ignored",
        "schemas/s.sd:3:2: 'sorting' in field 'a' is accepted and ignored",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "schema s {\n  document s {\n    field a type string {\n      foo: bar\n",
            "schemas/s.sd:4:7: unsupported 'foo' in field 'a'",
        ),
        ("schema s { document s { field a {} } }", "schemas/s.sd:1:33: field 'a' has no type"),
        ("schema s {", "schemas/s.sd:1:1: schema 's' is not closed: expected '}'"),
        ("schema s {}\nx", "schemas/s.sd:2:1: unexpected text after schema 's'"),
        ("search", "schemas/s.sd:1:7: expected a schema name, got end of file"),
        (
            "schema s { document s { field a type string { indexing: summary | | index } } }",
            "schemas/s.sd:1:67: expected an indexing expression, got '|'",
        ),
        (
            "schema s { rank-profile p { onnx-model m {} } }",
            "schemas/s.sd:1:29: unsupported 'onnx-model' in rank-profile 'p'",
        ),
        (
            "schema s { rank-profile p { first-phase { expression: file:x.expr } } }",
            "schemas/s.sd:1:43: unsupported: expression read from a file",
        ),
        (
            "schema s { document s { field a type string { attribute: huge-pages } } }",
            "schemas/s.sd:1:47: unsupported attribute setting 'huge-pages' in field 'a'",
        ),
        (
            "schema s { field x type string { match { gram\n gram-size: many } } }",
            "schemas/s.sd:2:13: expected a gram size, got 'many'",
        ),
        (
            "schema s { document s { annotation a {} } }",
            "schemas/s.sd:1:25: unsupported: annotation types",
        ),
        (
            'schema s { document s { field a type string { match { exact-terminator: "x } } } }',
            "schemas/s.sd:1:73: unterminated string",
        ),
        (b"schema \xff", "schemas/s.sd:1:1: not UTF-8 text (byte 7 is invalid)"),
    ],
)
def test_errors_name_file_line_and_column(text: str | bytes, message: str) -> None:
    with pytest.raises(InvalidApplicationPackageError) as info:
        parse_schema(text, "schemas/s.sd")
    assert info.value.messages == [message]
