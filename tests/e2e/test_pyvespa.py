"""pyvespa against a running Vespid: a package it builds, then its ``Vespa`` client for everything.

``vespid up`` (no package) starts the config server, its ZooKeeper and the node agent on
free ports. The package is pyvespa's own ``ApplicationPackage(...).to_zip()``, posted to
``prepareandactivate`` as pyvespa's ``VespaDocker.deploy`` does (it cannot deploy without
docker itself, WIRE.md 2(b)); from then on only pyvespa's ``Vespa`` client talks to the
container: feed, get, update, delete, query and visit, whose answers are checked against
the documents fed. The tests run in file order against one deployment.

pyvespa's services.xml puts the container on Vespa's default port 8080, which other
Vespids on a shared machine use too (``make run``), and ``ApplicationPackage`` has no
option for the port. So the untouched package is deployed first and must be accepted
with its container on localhost:8080 and its content node on ``hostalias="node1"``
(no hosts.xml); then the same package, its services.xml written by pyvespa's
``ServicesConfiguration`` with one more element, ``<http><server port=...>`` on a free
port, is deployed over it, and the client talks to that container: never to whatever
else may answer on 8080.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from vespa.application import Vespa
from vespa.configuration.services import (
    container,
    content,
    document,
    document_api,
    document_processing,
    documents,
    http,
    node,
    nodes,
    redundancy,
    search,
    server,
    services,
)
from vespa.io import VespaQueryResponse, VespaResponse
from vespa.package import (
    HNSW,
    ApplicationPackage,
    Document,
    Field,
    FieldSet,
    RankProfile,
    Schema,
    ServicesConfiguration,
)

from tests.e2e.conftest import _INSTANCES
from tests.e2e.harness import Instance, free_port, run_vespid

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

APP = "pyvespid"
SCHEMA = "paper"
CLUSTER = f"{APP}_content"
VESPA_DEFAULT_PORT = 8080
CONVERGE = (
    "/application/v2/tenant/default/application/default/environment/prod/region/default"
    "/instance/default/serviceconverge"
)

PAPERS: dict[str, dict[str, Any]] = {
    "1": {
        "title": "Python search engines",
        "body": "how to build a search engine in python with inverted indexes",
        "year": 2021,
        "embedding": [1.0, 0.0, 0.0, 0.0],
    },
    "2": {
        "title": "Vector search with HNSW graphs",
        "body": "approximate nearest neighbor search over dense vectors",
        "year": 2019,
        "embedding": [0.0, 1.0, 0.0, 0.0],
    },
    "3": {
        "title": "BM25 explained",
        "body": "term frequency saturation and document length in search ranking",
        "year": 2015,
        "embedding": [0.0, 0.0, 1.0, 0.0],
    },
    "4": {
        "title": "Cooking pasta",
        "body": "boil water add salt and cook the pasta for ten minutes",
        "year": 2020,
        "embedding": [0.0, 0.0, 0.0, 1.0],
    },
    "5": {
        "title": "Search search search",
        "body": "a paper that says search many times: search engines search documents",
        "year": 2023,
        "embedding": [0.5, 0.5, 0.0, 0.0],
    },
}
PAPERS["long/6"] = {  # a "/" pyvespa sends unescaped; a body over 1 KiB it sends gzipped
    "title": "A long abstract",
    "body": " ".join(f"word{i}" for i in range(300)),
    "year": 2010,
    "embedding": [0.2, 0.2, 0.2, 0.2],
}
MORE: dict[str, dict[str, Any]] = {
    f"more-{i}": {
        "title": f"Notes on topic {i}",
        "body": "python notes" if i % 2 == 0 else "gardening notes",
        "year": 2000 + i,
        "embedding": [0.1 * i, 0.2, 0.3, 1.0 - 0.1 * i],
    }
    for i in range(10)
}


def _schema() -> Schema:
    return Schema(
        name=SCHEMA,
        document=Document(
            fields=[
                Field(
                    name="title",
                    type="string",
                    indexing=["index", "summary"],
                    index="enable-bm25",
                ),
                Field(
                    name="body",
                    type="string",
                    indexing=["index", "summary"],
                    index="enable-bm25",
                    bolding=True,
                ),
                Field(
                    name="year",
                    type="int",
                    indexing=["attribute", "summary"],
                    attribute=["fast-search"],
                ),
                Field(
                    name="embedding",
                    type="tensor<float>(x[4])",
                    indexing=["attribute", "index", "summary"],
                    ann=HNSW(
                        distance_metric="euclidean",
                        max_links_per_node=16,
                        neighbors_to_explore_at_insert=100,
                    ),
                ),
            ]
        ),
        fieldsets=[FieldSet(name="default", fields=["title", "body"])],
        rank_profiles=[
            RankProfile(name="bm25", first_phase="bm25(title) + bm25(body)"),
            RankProfile(
                name="closeness",
                inputs=[("query(q)", "tensor<float>(x[4])")],
                first_phase="closeness(field, embedding)",
            ),
            RankProfile(name="recent", first_phase="attribute(year)"),
        ],
    )


def package_on(port: int) -> ApplicationPackage:
    """The same package, its container on ``port``: services.xml written by pyvespa's VT."""
    layout = services(
        container(
            search(),
            document_api(),
            document_processing(),
            http(server(id="default", port=str(port))),
            id=f"{APP}_container",
            version="1.0",
        ),
        content(
            redundancy("1"),
            documents(document(type_=SCHEMA, mode="index")),
            nodes(node(distribution_key="0", hostalias="node1")),
            id=CLUSTER,
            version="1.0",
        ),
    )
    config = ServicesConfiguration(application_name=APP, services_config=layout)
    return ApplicationPackage(name=APP, schema=[_schema()], services_config=config)


@pytest.fixture(scope="module")
def vespid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """A Vespid started with ``vespid up`` and nothing deployed yet."""
    root = tmp_path_factory.mktemp("pyvespa")
    inst = Instance(
        home=root / "home",
        app_dir=root / "unused",
        config_port=free_port(),
        zookeeper_port=free_port(),
        container_port=VESPA_DEFAULT_PORT,  # unused: the client gets its port from the package
    )
    _INSTANCES.append(inst)
    try:
        up = run_vespid("up", *inst.up_args())
        if up.returncode != 0:
            pytest.fail(f"vespid up failed:\n{up.stdout}\n{up.stderr}\n{inst.logs()}")
        yield inst
    finally:
        down = run_vespid("down", "--home", str(inst.home), timeout=120)
        _INSTANCES.remove(inst)
        assert down.returncode == 0, down.stderr


def _deploy(vespid: Instance, package: ApplicationPackage) -> dict[str, Any]:
    """Post pyvespa's zip the way ``VespaDocker.deploy`` does; return the answer."""
    response = httpx.post(
        vespid.config_server + "/application/v2/tenant/default/prepareandactivate",
        content=package.to_zip().getvalue(),
        headers={"Content-Type": "application/zip"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _services(vespid: Instance) -> set[tuple[str, str, str, int]]:
    answer = httpx.get(vespid.config_server + CONVERGE, timeout=10).json()
    return {(s["type"], s["clusterName"], s["host"], s["port"]) for s in answer["services"]}


@pytest.fixture(scope="module")
def deployed(vespid: Instance) -> dict[str, Any]:
    """pyvespa's untouched package, then the same on a free container port."""
    untouched = _deploy(vespid, ApplicationPackage(name=APP, schema=[_schema()]))
    untouched_services = _services(vespid)
    port = free_port()
    answer = _deploy(vespid, package_on(port))
    return {
        "untouched": untouched,
        "untouched-services": untouched_services,
        "answer": answer,
        "container-port": port,
    }


@pytest.fixture(scope="module")
def app(vespid: Instance, deployed: dict[str, Any]) -> Vespa:
    """pyvespa's client, once the container answers and every service runs the package."""
    client = Vespa(url="http://localhost", port=deployed["container-port"])
    client.wait_for_application_up(max_wait=60)
    deadline = time.monotonic() + 60
    while not httpx.get(vespid.config_server + CONVERGE, timeout=10).json()["converged"]:
        assert time.monotonic() < deadline, "services did not converge"
        time.sleep(0.2)
    return client


def _query(app: Vespa, body: dict[str, Any] | None = None, **params: Any) -> VespaQueryResponse:
    """``app.query``, checked to have succeeded (it answers a generator only when streaming)."""
    response = app.query(body=body, **params)
    assert isinstance(response, VespaQueryResponse)
    assert response.is_successful(), response.get_json()
    return response


def _hit_ids(response: VespaQueryResponse) -> list[str]:
    return [hit["id"] for hit in response.hits]


def _doc_id(user_id: str) -> str:
    return f"id:{SCHEMA}:{SCHEMA}::{user_id}"


def _ok(response: VespaResponse) -> dict[str, Any]:
    assert response.is_successful(), (response.status_code, response.get_json())
    body: dict[str, Any] = response.get_json()
    return body


def test_untouched_package_is_deployed_with_vespa_s_default_port(
    deployed: dict[str, Any],
) -> None:
    answer = deployed["untouched"]
    assert answer["activated"] is True
    assert answer["tenant"] == "default"
    assert set(answer["configChangeActions"]) == {"restart", "refeed", "reindex"}
    # pyvespa always writes an (empty) validation-overrides.xml, which is read, not ignored.
    assert not [m for m in answer["log"] if "validation-overrides" in m["message"]]
    kinds = {(kind, cluster, host) for kind, cluster, host, _ in deployed["untouched-services"]}
    assert kinds == {
        ("container", f"{APP}_container", "localhost"),
        ("content", CLUSTER, "localhost"),
    }
    ports = {kind: port for kind, _, _, port in deployed["untouched-services"]}
    assert ports["container"] == VESPA_DEFAULT_PORT


def test_same_package_on_a_free_port(deployed: dict[str, Any], vespid: Instance) -> None:
    answer = deployed["answer"]
    assert answer["activated"] is True
    assert int(answer["session-id"]) > int(deployed["untouched"]["session-id"])
    ports = {kind: port for kind, _, _, port in _services(vespid)}
    assert ports["container"] == deployed["container-port"]
    untouched = {kind: port for kind, _, _, port in deployed["untouched-services"]}
    assert ports["content"] == untouched["content"], "the content node keeps its port"


def test_feed_data_point_and_get_data(app: Vespa) -> None:
    for user_id, fields in PAPERS.items():
        body = _ok(app.feed_data_point(schema=SCHEMA, data_id=user_id, fields=fields))
        assert body["id"] == _doc_id(user_id)
        assert body["pathId"] == f"/document/v1/{SCHEMA}/{SCHEMA}/docid/{user_id}"
    got = _ok(app.get_data(schema=SCHEMA, data_id="2"))
    assert got["id"] == _doc_id("2")
    assert got["fields"]["title"] == PAPERS["2"]["title"]
    assert got["fields"]["year"] == 2019
    assert got["fields"]["embedding"]["values"] == PAPERS["2"]["embedding"]
    long = _ok(app.get_data(schema=SCHEMA, data_id="long/6"))
    assert long["id"] == _doc_id("long/6")
    assert long["fields"]["body"] == PAPERS["long/6"]["body"]
    assert app.get_data(schema=SCHEMA, data_id="nope").status_code == 404


def test_feed_iterable(app: Vespa) -> None:
    answers: dict[str, tuple[int, str]] = {}

    def callback(response: VespaResponse, user_id: str) -> None:
        answers[user_id] = (response.status_code, response.get_json().get("id", ""))

    app.feed_iterable(
        [{"id": i, "fields": f} for i, f in MORE.items()], schema=SCHEMA, callback=callback
    )
    assert answers == {i: (200, _doc_id(i)) for i in MORE}


def test_query_yql_with_bm25(app: Vespa) -> None:
    everything = _query(app, yql=f"select * from {SCHEMA} where true", hits=100)
    assert everything.number_documents_retrieved == len(PAPERS) + len(MORE)
    assert everything.number_documents_indexed == len(PAPERS) + len(MORE)

    result = _query(
        app, yql=f'select * from {SCHEMA} where title contains "search"', ranking="bm25", hits=10
    )
    expected = {_doc_id(i) for i, f in PAPERS.items() if "search" in f["title"].lower()}
    assert set(_hit_ids(result)) == expected
    relevances = [hit["relevance"] for hit in result.hits]
    assert relevances == sorted(relevances, reverse=True)
    assert all(r > 0 for r in relevances)
    # Three "search" in a short title beats one in a longer one (term frequency).
    assert _hit_ids(result)[0] == _doc_id("5")


def test_query_body_user_query_over_the_fieldset(app: Vespa) -> None:
    result = _query(
        app,
        body={
            "yql": f"select * from {SCHEMA} where userQuery()",
            "query": "python",
            "ranking": "bm25",
            "hits": 20,
        },
    )
    expected = {
        _doc_id(i)
        for i, f in {**PAPERS, **MORE}.items()
        if "python" in (f["title"] + " " + f["body"]).lower().split()
    }
    assert set(_hit_ids(result)) == expected
    assert result.number_documents_retrieved == len(expected)
    assert _hit_ids(result)[0] == _doc_id("1")  # in the title and in the body


def test_query_body_nearest_neighbor_with_closeness(app: Vespa) -> None:
    q = [0.9, 0.1, 0.0, 0.0]
    result = _query(
        app,
        body={
            "yql": f"select * from {SCHEMA} where {{targetHits: 3}}nearestNeighbor(embedding, q)",
            "ranking": "closeness",
            "input.query(q)": q,
            "hits": 3,
        },
    )
    every = {**PAPERS, **MORE}
    by_distance = sorted(every, key=lambda i: math.dist(q, every[i]["embedding"]))
    assert _hit_ids(result) == [_doc_id(i) for i in by_distance[:3]]
    for hit in result.hits:
        user_id = hit["id"].split("::", 1)[1]
        distance = math.dist(q, every[user_id]["embedding"])
        assert hit["relevance"] == pytest.approx(1 / (1 + distance), rel=1e-4)


def test_rank_profile_on_an_attribute(app: Vespa) -> None:
    result = _query(
        app, yql=f'select * from {SCHEMA} where body contains "notes"', ranking="recent", hits=3
    )
    years = sorted((f["year"] for f in MORE.values()), reverse=True)[:3]
    assert [hit["relevance"] for hit in result.hits] == [float(y) for y in years]
    assert [hit["fields"]["year"] for hit in result.hits] == years


def test_update_data(app: Vespa) -> None:
    assigned = _ok(app.update_data(schema=SCHEMA, data_id="4", fields={"title": "Cooking rice"}))
    assert assigned["id"] == _doc_id("4")
    incremented = app.update_data(
        schema=SCHEMA, data_id="4", fields={"year": {"increment": 3}}, auto_assign=False
    )
    _ok(incremented)
    fields = _ok(app.get_data(schema=SCHEMA, data_id="4"))["fields"]
    assert (fields["title"], fields["year"]) == ("Cooking rice", 2023)
    assert fields["body"] == PAPERS["4"]["body"]
    result = _query(app, yql=f'select * from {SCHEMA} where title contains "rice"')
    assert _hit_ids(result) == [_doc_id("4")]


def test_update_data_with_create(app: Vespa) -> None:
    _ok(app.update_data(schema=SCHEMA, data_id="new", fields={"title": "Brand new"}, create=True))
    fields = _ok(app.get_data(schema=SCHEMA, data_id="new"))["fields"]
    assert fields["title"] == "Brand new"
    # Vespa answers 200 to an update of a missing document without create (WIRE.md).
    missing = app.update_data(schema=SCHEMA, data_id="absent", fields={"title": "x"})
    assert missing.status_code == 200
    assert app.get_data(schema=SCHEMA, data_id="absent").status_code == 404


def test_delete_data(app: Vespa) -> None:
    deleted = _ok(app.delete_data(schema=SCHEMA, data_id="new"))
    assert deleted["id"] == _doc_id("new")
    assert app.get_data(schema=SCHEMA, data_id="new").status_code == 404
    result = _query(app, yql=f'select * from {SCHEMA} where title contains "brand"')
    assert result.number_documents_retrieved == 0


def test_visit_every_document(app: Vespa) -> None:
    seen: dict[str, dict[str, Any]] = {}
    pages = 0
    for slice_ in app.visit(content_cluster_name=CLUSTER, schema=SCHEMA, wanted_document_count=4):
        for page in slice_:
            pages += 1
            for doc in page.documents:
                seen[doc["id"]] = doc["fields"]
    assert set(seen) == {_doc_id(i) for i in {**PAPERS, **MORE}}
    assert pages >= 2, "wantedDocumentCount=4 over 16 documents takes continuations"
    assert seen[_doc_id("4")]["title"] == "Cooking rice"
    assert seen[_doc_id("more-3")]["year"] == 2003


def test_async_feed_and_query_many(app: Vespa) -> None:
    """pyvespa's async calls (HTTP/2 prior knowledge on http://) work too."""
    answers: dict[str, int] = {}

    def callback(response: VespaResponse, user_id: str) -> None:
        answers[user_id] = response.status_code

    extra = {f"async-{i}": {"title": f"asynchronous paper {i}", "year": 1990 + i} for i in range(3)}
    app.feed_async_iterable(
        [{"id": i, "fields": f} for i, f in extra.items()], schema=SCHEMA, callback=callback
    )
    assert answers == dict.fromkeys(extra, 200)
    queries = [
        {"yql": f'select * from {SCHEMA} where title contains "asynchronous"', "hits": 10},
        {"yql": f"select * from {SCHEMA} where year < 1995", "hits": 10},
    ]
    results = app.query_many(queries)
    assert [r.status_code for r in results] == [200, 200]
    assert [r.number_documents_retrieved for r in results] == [3, 3]
