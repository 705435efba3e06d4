"""Vespa's own YQL parser cases (YqlParserTestCase), run against our parser.

For each case we record, as data, what Vespid does: produce the same tree as Vespa
(printed in Vespa's notation by `vespa_tree`), refuse it with a positioned
`YqlSyntaxError`, or produce a tree that differs — with the reason.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from container.errors import YqlSyntaxError
from container.yql import parse_yql
from tests.conformance import CONFORMANCE as SHARED
from tests.unit.container.vespa_tree import vespa_string

CASES_FILE = SHARED / "vespa-tests" / "query-parsing" / "yql-parse-cases.json"

_HNSW = "hnsw.* tuning annotations on nearestNeighbor are not kept"
_NN_DEFAULT = "nearestNeighbor without targetHits gets targetHits=10"
_EQUIV = "equiv() is kept as an OR of its alternatives"
_TOKENIZE = "terms are tokenized by the content node, not the container"
_FLOAT_BOUNDS = "range bounds are floats; the printer shows integral bounds without .0"
_CUSTOM_ENV = "needs Vespa's custom index facts (field types for in); we accept it"

DIFFERS: dict[int, str] = {
    10: "origin annotations, normalizeCase and hash-ordered weighted sets",
    62: "a nested annotated phrase is flattened, not kept as a segment",
    **dict.fromkeys((87, 92), _NN_DEFAULT),
    **dict.fromkeys(range(93, 106), _HNSW),
    122: "totalTargetHits on weakAnd is not kept",
    **dict.fromkeys((123, 124), _EQUIV),
    **dict.fromkeys((141, 142), _TOKENIZE),
    **dict.fromkeys(range(148, 152), _FLOAT_BOUNDS),
    168: "connectivity annotations are ignored",
    **dict.fromkeys((185, 186, 187, 188, 190, 191), _CUSTOM_ENV),
}
"""Cases where our tree differs from Vespa's, and why."""

REFUSED: frozenset[int] = frozenset(
    {65, 66, 67, 70, 71}  # near/onear with negative terms: not supported
    | set(range(81, 87))  # geoLocation / geoBoundingBox: geo search is not planned yet
    | set(range(109, 114))  # predicate(): predicate fields are not supported
    | {117, 118, 119}  # labeled(): not supported
    | set(range(164, 168))  # elementFilter ids must be non-negative integers, as in Vespa
    | {163, *range(169, 185), 189}  # Vespa refuses these too (assertParseFail)
)
"""Cases we refuse with a YqlSyntaxError."""


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(CASES_FILE.read_text())["cases"]
    return cases


@pytest.mark.parametrize(("index", "case"), list(enumerate(_cases())))
def test_vespa_yql_case_has_the_recorded_outcome(index: int, case: dict[str, Any]) -> None:
    if index in REFUSED:
        with pytest.raises(YqlSyntaxError) as refusal:
            parse_yql(case["yql"])
        error = refusal.value
        assert 0 <= error.position <= len(case["yql"])
        assert str(error).startswith(f"query:L{error.line}:{error.column}: expected ")
        return
    tree = vespa_string(parse_yql(case["yql"]).where)
    if index in DIFFERS:
        assert tree != case.get("expected_tree"), "now the same: remove it from DIFFERS"
    else:
        assert tree == case.get("expected_tree")


def test_every_must_fail_case_is_refused_or_a_recorded_difference() -> None:
    for index, case in enumerate(_cases()):
        if case["kind"] == "assertParseFail":
            assert index in REFUSED or index in DIFFERS, case["yql"]
