"""Rank-profile flattening: implicit profiles, inheritance, features, cycles."""

from __future__ import annotations

from configserver.model.ranking import flatten_profiles
from configserver.schema import parse_schema
from configserver.schema.resolve import resolve_schemas
from vespid.config import FunctionConfig, InputConfig, RankProfileConfig

SD = """\
schema s {
    document s { field t type string { indexing: index } }
    rank-profile a {
        inputs { query(q) tensor<float>(x[2]) }
        function f() { expression: bm25(t) }
        first-phase { expression: f
            keep-rank-count: 100 }
        match-features: f
        rank-properties { p.x: 1 }
    }
    rank-profile b {
        inputs { query(w): 2 }
        function f() { expression: 2 }
        function g(x) { expression: x * 2 }
        second-phase { expression: g(firstPhase)
            rerank-count: 5 }
        summary-features: g(1)
        approximate-threshold: 0.2
    }
    rank-profile c inherits a, b {
        function f() { expression: 3 }
        match-features inherits a { attribute(t) }
    }
    rank-profile d inherits c {
        global-phase { expression: firstPhase
            rerank-count: 7 }
    }
}
"""


def _flatten(text: str) -> tuple[dict[str, RankProfileConfig], list[str]]:
    errors: list[str] = []
    (schema,) = resolve_schemas([parse_schema(text, "schemas/s.sd")], errors)
    profiles = flatten_profiles(schema, errors)
    return {p.name: p for p in profiles}, errors


def test_implicit_default_and_unranked() -> None:
    profiles, errors = _flatten(SD)
    assert errors == []
    assert list(profiles)[:2] == ["default", "unranked"]
    assert profiles["default"] == RankProfileConfig("default")
    assert profiles["unranked"].first_phase == "0"
    assert profiles["a"].first_phase == "f"
    assert profiles["b"].first_phase == "nativeRank"


def test_multiple_inheritance_merges_and_own_wins() -> None:
    profiles, _ = _flatten(SD)
    c = profiles["c"]
    assert c.inputs == (
        InputConfig("q", "tensor<float>(x[2])"),
        InputConfig("w", "double", "2"),
    )
    assert c.functions == (FunctionConfig("g", ("x",), "x * 2"), FunctionConfig("f", (), "3"))
    assert (c.first_phase, c.keep_rank_count) == ("f", 100)
    assert c.second_phase is None
    assert c.match_features == ("f", "attribute(t)")
    assert c.summary_features == ()
    assert c.rank_properties == (("p.x", "1"),)


def test_deep_inheritance_keeps_everything() -> None:
    profiles, _ = _flatten(SD)
    d = profiles["d"]
    assert (d.global_phase, d.global_rerank_count) == ("firstPhase", 7)
    assert d.match_features == ("f", "attribute(t)")
    assert d.functions[-1] == FunctionConfig("f", (), "3")


def test_declared_default_is_inherited_implicitly() -> None:
    profiles, errors = _flatten(
        "schema s { document s {}\n"
        " rank-profile default { first-phase { expression: attribute(x) } }\n"
        " rank-profile other { second-phase { expression: 1 } } }"
    )
    assert errors == []
    assert profiles["other"].first_phase == "attribute(x)"
    assert profiles["other"].second_phase == "1"


def test_cycles_and_bad_feature_inheritance_are_reported() -> None:
    _, errors = _flatten(
        "schema s { document s {}\n"
        " rank-profile a inherits b {}\n"
        " rank-profile b inherits a { match-features inherits c { x } } }"
    )
    assert errors == [
        "schemas/s.sd:3:15: rank-profile inheritance cycle: a -> b -> a",
        "schemas/s.sd:3:15: match-features of rank-profile 'b' inherits 'c', which is not a "
        "parent of the profile",
    ]


def test_rank_features_and_ignoring_the_defaults_are_inherited() -> None:
    profiles, errors = _flatten("""schema s { document s { field t type string {} }
      rank-profile base {
        rank-features: nativeRank fieldLength(t)
        ignore-default-rank-features
      }
      rank-profile child inherits base { }
      rank-profile more inherits base {
        rank-features inherits base { queryTermCount }
      }
    }""")
    assert errors == []
    assert profiles["child"].rank_features == ("nativeRank", "fieldLength(t)")
    assert profiles["child"].ignore_default_rank_features
    assert profiles["more"].rank_features == ("nativeRank", "fieldLength(t)", "queryTermCount")
    assert not profiles["default"].ignore_default_rank_features
