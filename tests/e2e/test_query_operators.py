"""Query operators through real processes: deploy apppackages/operators, feed, query /search/.

One Vespid per module. Each case is a YQL query a Vespa user would write, with the
documents it must return (feed.jsonl has four: a, b, c, d); struct fields, maps and
sameElement, the term annotations, the attribute operators, nearest neighbors, and
``ranking.listFeatures`` are all answered by the content node, not the container.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import _INSTANCES
from tests.e2e.harness import REPO, Instance, copy_sample, free_port, run_vespid

pytestmark = pytest.mark.e2e

PACKAGE = REPO / "apppackages" / "operators"


@pytest.fixture(scope="module")
def operators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """Vespid with the operators package deployed and its four documents fed."""
    root = tmp_path_factory.mktemp("operators")
    container_port = free_port()
    inst = Instance(
        home=root / "home",
        app_dir=copy_sample(root / "app", container_port, PACKAGE),
        config_port=free_port(),
        zookeeper_port=free_port(),
        container_port=container_port,
    )
    _INSTANCES.append(inst)
    try:
        up = run_vespid("up", str(inst.app_dir), *inst.up_args())
        if up.returncode != 0:
            pytest.fail(f"vespid up failed:\n{up.stdout}\n{up.stderr}\n{inst.logs()}")
        for line in (PACKAGE / "feed.jsonl").read_text().splitlines():
            operation = json.loads(line)
            key = operation["put"].rsplit(":", 1)[1]
            response = httpx.post(
                f"{inst.container}/document/v1/ops/item/docid/{key}",
                json={"fields": operation["fields"]},
                timeout=30,
            )
            assert response.status_code == 200, response.text
        yield inst
    finally:
        down = run_vespid("down", "--home", str(inst.home), timeout=120)
        _INSTANCES.remove(inst)
        assert down.returncode == 0, down.stderr


def _ids(result: dict[str, Any]) -> list[str]:
    return [hit["id"].rsplit(":", 1)[1] for hit in result["root"].get("children", [])]


CASES: list[tuple[str, dict[str, str], list[str]]] = [
    # struct fields and maps (issue #6): any element, then one and the same element
    ('persons.name contains "joe"', {}, ["a", "b"]),
    ("persons.age > 55", {}, ["b"]),
    ('persons contains sameElement(name contains "joe", age > 40)', {}, ["b"]),
    ('persons contains sameElement(name contains "ann", age < 30)', {}, ["c"]),
    ("persons contains sameElement(age > 40, !(age > 55))", {}, ["a", "d"]),
    ('persons contains ({elementFilter: 1}sameElement(name contains "ann"))', {}, ["a"]),
    ("persons.age[1] > 40", {}, ["a"]),
    ('scores.key contains "art"', {}, ["a", "b"]),
    ('scores contains sameElement(key contains "math", value > 3)', {}, ["a"]),
    ('scores contains sameElement(key contains "art", value > 3)', {}, ["b"]),
    ('chunks contains sameElement("one" and "two")', {}, ["a", "c"]),
    ('chunks contains sameElement("one" and !"three")', {}, ["a", "b"]),
    ('chunks contains sameElement(phrase("two", "one"))', {}, ["c"]),
    ('chunks contains "one" and chunks contains "two"', {}, ["a", "b", "c"]),
    # term annotations on an indexed field
    # The index holds stems ("best"): unstemmed "fighters" is not there, "fighter" is.
    ('title contains "fighters"', {}, ["a", "b", "d"]),
    ('title contains ({stem: false}"fighters")', {}, []),
    ('title contains ({stem: false}"fighter")', {}, ["a", "b", "d"]),
    ('title contains ({prefix: true}"fight")', {}, ["a", "b", "d"]),
    ('title contains ({substring: true}"uie")', {}, ["c"]),
    ('title contains ({suffix: true}"ake")', {}, ["c", "d"]),
    ('title contains equiv("jet", "quiet")', {}, ["b", "c"]),
    ('title contains near("blue", "lake")', {}, ["c"]),
    ('title contains ({distance: 5}near("blue", "lake"))', {}, ["c", "d"]),
    ('title contains onear("lake", "blue")', {}, []),
    ('title contains onear("blue", "lake")', {}, ["c"]),
    ('rank(title contains "blue", title contains "lake")', {}, ["c", "d"]),
    ("userInput(@text)", {"text": "quiet lake"}, ["c", "d"]),
    ('{grammar: "all"}userInput(@text)', {"text": "quiet lake"}, ["c"]),
    ('title contains text("quiet lake")', {}, ["c", "d"]),
    ("nonEmpty(title contains @text)", {"text": "jet"}, ["b"]),
    # attribute operators
    ('category matches "^sc"', {}, ["a", "c"]),
    ('category contains fuzzy("scence")', {}, ["a", "c"]),
    ('category contains ({maxEditDistance: 1}fuzzy("hstry"))', {}, []),
    ('category contains ({maxEditDistance: 1, prefix: true}fuzzy("histo"))', {}, ["d"]),
    ("{hitLimit: 1, descending: true}range(year, 0, 3000)", {}, ["c"]),
    ("{hitLimit: 2}range(year, 0, 3000)", {}, ["a", "b"]),
    ('weightedSet(tags, {"rock": 1, "jazz": 1})', {}, ["a", "c", "d"]),
    ('dotProduct(tags, {"pop": 2})', {}, ["a", "b"]),
    ('({targetHits: 10}wand(tags, {"rock": 1, "pop": 1}))', {}, ["a", "b", "d"]),
    ('({scoreThreshold: 1.5}wand(tags, {"rock": 1, "pop": 1}))', {}, ["a", "b"]),
]


@pytest.mark.parametrize(("where", "params", "expected"), CASES)
def test_query_operator_matches_the_expected_documents(
    operators: Instance, where: str, params: dict[str, str], expected: list[str]
) -> None:
    result = operators.query(f"select * from sources * where {where}", **params)
    assert sorted(_ids(result)) == expected
    assert result["root"]["fields"]["totalCount"] == len(expected)


def test_order_by_several_keys(operators: Instance) -> None:
    result = operators.query("select * from item where true order by category asc, year desc")
    assert _ids(result) == ["d", "c", "a", "b"]


def test_nearest_neighbor_with_a_label_ranks_by_closeness(operators: Instance) -> None:
    result = operators.query(
        'select * from item where {targetHits: 2, label: "nn"}nearestNeighbor(embedding, q)',
        ranking="closest",
        **{"input.query(q)": "[0.2, 0.1]"},
    )
    assert _ids(result) == ["a", "b"]
    assert result["root"]["children"][0]["relevance"] > result["root"]["children"][1]["relevance"]


def test_struct_arrays_and_maps_come_back_in_summaries_as_fed(operators: Instance) -> None:
    result = operators.query('select * from item where persons.name contains "ann"')
    by_id = {hit["id"]: hit["fields"] for hit in result["root"]["children"]}
    assert by_id["id:ops:item::a"]["persons"] == [
        {"name": "Joe", "age": 30},
        {"name": "Ann", "age": 50},
    ]
    assert by_id["id:ops:item::a"]["scores"] == {"math": 5, "art": 1}


@pytest.mark.parametrize(
    ("where", "params", "message"),
    [
        ("persons contains sameElement(height > 3)", {}, "persons.height"),
        ("nonEmpty(title contains @text)", {"text": ""}, "nonEmpty"),
        ('year contains fuzzy("x")', {}, "fuzzy needs a string attribute"),
        ("category > 3", {}, "cannot search strings"),
    ],
)
def test_queries_that_cannot_run_are_400s_that_say_why(
    operators: Instance, where: str, params: dict[str, str], message: str
) -> None:
    response = httpx.get(
        operators.container + "/search/",
        params={"yql": f"select * from item where {where}", **params},
        timeout=30,
    )
    assert response.status_code == 400
    assert message in response.json()["root"]["errors"][0]["message"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_list_features_puts_the_rank_features_in_each_hit(operators: Instance, method: str) -> None:
    yql = 'select * from item where title contains "blue"'
    if method == "GET":
        params = {"yql": yql, "ranking.listFeatures": "true"}
        response = httpx.get(operators.container + "/search/", params=params, timeout=30)
    else:
        body = {"yql": yql, "ranking": {"listFeatures": True}}
        response = httpx.post(operators.container + "/search/", json=body, timeout=30)
    assert response.status_code == 200, response.text
    hits = response.json()["root"]["children"]
    assert len(hits) == 2
    for hit in hits:
        features = hit["fields"]["rankfeatures"]
        assert features["firstPhase"] == pytest.approx(hit["relevance"])
        assert features["nativeRank"] == pytest.approx(hit["relevance"])
        assert features["queryTermCount"] == 1.0
        assert features["fieldMatch(title).matches"] == 1.0
        assert features["term(0).weight"] == 100.0


def test_a_profiles_rank_features_replace_the_defaults_when_it_ignores_them(
    operators: Instance,
) -> None:
    result = operators.query(
        'select * from item where title contains "jet"', ranking="listed", rankfeatures="true"
    )
    (hit,) = result["root"]["children"]
    assert hit["fields"]["rankfeatures"] == {
        "attribute(year)": 1999.0,
        "attribute(persons.age).count": 1.0,
    }


def test_struct_field_attributes_follow_updates_and_removes(operators: Instance) -> None:
    url = f"{operators.container}/document/v1/ops/item/docid/e"
    yql = 'select * from item where scores contains sameElement(key contains "gym", value > 3)'
    fields = {"title": "late", "scores": {"gym": 1}, "persons": [{"name": "Eve", "age": 70}]}
    assert httpx.post(url, json={"fields": fields}, timeout=30).status_code == 200
    assert _ids(operators.query(yql)) == []
    update = {"fields": {"scores{gym}": {"assign": 8}, "persons": {"assign": []}}}
    assert httpx.put(url, json=update, timeout=30).status_code == 200
    assert _ids(operators.query(yql)) == ["e"]
    assert _ids(operators.query('select * from item where persons.name contains "eve"')) == []
    assert httpx.delete(url, timeout=30).status_code == 200
    assert _ids(operators.query(yql)) == []
